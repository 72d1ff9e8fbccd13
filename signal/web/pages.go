package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/signaal-nl/signaal/signal"
)

// The pages are rendered on the server with html/template from embedded
// files: no front-end build step, and every page works without JavaScript.
// A small script of our own (static/app.js) adds the offline outbox.
//
// Layout of the files:
//   - templates/_*.html are the shared parts (layout, error summary, form
//     fields); every page can use them.
//   - templates/<page>.html is one page; it defines "main" (the layout
//     adds the header, the language switch, the error summary and the
//     footer). Render it with s.Render(c, status, "<page>", "<title key>",
//     data); in the template, {{.T "key"}} is a catalogue text, {{.L x}}
//     a signal.Text in the user's language, {{.Data}} the page's data, and
//     {{template "text-field" (dict "V" . "Name" "x" "Label" "key")}} a
//     labelled field with its error. Forms carry
//     <input type="hidden" name="_csrf" value="{{.CSRF}}">.
//   - static/* are served under /static/ with a long cache lifetime; links
//     carry the file's content hash (asset "app.css"), so a new version is
//     fetched at once.
//   - i18n/*.json are the message catalogue (see Catalogue).
//
//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Cookie and form names of the pages.
const (
	// CSRFCookie holds the double-submit token for browsers that send no
	// Fetch Metadata (Sec-Fetch-Site); modern browsers are checked by that
	// header alone.
	CSRFCookie = "signaal_csrf"
	// CSRFField is the hidden form field every page form carries, and
	// CSRFHeader the header scripts send.
	CSRFField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"

	ctxCSRF = "signaal.csrf"
	ctxPage = "signaal.page"
)

// View is what every page template gets as its data (".").
type View struct {
	Lang Lang
	// User is the logged-in user, nil on public pages.
	User *signal.User
	// Path is the request path (for the language switch's return).
	Path string
	// CSRF is the token each form posts as CSRFField.
	CSRF string
	// Title is the page title's catalogue key.
	Title string
	// Errors are the problems of a posted form, in the order of the fields;
	// the layout shows them in an error summary linking to each field.
	Errors []FormError
	// Form holds the posted values, to fill the fields in again.
	Form url.Values
	// Data is the page's own data.
	Data any

	cat    *Catalogue
	assets map[string]string
}

// FormError is one problem of a posted form: the form field's name (the
// wire path, e.g. "youth.birth_date") and the message in the user's
// language.
type FormError struct {
	Field   string
	Message string
}

// T returns the catalogue text key in the page's language.
func (v *View) T(key string, args ...any) string { return v.cat.Get(v.Lang, key, args...) }

// Label returns the catalogue text of a code (prefix + code, such as
// "level.short." + "full") in the page's language, or the code itself when
// the catalogue has none, as for a code a newer policy introduced.
func (v *View) Label(prefix, code string) string {
	if !v.cat.Has(prefix + code) {
		return code
	}
	return v.cat.Get(v.Lang, prefix+code)
}

// L returns the text in the page's language of a text the domain holds in
// both (the policy's questions and reasons).
func (v *View) L(t signal.Text) string {
	if v.Lang == LangEN {
		return t.EN
	}
	return t.NL
}

// Pick returns nl or en, whichever is the page's language (for texts that
// come in both, like the policy's reasons).
func (v *View) Pick(nl, en string) string {
	if v.Lang == LangEN {
		return en
	}
	return nl
}

// FieldID is the HTML id of the form field name (dots are not welcome in
// CSS selectors, so "youth.birth_date" becomes "f-youth-birth_date").
func (v *View) FieldID(name string) string { return FieldID(name) }

// FieldID is the HTML id of the form field name (see View.FieldID).
func FieldID(name string) string {
	return "f-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(name)
}

// ErrorFor returns the message for the field name, "" when it has none.
func (v *View) ErrorFor(name string) string {
	for _, e := range v.Errors {
		if e.Field == name {
			return e.Message
		}
	}
	return ""
}

// Value is the posted value of field name ("" when none).
func (v *View) Value(name string) string { return v.Form.Get(name) }

// Checked reports whether the posted values of name include value.
func (v *View) Checked(name, value string) bool {
	for _, x := range v.Form[name] {
		if x == value {
			return true
		}
	}
	return false
}

// Asset is the URL of a static file with its content hash, so it can be
// cached for a year and still be fresh after an upgrade.
func (v *View) Asset(name string) string {
	return "/static/" + name + "?v=" + v.assets[name]
}

// OtherLangs are the languages the switch offers.
func (v *View) OtherLangs() []Lang {
	var out []Lang
	for _, l := range Langs {
		if l != v.Lang {
			out = append(out, l)
		}
	}
	return out
}

// SwitchURL is the link that switches to lang and comes back here.
func (v *View) SwitchURL(lang Lang) string {
	return "/taal?" + url.Values{"lang": {string(lang)}, "next": {v.Path}}.Encode()
}

// HasRole reports whether the user has one of roles (for navigation).
func (v *View) HasRole(roles ...string) bool {
	if v.User == nil {
		return false
	}
	for _, r := range roles {
		if string(v.User.Role) == r {
			return true
		}
	}
	return false
}

// pages is the parsed page templates and the static files' hashes.
type pages struct {
	byName  map[string]*template.Template
	cat     *Catalogue
	assets  map[string]string // file name -> short content hash
	gzipped map[string][]byte // file name -> its gzip encoding
	static  fs.FS
}

// templateFuncs are the few functions templates need besides View's methods.
var templateFuncs = template.FuncMap{
	"list": func(xs ...any) []any { return xs },
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, errors.New("dict needs key, value pairs")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	"str": func(v any) string { return fmt.Sprint(v) },
}

// loadPages parses every page with the shared parts, loads the catalogue
// and hashes the static files. It fails on any template error, so a broken
// page stops the server at start-up, not in front of a user.
func loadPages() (*pages, error) {
	cat, err := loadCatalogue(messageFiles)
	if err != nil {
		return nil, err
	}
	shared, err := fs.Glob(templateFiles, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	base, err := template.New("").Funcs(templateFuncs).ParseFS(templateFiles, shared...)
	if err != nil {
		return nil, fmt.Errorf("parse shared templates: %w", err)
	}
	all, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}, cat: cat, assets: map[string]string{}, gzipped: map[string][]byte{}}
	for _, f := range all {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, f)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		p.byName[name] = t
	}
	p.static, err = fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(p.static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(p.static, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		p.assets[name] = hex.EncodeToString(sum[:6])
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			return err
		}
		p.gzipped[name] = gz.Bytes()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash static files: %w", err)
	}
	return p, nil
}

// view returns the View of a page request, with the user, language and
// CSRF token filled in; the handler adds Title, Data, Errors and Form.
func (s *Server) view(c echo.Context, title string, data any) *View {
	v := &View{
		Lang: LangOf(c), Path: c.Request().URL.RequestURI(), Title: title, Data: data,
		cat: s.pages.cat, assets: s.pages.assets,
	}
	if u, ok := CurrentUser(c); ok {
		v.User = &u
	}
	v.CSRF, _ = c.Get(ctxCSRF).(string)
	return v
}

// render writes the page name with v as its data. The page is rendered
// into a buffer first, so a template error becomes a clean error page and
// never half a page.
func (s *Server) render(c echo.Context, status int, name string, v *View) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render page %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// Render renders the page name for the request with data as View.Data and
// title as the title's catalogue key. Page handlers of every area use it.
func (s *Server) Render(c echo.Context, status int, name, title string, data any) error {
	return s.render(c, status, name, s.view(c, title, data))
}

// pageRoutes registers the pages. Public: the login page, the language
// switch, the static files, the service worker and the manifest. The rest
// needs a session cookie (else a redirect to the login page); every page
// form is CSRF-checked.
//
// Areas register their pages here, each in its own file:
// s.reporterPages (issue 5), s.meetingPages (issue 6), s.privacyPages
// (issue 7).
func (s *Server) pageRoutes() {
	pub := &PageGroup{e: s.echo, mw: []echo.MiddlewareFunc{s.pageRequest, language, sameOriginPages, s.csrf()}}
	pub.GET("/static/*", s.static)
	pub.GET("/sw.js", s.serviceWorker)
	pub.GET("/manifest.webmanifest", s.manifest)
	pub.GET("/taal", s.switchLanguage)
	pub.GET("/offline", s.offlinePage)
	pub.GET("/login", s.loginPage)
	pub.POST("/login", s.loginSubmit)

	g := pub.With(s.pageSession)
	g.POST("/logout", s.logoutSubmit)
	g.POST("/logout/everywhere", s.logoutEverywhereSubmit)
	g.GET("/", s.startPage)
	s.reporterPages(g)
	s.meetingPages(g)
	s.privacyPages(g)
}

// PageGroup registers page routes with the page middleware on each route.
// (An Echo group with middleware adds catch-all routes, which would answer
// unknown API paths and wrong methods with a page.) Put a role guard on
// each route: g.GET("/x", h, s.RequireRole(signal.RoleCoordinator)).
type PageGroup struct {
	e  *echo.Echo
	mw []echo.MiddlewareFunc
}

// With returns a group that adds m after g's middleware.
func (g *PageGroup) With(m ...echo.MiddlewareFunc) *PageGroup {
	return &PageGroup{e: g.e, mw: append(slices.Clone(g.mw), m...)}
}

// GET registers a page.
func (g *PageGroup) GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	g.e.GET(path, h, append(slices.Clone(g.mw), m...)...)
}

// POST registers a form's target.
func (g *PageGroup) POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	g.e.POST(path, h, append(slices.Clone(g.mw), m...)...)
}

// pageRequest marks the request as a page request, so errors are answered
// with an HTML page instead of JSON.
func (s *Server) pageRequest(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxPage, true)
		return next(c)
	}
}

func isPageRequest(c echo.Context) bool {
	p, _ := c.Get(ctxPage).(bool)
	return p
}

// sameOriginPages refuses a page POST that does not come from this origin,
// before any token is looked at: the browser says where a request comes
// from (Sec-Fetch-Site), and only "same-origin" (our own page) or "none"
// (typed by the user) pass. "same-site" is refused too: a page on a
// sibling subdomain or another port of the same host is not us, and could
// set a cookie of its own for a double-submit token. A browser without
// Fetch Metadata must send an Origin equal to this host's, when it sends
// one at all; with neither header the CSRF token alone decides.
func sameOriginPages(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		switch site := r.Header.Get("Sec-Fetch-Site"); site {
		case "same-origin", "none":
			return next(c)
		case "":
			if o := r.Header.Get("Origin"); o != "" && o != c.Scheme()+"://"+r.Host {
				return signal.Errorf(signal.CodeForbidden, "csrf")
			}
			return next(c)
		}
		return signal.Errorf(signal.CodeForbidden, "csrf")
	}
}

// csrf protects the page forms: Echo's CSRF middleware checks Fetch
// Metadata (Sec-Fetch-Site must be same-origin for a POST), and for a
// browser without it a double-submit token (cookie and form field). The
// session cookie is SameSite=Strict besides.
func (s *Server) csrf() echo.MiddlewareFunc {
	mw := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:" + CSRFField + ",header:" + CSRFHeader,
		ContextKey:     ctxCSRF,
		CookieName:     CSRFCookie,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.secure,
		CookieSameSite: http.SameSiteStrictMode,
		CookieMaxAge:   12 * 3600,
		ErrorHandler: func(err error, c echo.Context) error {
			return signal.Errorf(signal.CodeForbidden, "csrf")
		},
	})
	return mw
}

// pageSession requires the session cookie for a page: a missing, expired or
// revoked session sends the browser to the login page, which comes back
// here afterwards. The checks are authenticate's.
func (s *Server) pageSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isNotFoundRoute(c) {
			return next(c)
		}
		ck, err := c.Cookie(CookieName)
		if err != nil || ck.Value == "" {
			return s.toLogin(c)
		}
		claims, err := s.verifier.Verify(c.Request().Context(), ck.Value)
		if err != nil {
			return s.toLogin(c)
		}
		u, err := s.users.SessionUser(c.Request().Context(), claims.Subject, claims.ID, claims.Gen)
		if signal.ErrorCode(err) == signal.CodeUnauthorized || signal.ErrorCode(err) == signal.CodeNotFound {
			return s.toLogin(c)
		}
		if err != nil {
			return err
		}
		c.Set(ctxSession, &Session{User: u, Claims: claims, Cookie: true})
		return next(c)
	}
}

// toLogin redirects to the login page; a GET comes back to where it was.
func (s *Server) toLogin(c echo.Context) error {
	next := "/"
	if c.Request().Method == http.MethodGet {
		next = sitePath(c.Request().URL.RequestURI())
	}
	return redirect(c, "/login?"+url.Values{"next": {next}}.Encode())
}

// startPage sends each role to its own start page.
func (s *Server) startPage(c echo.Context) error {
	u, _ := CurrentUser(c)
	if dest, ok := startPages[u.Role]; ok {
		return redirect(c, dest)
	}
	return s.Render(c, http.StatusOK, "start", "start.title", nil)
}

// startPages is each role's start page; a role without one sees a plain
// welcome page. The meeting and privacy pages add their roles.
var startPages = map[signal.Role]string{
	signal.RoleReporter:       "/signalen",
	signal.RolePrivacyOfficer: "/privacy",
}

type loginData struct {
	Next  string
	Email string
}

// loginPage: GET /login. A logged-in user goes straight on.
func (s *Server) loginPage(c echo.Context) error {
	next := sitePath(c.QueryParam("next"))
	return s.Render(c, http.StatusOK, "login", "login.title", loginData{Next: next})
}

// loginSubmit: POST /login (form). The same checks, rate limits and audit
// entries as the API's login; a wrong address or password re-renders the
// form with an error summary.
func (s *Server) loginSubmit(c echo.Context) error {
	next := sitePath(c.FormValue("next"))
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	v := s.view(c, "login.title", loginData{Next: next, Email: email})
	if email == "" {
		v.Errors = append(v.Errors, FormError{"email", v.T("login.email.required")})
	}
	if password == "" {
		v.Errors = append(v.Errors, FormError{"password", v.T("login.password.required")})
	}
	norm, err := signal.NormaliseEmail(email)
	if email != "" && err != nil {
		v.Errors = append(v.Errors, FormError{"email", v.T("login.email.invalid")})
	}
	if len(v.Errors) > 0 {
		return s.render(c, http.StatusBadRequest, "login", v)
	}
	if _, _, err := s.startSession(c, norm, password); err != nil {
		switch signal.ErrorCode(err) {
		case signal.CodeUnauthorized:
			v.Errors = []FormError{{"email", v.T("login.wrong")}}
			return s.render(c, http.StatusUnauthorized, "login", v)
		case signal.CodeTooMany:
			v.Errors = []FormError{{"email", v.T("login.toomany")}}
			return s.render(c, http.StatusTooManyRequests, "login", v)
		}
		return err
	}
	return redirect(c, next)
}

// logoutEverywhereSubmit: POST /logout/everywhere (form): every session
// of the account ends, as the API's.
func (s *Server) logoutEverywhereSubmit(c echo.Context) error {
	if err := s.endAllSessions(c); err != nil {
		return err
	}
	return redirect(c, "/login")
}

// logoutSubmit: POST /logout (form): the session is revoked and audited,
// as the API's logout.
func (s *Server) logoutSubmit(c echo.Context) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	return redirect(c, "/login")
}

// static serves the embedded static files. A request with the current
// content hash (?v=) may be cached for a year; without it, for five
// minutes.
func (s *Server) static(c echo.Context) error {
	name := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
	hash, ok := s.pages.assets[name]
	if !ok {
		return echo.ErrNotFound
	}
	data, err := fs.ReadFile(s.pages.static, name)
	if err != nil {
		return fmt.Errorf("read static %s: %w", name, err)
	}
	h := c.Response().Header()
	if c.QueryParam("v") == hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	h.Set("ETag", `"`+hash+`"`)
	h.Set("Vary", "Accept-Encoding")
	if match := c.Request().Header.Get("If-None-Match"); match == `"`+hash+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	// Static files hold no secrets, so compressing them is safe (pages are
	// not compressed: they reflect input next to the CSRF token, which is
	// what BREACH needs).
	if strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, contentType(name), s.pages.gzipped[name])
	}
	return c.Blob(http.StatusOK, contentType(name), data)
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".webmanifest":
		return "application/manifest+json"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// serviceWorker serves static/sw.js at the root, so its scope is the whole
// site, with the versioned URLs of the static files it keeps filled in (a
// new release is a new worker, which replaces the old cache). Browsers
// check it for updates on each visit (no-cache).
func (s *Server) serviceWorker(c echo.Context) error {
	data, err := fs.ReadFile(s.pages.static, "sw.js")
	if err != nil {
		return echo.ErrNotFound
	}
	var urls []string
	sum := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(s.pages.assets)) {
		if name == "sw.js" {
			continue
		}
		urls = append(urls, "/static/"+name+"?v="+s.pages.assets[name])
		sum.Write([]byte(s.pages.assets[name]))
	}
	list, _ := json.Marshal(urls)
	body := strings.NewReplacer("'__VERSION__'", strconv.Quote(hex.EncodeToString(sum.Sum(nil))[:12]), "__ASSETS__", string(list)).Replace(string(data))
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, contentType("sw.js"), []byte(body))
}

// offlinePage: GET /offline, what the service worker shows for a page it
// cannot fetch: the signals waiting on this phone (app.js lists them).
func (s *Server) offlinePage(c echo.Context) error {
	return s.Render(c, http.StatusOK, "offline", "offline.title", nil)
}

// manifest serves the web app manifest, in the user's language.
func (s *Server) manifest(c echo.Context) error {
	lang := LangOf(c)
	m := map[string]any{
		"name":             s.pages.cat.Get(lang, "app.name"),
		"short_name":       "Signaal",
		"description":      s.pages.cat.Get(lang, "app.description"),
		"lang":             string(lang),
		"start_url":        "/",
		"scope":            "/",
		"display":          "standalone",
		"background_color": "#ffffff",
		"theme_color":      "#0b3d91",
		"icons": []map[string]string{
			{"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
		},
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	c.Response().Header().Set(echo.HeaderContentType, "application/manifest+json")
	return c.JSON(http.StatusOK, m)
}

// renderError answers an error on a page request with an HTML page in the
// user's language; 401 goes to the login page.
func (s *Server) renderError(c echo.Context, status int, code signal.Code, rid string) {
	if status == http.StatusUnauthorized {
		if err := s.toLogin(c); err != nil {
			s.logger.Error("redirect to login", slog.Any("err", err))
		}
		return
	}
	key := "error." + string(code)
	if !s.pages.cat.Has(key) {
		key = "error.internal"
	}
	v := s.view(c, "error.title", map[string]any{"Message": key, "Status": status, "RequestID": rid})
	if err := s.render(c, status, "error", v); err != nil {
		s.logger.Error("render error page", slog.String("request_id", rid), slog.Any("err", err))
		_ = c.String(status, http.StatusText(status))
	}
}
