package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
)

// rawGet asks for path as a browser does, with Accept-Encoding: gzip set
// by hand (so Go's client leaves the body as it came), the Fetch Metadata
// site (none if ""), and b's cookies unless noCookies. It returns the
// response, the body as it came over the wire and the body decoded.
func rawGet(t *testing.T, b *browserClient, path, site string, noCookies bool) (*http.Response, []byte, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	if site != "" {
		req.Header.Set("Sec-Fetch-Site", site)
	}
	c := b.c
	if noCookies {
		c = &http.Client{CheckRedirect: b.c.CheckRedirect}
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	wire, _ := io.ReadAll(res.Body)
	body := wire
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(wire))
		if err != nil {
			t.Fatalf("GET %s: gzip: %v", path, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("GET %s: gzip: %v", path, err)
		}
	}
	return res, wire, string(body)
}

func pageToken(t *testing.T, path, body string) string {
	t.Helper()
	m := csrfFieldRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s has no _csrf field", path)
	}
	return m[1]
}

// TestCSRFTokenMaskedInEveryResponse: the pages never carry the CSRF token
// itself but the token masked with a fresh random pad (compress.go), so no
// two responses of the same page hold the same token bytes and a guess in
// a reflected parameter can never match them; the masked token of any
// response is accepted, a changed one refused.
func TestCSRFTokenMaskedInEveryResponse(t *testing.T) {
	e := newSignalsEnv(t)
	b := newBrowserClient(t, e.url)

	// Before login: the login form's token, bound to the nonce cookie.
	_, _, login1 := rawGet(t, b, "/login", "none", false)
	_, _, login2 := rawGet(t, b, "/login", "none", false)
	l1, l2 := pageToken(t, "/login", login1), pageToken(t, "/login", login2)
	if l1 == l2 {
		t.Fatalf("two responses of the login page carry the same token %q", l1)
	}
	u, _ := url.Parse(e.url)
	var nonce string
	for _, ck := range b.c.Jar.Cookies(u) {
		if ck.Name == LoginCookie {
			nonce = ck.Value
		}
	}
	raw := e.accounts.LoginFormToken(nonce)
	if nonce == "" || unmaskToken(l1) != raw || unmaskToken(l2) != raw {
		t.Fatalf("the login page's tokens do not stand for the nonce's token")
	}
	if strings.Contains(login1, raw) || strings.Contains(login2, raw) {
		t.Fatalf("the login page carries the token itself")
	}

	// After login: the session's token, on every page.
	b.login(e.users[signal.RoleReporter].Email)
	_, _, p1 := rawGet(t, b, "/signalen", "same-origin", false)
	_, _, p2 := rawGet(t, b, "/signalen", "same-origin", false)
	t1, t2 := pageToken(t, "/signalen", p1), pageToken(t, "/signalen", p2)
	if t1 == t2 {
		t.Fatalf("two responses of /signalen carry the same token %q", t1)
	}
	if unmaskToken(t1) != unmaskToken(t2) || unmaskToken(t1) == "" {
		t.Fatalf("the two masked tokens stand for different tokens")
	}
	if secret := unmaskToken(t1); strings.Contains(p1, secret) || strings.Contains(p2, secret) {
		t.Fatalf("the page carries the token itself")
	}

	wrong := []byte(t1)
	wrong[len(wrong)/2] ^= 1 // one bit of the masked token
	for _, c := range []struct{ name, token string }{
		{"a changed masked token", string(wrong)},
		{"the token unmasked (never on a page)", unmaskToken(t1)},
		{"another response's pad with this one's masked token", t2[:len(t2)/2] + t1[len(t1)/2:]},
	} {
		if res := b.post("/logout", url.Values{CSRFField: {c.token}}); res.status != http.StatusForbidden {
			t.Fatalf("POST /logout with %s: %d, want 403", c.name, res.status)
		}
	}
	if res := b.get("/signalen"); res.status != http.StatusOK {
		t.Fatalf("the session after the refused posts: %d", res.status)
	}
	// The first response's masked token, after others were handed out.
	if res := b.post("/logout", url.Values{CSRFField: {t1}}); res.status != http.StatusSeeOther {
		t.Fatalf("POST /logout with the masked token of an earlier response: %d, want 303", res.status)
	}
	if res := b.get("/signalen"); res.status != http.StatusSeeOther {
		t.Fatalf("still logged in after logout: %d", res.status)
	}
}

// TestResponsesCompressedOnlyWhereSafe: pages, JSON and static files come
// gzip-compressed to our own requests; a request another site's page can
// make the browser send with the victim's cookies (Sec-Fetch-Site
// cross-site or same-site, or a cookie without Fetch Metadata) gets the
// page uncompressed, so a guess reflected beside a secret cannot change
// the length on the wire (BREACH).
func TestResponsesCompressedOnlyWhereSafe(t *testing.T) {
	e := newSignalsEnv(t)
	b := newBrowserClient(t, e.url)
	b.login(e.users[signal.RoleReporter].Email)

	for _, c := range []struct {
		name, path, site string
		noCookies        bool
	}{
		{"the login page, typed", "/login", "none", true},
		{"a page of the reporter's, from our own page", "/signalen/nieuw", "same-origin", false},
		{"the home page, typed", "/signalen", "none", false},
		{"the API's description, a program without cookies", "/api/v1/openapi.yaml", "", true},
		{"a static file", "/static/app.css", "cross-site", false},
	} {
		t.Run("compressed: "+c.name, func(t *testing.T) {
			res, wire, body := rawGet(t, b, c.path, c.site, c.noCookies)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("GET %s: %d, Content-Encoding %q; want 200 gzip", c.path, res.StatusCode, res.Header.Get("Content-Encoding"))
			}
			if vary := strings.Join(res.Header.Values("Vary"), ", "); !strings.Contains(vary, "Accept-Encoding") {
				t.Errorf("Vary %q lacks Accept-Encoding", vary)
			}
			if len(wire)*2 > len(body) {
				t.Errorf("%d bytes on the wire for %d: not compressed to half", len(wire), len(body))
			}
			t.Logf("%s: %d bytes, %d gzipped", c.path, len(body), len(wire))
		})
	}

	// A page that reflects a query parameter (the login page's next) and
	// holds a secret (the form token), and a logged-in page with a young
	// person's names (the new-signal form lists earlier ones).
	u, _ := url.Parse(e.url)
	a := newBrowserClient(t, e.url) // a visitor, with the login nonce cookie
	a.get("/login")
	var nonce string
	for _, ck := range a.c.Jar.Cookies(u) {
		if ck.Name == LoginCookie {
			nonce = ck.Value
		}
	}
	secret := e.accounts.LoginFormToken(nonce)
	for _, site := range []string{"cross-site", "same-site", ""} {
		t.Run("not compressed: Sec-Fetch-Site "+site, func(t *testing.T) {
			var lengths []int
			for _, guess := range []string{secret[:16], strings.Repeat("x", 16)} {
				path := "/login?next=" + url.QueryEscape("/signalen?q="+guess)
				res, wire, body := rawGet(t, a, path, site, false)
				if enc := res.Header.Get("Content-Encoding"); enc != "" {
					t.Fatalf("GET %s (%q) with cookies: Content-Encoding %q", path, site, enc)
				}
				if !strings.Contains(body, guess) {
					t.Fatalf("the login page does not reflect next: the test proves nothing")
				}
				lengths = append(lengths, len(wire))
			}
			// The right guess and a wrong one cost the same on the wire.
			if lengths[0] != lengths[1] {
				t.Fatalf("the right guess and a wrong one: %d and %d bytes", lengths[0], lengths[1])
			}
			res, _, body := rawGet(t, b, "/signalen/nieuw?q=x", site, false)
			if enc := res.Header.Get("Content-Encoding"); enc != "" || res.StatusCode != http.StatusOK || !strings.Contains(body, "_csrf") {
				t.Fatalf("GET /signalen/nieuw (%q) with cookies: %d, Content-Encoding %q", site, res.StatusCode, enc)
			}
		})
	}
}
