package web

import (
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
)

// browserClient is an HTTP client that keeps cookies and does not follow
// redirects, and sends the Fetch Metadata a browser sends for our own forms.
// Like a person filling in our forms, it posts the CSRF token of the last
// page it saw (a form that has a _csrf field, even empty, is sent as is).
type browserClient struct {
	t    *testing.T
	base string
	c    *http.Client
	site string // Sec-Fetch-Site of unsafe requests; "" sends none
	csrf string // the _csrf of the last page seen
}

func newBrowserClient(t *testing.T, base string) *browserClient {
	jar, _ := cookiejar.New(nil)
	return &browserClient{t: t, base: base, site: "same-origin", c: &http.Client{
		Jar:           loopbackJar{jar},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// loopbackJar keeps cookies as a browser does for loopback: http://127.0.0.1
// and http://localhost are secure contexts, so Secure (and __Host-)
// cookies are kept and sent there over plain HTTP. Go's cookiejar sends
// Secure cookies over https only.
type loopbackJar struct{ http.CookieJar }

func (j loopbackJar) url(u *url.URL) *url.URL {
	if u.Scheme == "http" && loopbackHost(u.Host) {
		v := *u
		v.Scheme = "https"
		return &v
	}
	return u
}

func (j loopbackJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	j.CookieJar.SetCookies(j.url(u), cookies)
}

func (j loopbackJar) Cookies(u *url.URL) []*http.Cookie { return j.CookieJar.Cookies(j.url(u)) }

var csrfFieldRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// token returns the CSRF token for a post to path: the login page's for
// /login, else that of the last page seen, else of the start page.
func (b *browserClient) token(path string) string {
	b.t.Helper()
	if path == "/login" || b.csrf == "" {
		p := "/"
		if path == "/login" {
			p = "/login"
		}
		res := b.get(p)
		if loc := res.header.Get("Location"); res.status == http.StatusSeeOther && strings.HasPrefix(loc, "/") {
			b.get(loc)
		}
	}
	return b.csrf
}

type pageResponse struct {
	status int
	header http.Header
	body   string
}

func (b *browserClient) get(path string) pageResponse {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.send(req)
}

func (b *browserClient) post(path string, form url.Values) pageResponse {
	b.t.Helper()
	if _, ok := form[CSRFField]; !ok {
		form = cloneValues(form)
		form.Set(CSRFField, b.token(path))
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if b.site != "" {
		req.Header.Set("Sec-Fetch-Site", b.site)
	}
	return b.send(req)
}

func (b *browserClient) send(req *http.Request) pageResponse {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if m := csrfFieldRE.FindStringSubmatch(sb.String()); m != nil {
		b.csrf = m[1]
	}
	if req.URL.Path == "/login" && res.StatusCode == http.StatusSeeOther {
		b.csrf = "" // a new session, a new token
	}
	return pageResponse{status: res.StatusCode, header: res.Header, body: sb.String()}
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// login logs in through the login form as email.
func (b *browserClient) login(email string) {
	b.t.Helper()
	res := b.post("/login", url.Values{"email": {email}, "password": {testPassword}, "next": {"/"}})
	if res.status != http.StatusSeeOther {
		b.t.Fatalf("login as %s: status %d: %s", email, res.status, res.body)
	}
}

func TestCatalogueHasEveryKeyTheTemplatesUse(t *testing.T) {
	cat, err := loadCatalogue(messageFiles)
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	files, _ := fs.Glob(templateFiles, "templates/*.html")
	for _, f := range files {
		data, _ := fs.ReadFile(templateFiles, f)
		for _, m := range key.FindAllStringSubmatch(string(data), -1) {
			if !cat.Has(m[1]) {
				t.Errorf("%s uses %q, which is not in the catalogue", f, m[1])
			}
		}
	}
}

func TestLoginPage(t *testing.T) {
	e := newSignalsEnv(t)
	reporter := e.users["reporter"].Email

	t.Run("a page without a session goes to the login page and back", func(t *testing.T) {
		b := newBrowserClient(t, e.url)
		res := b.get("/signalen")
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login?next=%2Fsignalen" {
			t.Fatalf("status %d, Location %q", res.status, res.header.Get("Location"))
		}
		page := b.get("/login?next=%2Fsignalen")
		if page.status != 200 || !strings.Contains(page.body, `<html lang="nl">`) || !strings.Contains(page.body, "Inloggen") {
			t.Fatalf("login page: %d %s", page.status, page.body)
		}
		if !strings.Contains(page.body, `name="next" value="/signalen"`) {
			t.Fatalf("login page does not come back to /signalen")
		}
		res = b.post("/login", url.Values{"email": {reporter}, "password": {testPassword}, "next": {"/signalen"}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/signalen" {
			t.Fatalf("login: %d %q %s", res.status, res.header.Get("Location"), res.body)
		}
		if home := b.get("/signalen"); home.status != 200 {
			t.Fatalf("after login: %d", home.status)
		}
	})

	cases := []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"empty form names both fields", url.Values{}, 400,
			[]string{`href="#f-email">Vul je e-mailadres in`, `href="#f-password">Vul je wachtwoord in`, `aria-invalid="true"`}},
		{"a wrong password says so without telling which part", url.Values{"email": {reporter}, "password": {"nope"}}, 401,
			[]string{"Het e-mailadres of wachtwoord klopt niet"}},
		{"an email address that is not one", url.Values{"email": {"nope"}, "password": {"x"}}, 400,
			[]string{"Vul een e-mailadres in zoals"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBrowserClient(t, e.url)
			res := b.post("/login", c.form)
			if res.status != c.status {
				t.Fatalf("status %d, want %d", res.status, c.status)
			}
			for _, w := range c.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("page lacks %q:\n%s", w, res.body)
				}
			}
			if !strings.Contains(res.body, `class="error-summary"`) {
				t.Errorf("no error summary")
			}
		})
	}

	t.Run("a cross-site form post is refused", func(t *testing.T) {
		b := newBrowserClient(t, e.url)
		b.site = "cross-site"
		res := b.post("/login", url.Values{"email": {reporter}, "password": {testPassword}})
		if res.status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", res.status)
		}
	})
	t.Run("without Fetch Metadata the form needs the CSRF token of its login nonce", func(t *testing.T) {
		b := newBrowserClient(t, e.url)
		b.site = ""
		page := b.get("/login")
		tok := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page.body)
		if tok == nil {
			t.Fatal("no CSRF field")
		}
		if res := b.post("/login", url.Values{"email": {reporter}, "password": {testPassword}, "_csrf": {""}}); res.status != http.StatusBadRequest && res.status != http.StatusForbidden {
			t.Fatalf("without token: status %d", res.status)
		}
		if res := b.post("/login", url.Values{"email": {reporter}, "password": {testPassword}, "_csrf": {tok[1]}}); res.status != http.StatusSeeOther {
			t.Fatalf("with token: status %d", res.status)
		}
	})
	t.Run("logout ends the session", func(t *testing.T) {
		b := newBrowserClient(t, e.url)
		b.login(reporter)
		if res := b.post("/logout", url.Values{}); res.status != http.StatusSeeOther {
			t.Fatalf("logout: %d", res.status)
		}
		if res := b.get("/signalen"); res.status != http.StatusSeeOther {
			t.Fatalf("after logout: %d", res.status)
		}
	})
}

func TestLanguageSwitch(t *testing.T) {
	e := newEnv(t, nil)
	b := newBrowserClient(t, e.url)
	res := b.get("/taal?lang=en&next=%2Flogin")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login" {
		t.Fatalf("switch: %d %q", res.status, res.header.Get("Location"))
	}
	page := b.get("/login")
	if !strings.Contains(page.body, `<html lang="en">`) || !strings.Contains(page.body, "Log in with your work email") {
		t.Fatalf("not English:\n%s", page.body)
	}
	if !strings.Contains(page.body, `lang="nl" hreflang="nl">Nederlands</a>`) {
		t.Fatalf("no way back to Dutch")
	}
	if res := b.get("/taal?lang=en&next=https%3A%2F%2Fevil.example"); res.header.Get("Location") != "/" {
		t.Fatalf("open redirect: %q", res.header.Get("Location"))
	}
}

func TestStaticFilesAreCachedByContentHash(t *testing.T) {
	e := newEnv(t, nil)
	b := newBrowserClient(t, e.url)
	page := b.get("/login")
	m := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no versioned stylesheet link")
	}
	res := b.get(m[1])
	if res.status != 200 || res.header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(res.header.Get("Content-Type"), "text/css") {
		t.Fatalf("versioned: %d %q %q", res.status, res.header.Get("Cache-Control"), res.header.Get("Content-Type"))
	}
	req, _ := http.NewRequest(http.MethodGet, e.url+m[1], nil)
	req.Header.Set("Accept-Encoding", "gzip")
	if gz := b.send(req); gz.header.Get("Content-Encoding") != "gzip" || len(gz.body) >= len(res.body) {
		t.Fatalf("gzip: %q, %d bytes for %d", gz.header.Get("Content-Encoding"), len(gz.body), len(res.body))
	}
	if res := b.get("/static/app.css?v=old"); res.header.Get("Cache-Control") != "public, max-age=300" {
		t.Fatalf("stale version cached long: %q", res.header.Get("Cache-Control"))
	}
	if res := b.get("/static/../pages.go"); res.status != 404 {
		t.Fatalf("path escape: %d", res.status)
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP %q", csp)
	}
	if res := b.get("/sw.js"); res.status != 200 || res.header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("sw.js: %d %q", res.status, res.header.Get("Cache-Control"))
	}
	if res := b.get("/manifest.webmanifest"); res.status != 200 || !strings.Contains(res.body, `"start_url":"/"`) {
		t.Fatalf("manifest: %d %s", res.status, res.body)
	}
}

// The pages name every value of the domain's enums through the catalogue
// (category.<v>, outcome.<v>, …): each must have its text in both languages.
func TestCatalogueNamesEveryDomainValue(t *testing.T) {
	cat, err := loadCatalogue(messageFiles)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, v := range signal.Categories {
		keys = append(keys, "category."+string(v))
	}
	for _, v := range signal.Outcomes {
		keys = append(keys, "outcome."+string(v))
	}
	for _, v := range signal.Levels {
		keys = append(keys, "level."+string(v), "level.short."+string(v))
	}
	for _, v := range signal.Fields {
		keys = append(keys, "field."+string(v))
	}
	for _, v := range signal.Obligations {
		keys = append(keys, "obligation."+string(v))
	}
	for _, v := range signal.RecipientRoles {
		keys = append(keys, "recipient."+string(v))
	}
	for _, v := range signal.RestrictionGrounds {
		keys = append(keys, "restriction.ground."+string(v))
	}
	for _, v := range signal.RefusalGrounds {
		keys = append(keys, "erasure.ground."+string(v))
	}
	for _, v := range signal.RequestErasureReasons {
		keys = append(keys, "privacy.reason."+string(v))
	}
	for _, v := range []signal.Status{signal.StatusDraft, signal.StatusDecided} {
		keys = append(keys, "status."+string(v))
	}
	for _, c := range []signal.Code{signal.CodeInvalid, signal.CodeTooLarge, signal.CodeUnauthorized, signal.CodeForbidden,
		signal.CodeNotFound, signal.CodeConflict, signal.CodeTooMany, signal.CodeUnavailable, signal.CodeInternal} {
		keys = append(keys, "error."+string(c))
	}
	for _, k := range keys {
		if !cat.Has(k) {
			t.Errorf("the catalogue has no %q", k)
		}
	}
}
