package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
)

// TestPageFormsRefuseOtherOrigins: a form posted from a sibling site (a
// page on another port or subdomain of the same host: Sec-Fetch-Site
// same-site), from another site, or with a foreign Origin is refused even
// with the victim's valid CSRF token and session, and changes nothing.
func TestPageFormsRefuseOtherOrigins(t *testing.T) {
	e := newSignalsEnv(t)
	victim := e.users["reporter"]
	for _, c := range []struct{ name, site, origin string }{
		{"same-site page", "same-site", ""},
		{"cross-site page", "cross-site", ""},
		{"foreign Origin without Fetch Metadata", "", "http://localhost:1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newBrowserClient(t, e.url)
			b.login(victim.Email)
			page := b.get("/signalen")
			m := regexp.MustCompile(`action="/logout/everywhere"[^>]*><input type="hidden" name="_csrf" value="([^"]+)"`).FindStringSubmatch(page.body)
			if m == nil {
				t.Fatalf("no form with a token on the page")
			}
			b.site = c.site
			form := url.Values{"_csrf": {m[1]}}
			var res pageResponse
			if c.origin != "" {
				res = b.postWithOrigin("/logout/everywhere", form, c.origin)
			} else {
				res = b.post("/logout/everywhere", form)
			}
			if res.status != http.StatusForbidden {
				t.Fatalf("POST from a %s: %d; want 403", c.name, res.status)
			}
			b.site = "same-origin"
			if res := b.get("/signalen"); res.status != http.StatusOK {
				t.Fatalf("the session after the refused POST: %d; want it alive", res.status)
			}
		})
	}
	for _, a := range e.auditActions() {
		if strings.HasPrefix(string(a), string(signal.ActionLogoutEverywhere)) {
			t.Fatalf("a refused POST was carried out: %s", a)
		}
	}
}

// postWithOrigin posts form as a browser without Fetch Metadata that sends
// an Origin header.
func (b *browserClient) postWithOrigin(path string, form url.Values, origin string) pageResponse {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	return b.send(req)
}

// TestPageTokenIsBoundToTheSession: for a browser that sends no Fetch
// Metadata and no Origin (so the token alone decides), the CSRF token must
// be the victim's session's. Issue 18 found a double-submit cookie: a
// sibling site that sets the cookie to a value of its choosing posts that
// value in the form and gets through. Neither that, nor the attacker's own
// session's token, nor a token of the victim's earlier session is
// accepted; the victim's own current token is.
func TestPageTokenIsBoundToTheSession(t *testing.T) {
	e := newSignalsEnv(t)
	victim := e.users[signal.RoleReporter]
	attacker := newBrowserClient(t, e.url)
	attacker.login(e.users[signal.RoleCoordinator].Email)
	attackerToken := attacker.token("/")

	b := newBrowserClient(t, e.url)
	b.login(victim.Email)
	earlier := b.token("/")
	b.login(victim.Email) // a new session of the same account
	current := b.token("/")
	if earlier == current {
		t.Fatalf("two sessions have the same token %q", current)
	}
	u, _ := url.Parse(e.url)
	// What a page on another port or subdomain can do: set a cookie of
	// its own choosing for this host (the old double-submit cookie's name).
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "signaal_csrf", Value: "chosen-by-the-attacker", Path: "/"}})
	b.site = ""
	for _, c := range []struct{ name, token string }{
		{"a double-submit value the attacker set as a cookie", "chosen-by-the-attacker"},
		{"the attacker's own session's token", attackerToken},
		{"the victim's token of an earlier session", earlier},
		{"no token", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := b.post("/logout/everywhere", url.Values{CSRFField: {c.token}})
			if res.status != http.StatusForbidden {
				t.Fatalf("POST /logout/everywhere with %s: %d; want 403", c.name, res.status)
			}
			if res := b.get("/signalen"); res.status != http.StatusOK {
				t.Fatalf("the victim's session after the refused POST: %d", res.status)
			}
		})
	}
	for _, a := range e.auditActions() {
		if strings.HasPrefix(a, string(signal.ActionLogoutEverywhere)) {
			t.Fatalf("a forged POST was carried out: %s", a)
		}
	}
	if res := b.post("/logout/everywhere", url.Values{CSRFField: {current}}); res.status != http.StatusSeeOther {
		t.Fatalf("the victim's own token: %d; want 303", res.status)
	}
}

// TestLoginFormNeedsItsOwnNonce: login CSRF, for a browser without Fetch
// Metadata. The attacker fetches a login form for themselves and makes the
// victim's browser post it with the attacker's address and password, to
// log the victim in to the attacker's account (whatever the victim then
// records, the attacker reads). The form's token is bound to the login
// nonce cookie of the browser that loaded the form, so it fails in the
// victim's browser, also when a sibling site set the old double-submit
// cookie to the attacker's token.
func TestLoginFormNeedsItsOwnNonce(t *testing.T) {
	e := newSignalsEnv(t)
	attackerEmail := "elsewhere@example.nl"
	attacker := newBrowserClient(t, e.url)
	stolen := attacker.token("/login")
	u, _ := url.Parse(e.url)
	logins := loginsOf(e, e.ids["elsewhere"])
	if logins == 0 {
		t.Fatal("the set-up's login of the attacker's account is not counted")
	}
	for _, c := range []struct {
		name  string
		setup func(b *browserClient)
	}{
		{"a victim who never opened the login page", func(*browserClient) {}},
		{"a victim with the login page open", func(b *browserClient) { b.get("/login") }},
		{"a victim whose double-submit cookie a sibling site set", func(b *browserClient) {
			b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "signaal_csrf", Value: stolen, Path: "/"}})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newBrowserClient(t, e.url)
			c.setup(b)
			b.site = ""
			res := b.post("/login", url.Values{"email": {attackerEmail}, "password": {testPassword}, "next": {"/"}, CSRFField: {stolen}})
			if res.status != http.StatusForbidden {
				t.Fatalf("a login form of another browser: %d; want 403", res.status)
			}
			if ck := cookieNamed(res.header, CookieName); ck != nil && ck.Value != "" {
				t.Fatalf("the victim's browser got a session: %+v", ck)
			}
		})
	}
	if after := loginsOf(e, e.ids["elsewhere"]); after != logins {
		t.Fatalf("a forged form logged in to the attacker's account: %d logins, %d before", after, logins)
	}
	// The attacker's form works in the attacker's own browser.
	attacker.site = ""
	if res := attacker.post("/login", url.Values{"email": {attackerEmail}, "password": {testPassword}, "next": {"/"}, CSRFField: {stolen}}); res.status != http.StatusSeeOther {
		t.Fatalf("the login form in its own browser: %d; want 303", res.status)
	}
	if n := loginsOf(e, e.ids["elsewhere"]); n != logins+1 {
		t.Fatalf("%d logins after the attacker's own; want %d", n, logins+1)
	}
}

// TestCookiesAreHostPrefixed: every cookie Signaal sets carries the
// __Host- prefix and its rules (Secure, Path=/, no Domain), so a sibling
// subdomain can neither set nor overwrite it; the demo on plain
// http://127.0.0.1 keeps working because browsers treat loopback as a
// secure context (TestBrowserSameSiteFormsChangeNothing logs in that way
// in Chromium).
// TestLoginNonceIsClearedAfterLogin: the login form's nonce cookie lives
// only until the login succeeds (issue 18): a wrong password keeps it for
// the next try, a login deletes it, and the form shown before the login
// cannot be posted again from that browser, also after a logout.
func TestLoginNonceIsClearedAfterLogin(t *testing.T) {
	e := newSignalsEnv(t)
	b := newBrowserClient(t, e.url)
	u, _ := url.Parse(e.url)
	has := func() bool {
		for _, ck := range b.c.Jar.Cookies(u) {
			if ck.Name == LoginCookie {
				return true
			}
		}
		return false
	}
	form := b.token("/login")
	if !has() {
		t.Fatal("the login page set no nonce cookie")
	}
	email := e.users[signal.RoleReporter].Email
	if res := b.post("/login", url.Values{"email": {email}, "password": {"wrong"}, "next": {"/"}, CSRFField: {form}}); res.status != http.StatusUnauthorized || !has() {
		t.Fatalf("a wrong password: %d, nonce kept %v; want 401 and the nonce kept", res.status, has())
	}
	res := b.post("/login", url.Values{"email": {email}, "password": {testPassword}, "next": {"/"}, CSRFField: {form}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("login: %d", res.status)
	}
	if ck := cookieNamed(res.header, LoginCookie); ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("the login's answer does not delete the nonce cookie: %+v", ck)
	}
	if has() {
		t.Fatal("the browser still holds the login nonce after the login")
	}
	b.post("/logout", url.Values{})
	if res := b.post("/login", url.Values{"email": {email}, "password": {testPassword}, "next": {"/"}, CSRFField: {form}}); res.status != http.StatusForbidden {
		t.Fatalf("the login form from before the login, posted again after a logout: %d; want 403", res.status)
	}
	if res := b.post("/login", url.Values{"email": {email}, "password": {testPassword}, "next": {"/"}}); res.status != http.StatusSeeOther {
		t.Fatalf("a fresh login form after the logout: %d; want 303", res.status)
	}
}

func TestCookiesAreHostPrefixed(t *testing.T) {
	e := newSignalsEnv(t)
	var set []*http.Cookie
	collect := func(h http.Header) { set = append(set, (&http.Response{Header: h}).Cookies()...) }
	b := newBrowserClient(t, e.url)
	collect(b.get("/taal?lang=en&next=%2Flogin").header)
	collect(b.get("/login").header)
	collect(b.post("/login", url.Values{"email": {e.users[signal.RoleReporter].Email}, "password": {testPassword}, "next": {"/"}}).header)
	collect(b.post("/logout", url.Values{}).header)
	collect(e.login(e.users[signal.RoleReporter].Email, testPassword).header)
	names := map[string]bool{}
	for _, ck := range set {
		names[ck.Name] = true
		if !strings.HasPrefix(ck.Name, "__Host-") || !ck.Secure || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie %s: Secure=%v Path=%q Domain=%q; want __Host-, Secure, Path=/, no Domain", ck.Name, ck.Secure, ck.Path, ck.Domain)
		}
	}
	for _, want := range []string{CookieName, DeviceCookie, LoginCookie, LangCookie} {
		if !names[want] {
			t.Errorf("cookie %s was never set (set: %v)", want, names)
		}
	}
}

// TestLoginOverPlainHTTPBeyondLoopback: over plain HTTP at a name that is
// not loopback, with no TLS proxy in front, a browser would drop the
// Secure session cookie; the login page says a secure connection is
// needed and the form refuses before checking the password. Behind a TLS
// proxy (X-Forwarded-Proto: https) the login works.
func TestLoginOverPlainHTTPBeyondLoopback(t *testing.T) {
	e := newSignalsEnv(t)
	email := e.users[signal.RoleReporter].Email
	send := func(method, path string, form url.Values, proto string) pageResponse {
		var body *strings.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, _ := http.NewRequest(method, e.url+path, body)
		req.Host = "signaal.gemeente.example"
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		return newBrowserClient(t, e.url).send(req)
	}
	page := send("GET", "/login", nil, "")
	if page.status != http.StatusOK || !strings.Contains(page.body, "beveiligde verbinding (https://)") {
		t.Fatalf("the login page over plain HTTP: %d\n%s", page.status, page.body)
	}
	before := len(e.auditActions())
	res := send("POST", "/login", url.Values{"email": {email}, "password": {testPassword}}, "")
	if res.status != http.StatusForbidden || cookieNamed(res.header, CookieName) != nil {
		t.Fatalf("a login over plain HTTP: %d, cookie %v; want 403 without a session", res.status, cookieNamed(res.header, CookieName))
	}
	if n := len(e.auditActions()); n != before {
		t.Fatalf("the password was checked over plain HTTP: %v", e.auditActions()[before:])
	}
	if page := send("GET", "/login", nil, "https"); strings.Contains(page.body, "beveiligde verbinding") {
		t.Fatalf("behind a TLS proxy the login page still asks for HTTPS")
	}
}

// loginsOf counts the audited successful logins of an account.
func loginsOf(e *signalsEnv, userID string) int {
	n := 0
	for _, a := range e.auditActions() {
		if strings.HasPrefix(a, string(signal.ActionLoginOK)+" "+userID+" ") {
			n++
		}
	}
	return n
}
