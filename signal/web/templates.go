package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
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
	// Outbox tags the phone's outbox entries of the logged-in reporter
	// (signal.PhoneOutbox.Account): app.js shows, sends and decrypts only
	// those. Empty on other pages.
	Outbox string

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
// Ground returns a policy reason in words for a given reader: the
// catalogue's prefix+code text (as "youth.ground." for the young person's
// copy) or, for a reason the catalogue does not know, the policy's own
// sentence.
func (v *View) Ground(prefix string, r signal.Reason) string {
	if v.cat.Has(prefix + r.Code) {
		return v.cat.Get(v.Lang, prefix+r.Code)
	}
	return v.Pick(r.NL, r.EN)
}

func (v *View) Pick(nl, en string) string {
	if v.Lang == LangEN {
		return en
	}
	return nl
}

// FieldID is the HTML id of the form field name (dots are not welcome in
// CSS selectors, so "youth.birth_date" becomes "f-youth-birth_date").
func (v *View) FieldID(name string) string { return FieldID(name) }

// ReadablePseudonym is the one form in which the console shows a young
// person's pseudonym, on every page: all 64 hex digits (the review's
// subject filter takes nothing shorter), in eight groups of eight, so an
// officer can read it aloud and compare it; pasted back into a filter the
// spaces are ignored (SubjectParam).
func ReadablePseudonym(p string) string {
	if !pseudonymPattern.MatchString(p) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i += 8 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p[i : i+8])
	}
	return b.String()
}

// SubjectParam reads a pseudonym as typed or pasted: in the readable form
// (groups with spaces) or in one piece.
func SubjectParam(v string) string { return strings.Join(strings.Fields(v), "") }

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
	"list":      func(xs ...any) []any { return xs },
	"pseudonym": ReadablePseudonym,
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
	// telnum is a phone number as a tel: link wants it: its digits and a
	// leading +, without the spaces, dashes and brackets people write.
	"telnum": func(phone string) string {
		phone = strings.TrimSpace(phone)
		if strings.HasPrefix(phone, "+") {
			phone = strings.Replace(phone, "(0)", "", 1) // +31 (0)6 …: the 0 is not dialled from abroad
		}
		var b strings.Builder
		for i, r := range phone {
			if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
				b.WriteRune(r)
			}
		}
		return b.String()
	},
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
	if err := p.loadStatic(); err != nil {
		return nil, err
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
		if u.Role == signal.RoleReporter {
			if ob, err := s.users.OutboxKey(signalActor(c)); err == nil {
				v.Outbox = ob.Account
			}
		}
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
	if backForwardPages[name] && v.User == nil && v.CSRF == "" {
		c.Response().Header().Set("Cache-Control", "private, no-cache")
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// Render renders the page name for the request with data as View.Data and
// title as the title's catalogue key. Page handlers of every area use it.
func (s *Server) Render(c echo.Context, status int, name, title string, data any) error {
	return s.render(c, status, name, s.view(c, title, data))
}
