package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
)

// TestOneAnswerForEveryMissingSession: whether the token is missing,
// forged, logged out or of an account that was disabled since, the answer
// is the same 401 with the same message, so an old token does not tell its
// holder that the account was disabled.
func TestOneAnswerForEveryMissingSession(t *testing.T) {
	e := newEnv(t, nil)
	loggedOut := e.token(signal.RoleReporter)
	if res := e.do("POST", "/api/v1/logout", loggedOut, nil); res.status != 204 {
		t.Fatalf("logout: %d", res.status)
	}
	disabled := e.token(signal.RoleCoordinator)
	if err := e.accounts.SetUserDisabled(context.Background(), cliActor, e.users[signal.RoleCoordinator].Email, true); err != nil {
		t.Fatal(err)
	}
	var first errorDetail
	for i, c := range []struct{ name, token string }{
		{"no token", ""},
		{"forged token", "eyJhbGciOiJFZERTQSJ9.e30.c2lnbmF0dXJl"},
		{"logged-out token", loggedOut},
		{"token of a disabled account", disabled},
	} {
		res := e.do("GET", "/api/v1/me", c.token, nil)
		if res.status != http.StatusUnauthorized {
			t.Fatalf("%s: %d; want 401", c.name, res.status)
		}
		got := res.errorBody(t)
		if i == 0 {
			first = got
			continue
		}
		if got.Code != first.Code || got.Message != first.Message {
			t.Errorf("%s: %q %q; want the same answer as without a token: %q %q", c.name, got.Code, got.Message, first.Code, first.Message)
		}
	}
}

// TestAuditRecordsTheServersRequestID: the request id in an audit entry is
// made by the server; a caller's X-Request-ID is recorded beside it,
// marked as the caller's, and the answer names the server's.
func TestAuditRecordsTheServersRequestID(t *testing.T) {
	e := newEnv(t, nil)
	b, _ := json.Marshal(map[string]string{"email": e.users[signal.RoleReporter].Email, "password": testPassword})
	res := e.do("POST", "/api/v1/login", "", bytes.NewReader(b), "X-Request-ID", "chosen-by-the-caller")
	if res.status != 200 {
		t.Fatalf("login: %d %s", res.status, res.body)
	}
	server := res.header.Get("X-Request-Id")
	var recorded string
	if err := e.app.DB.Read().QueryRow(`SELECT origin_request FROM audit_entries WHERE action = ? ORDER BY seq DESC LIMIT 1`,
		string(signal.ActionLoginOK)).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if server == "" || server == "chosen-by-the-caller" || recorded != server+"+client:chosen-by-the-caller" {
		t.Fatalf("audit request id %q, answered %q; want the server's id with the caller's marked beside it", recorded, server)
	}
	// Without a caller's id, the server's alone.
	res = e.do("POST", "/api/v1/login", "", bytes.NewReader(b))
	if err := e.app.DB.Read().QueryRow(`SELECT origin_request FROM audit_entries WHERE action = ? ORDER BY seq DESC LIMIT 1`,
		string(signal.ActionLoginOK)).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if recorded != res.header.Get("X-Request-Id") || strings.Contains(recorded, "client") {
		t.Fatalf("audit request id %q; want the server's %q", recorded, res.header.Get("X-Request-Id"))
	}
}

// TestLogoutEverywhere: one account's sessions on every device end at
// once, through the API and through the page's button; other accounts
// keep theirs; a new login works.
func TestLogoutEverywhere(t *testing.T) {
	e := newEnv(t, nil)
	phone, laptop := e.token(signal.RoleReporter), e.token(signal.RoleReporter)
	other := e.token(signal.RoleCoordinator)
	if res := e.do("POST", "/api/v1/logout/everywhere", phone, nil); res.status != 204 {
		t.Fatalf("logout everywhere: %d %s", res.status, res.body)
	}
	for name, tok := range map[string]string{"this session": phone, "the laptop's": laptop} {
		if res := e.do("GET", "/api/v1/me", tok, nil); res.status != 401 {
			t.Errorf("%s after logout everywhere: %d; want 401", name, res.status)
		}
	}
	if res := e.do("GET", "/api/v1/me", other, nil); res.status != 200 {
		t.Errorf("another account's session: %d; want 200", res.status)
	}
	if got := e.auditActions(); !strings.HasPrefix(got[len(got)-2], string(signal.ActionLogoutEverywhere)+" "+e.users[signal.RoleReporter].ID) &&
		!strings.HasPrefix(got[len(got)-1], string(signal.ActionLogoutEverywhere)) {
		t.Errorf("not audited: %v", got[len(got)-3:])
	}
	again := e.token(signal.RoleReporter)

	// The page's button, from a browser whose other session is the API's.
	b := newBrowserClient(t, e.url)
	b.login(e.users[signal.RoleReporter].Email)
	page := b.get("/signalen")
	m := regexp.MustCompile(`action="/logout/everywhere"[^>]*><input type="hidden" name="_csrf" value="([^"]+)"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no log-out-everywhere button on the page:\n%s", page.body)
	}
	if res := b.post("/logout/everywhere", url.Values{"_csrf": {m[1]}}); res.status != http.StatusSeeOther || res.header.Get("Location") != "/login" {
		t.Fatalf("the button: %d %q", res.status, res.header.Get("Location"))
	}
	if res := e.do("GET", "/api/v1/me", again, nil); res.status != 401 {
		t.Errorf("the API session after the page's button: %d; want 401", res.status)
	}
	if res := b.get("/signalen"); res.status != http.StatusSeeOther {
		t.Errorf("the page after the button: %d; want a redirect to the login page", res.status)
	}
}
