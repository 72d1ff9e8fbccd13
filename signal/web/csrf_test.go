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
