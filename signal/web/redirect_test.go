package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// hostileRedirects are redirect targets that a browser reads, or a server
// or proxy on the way may turn into, another site, or that smuggle
// characters into a header. Each must become "/".
var hostileRedirects = []struct{ name, in string }{
	{"empty", ""},
	{"absolute URL", "https://evil.example/"},
	{"scheme-relative", "//evil.example/"},
	{"backslash after slash", `/\evil.example`},
	{"backslashes", `/\\evil.example`},
	{"backslash later", `/a\b`},
	{"javascript scheme", "javascript:alert(1)"},
	{"data scheme", "data:text/html,x"},
	{"scheme without slashes", "https:evil.example"},
	{"relative path", "signalen"},
	{"tab between slashes", "/\t/evil.example"},
	{"newline between slashes", "/\n/evil.example"},
	{"carriage return", "/\r/evil.example"},
	{"header injection", "/x\r\nSet-Cookie: a=b"},
	{"space", "/ /evil.example"},
	{"leading space", " //evil.example"},
	{"NUL", "/\x00/evil.example"},
	{"DEL", "/\x7f/evil.example"},
	{"encoded tab", "/%09/evil.example"},
	{"encoded newline", "/%0a/evil.example"},
	{"encoded carriage return and line feed", "/x%0d%0aSet-Cookie:%20a=b"},
	{"encoded space", "/%20/evil.example"},
	{"encoded slashes", "/%2f%2fevil.example"},
	{"encoded slashes upper case", "/%2F%2Fevil.example"},
	{"encoded second slash", "/%2fevil.example"},
	{"encoded backslash", "/%5cevil.example"},
	{"double-encoded slashes", "/%252f%252fevil.example"},
	{"triple-encoded slash", "/%25252fevil.example"},
	{"double-encoded tab", "/%2509/evil.example"},
	{"malformed escape", "/%zz"},
	{"truncated escape", "/a%2"},
	{"non-ASCII slash (fullwidth solidus)", "/／evil.example"},
	{"encoded fullwidth solidus", "/%EF%BC%8Fevil.example"},
	{"non-breaking space", "/\u00a0/evil.example"},
	{"encoded non-breaking space", "/%C2%A0/evil.example"},
	{"encoded ideographic space", "/%E3%80%80/evil.example"},
	{"zero-width space", "/\u200b/evil.example"},
	{"encoded zero-width space", "/%E2%80%8B/evil.example"},
	{"right-to-left override", "/%E2%80%AEelpmaxe.live"},
	{"user info", "//user@evil.example"},
	{"too long", "/" + strings.Repeat("a", 3000)},
}

func TestSitePathRefusesEveryOtherSite(t *testing.T) {
	for _, c := range hostileRedirects {
		t.Run(c.name, func(t *testing.T) {
			if got := sitePath(c.in); got != "/" {
				t.Errorf("sitePath(%.80q) = %.80q, want \"/\"", c.in, got)
			}
		})
	}
}

func TestSitePathKeepsPathsOfThisSite(t *testing.T) {
	for _, p := range []string{
		"/",
		"/signalen",
		"/signalen?x=1",
		"/signalen/sig_abc",
		"/overleg/mtg_x#punt-2",
		"/privacy/audit?subject=yth_abc&from=2026-01-01",
		"/login?next=%2Fsignalen",
		"/signalen?q=a+b",
	} {
		if got := sitePath(p); got != p {
			t.Errorf("sitePath(%q) = %q, want it unchanged", p, got)
		}
	}
}

// TestRedirectsStayOnThisSite sends every hostile target through each
// door that redirects to a value from the request: the language switch
// (before any login), the login form's next and the login page's hidden
// field.
func TestRedirectsStayOnThisSite(t *testing.T) {
	e := newSignalsEnv(t)
	reporter := e.users["reporter"].Email
	for _, c := range hostileRedirects {
		t.Run(c.name, func(t *testing.T) {
			b := newBrowserClient(t, e.url)
			res := b.get("/taal?" + url.Values{"lang": {"en"}, "next": {c.in}}.Encode())
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
				t.Errorf("language switch: %d, Location %q, want 303 to /", res.status, res.header.Get("Location"))
			}
			page := b.get("/login?" + url.Values{"next": {c.in}}.Encode())
			if !strings.Contains(page.body, `name="next" value="/"`) {
				t.Errorf("login page keeps next %q", c.in)
			}
		})
	}
	// The login form: one login per target is slow (argon2id), so a few of
	// the worst.
	for _, in := range []string{"/\t/evil.example", "/%2f%2fevil.example", `/\evil.example`, "//evil.example"} {
		b := newBrowserClient(t, e.url)
		res := b.post("/login", url.Values{"email": {reporter}, "password": {testPassword}, "next": {in}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
			t.Errorf("login with next %q: %d, Location %q, want 303 to /", in, res.status, res.header.Get("Location"))
		}
	}
}
