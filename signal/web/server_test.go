package web

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/auth"
)

// cheap argon2id parameters keep the many logins of these tests fast; the
// login code is the same.
var testParams = auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const testPassword = "correct horse battery staple"

// syncBuffer collects the server's logs from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testEnv struct {
	t        *testing.T
	url      string
	srv      *Server
	app      *app.App
	accounts *signal.Accounts
	privacy  *signal.Privacy
	key      ed25519.PrivateKey
	logs     *syncBuffer
	users    map[signal.Role]signal.User
	org      signal.Organisation
	// What restart needs to open the same files again.
	dir  string
	deps testDeps
	hs   *httptest.Server
}

// newEnv starts a real server on loopback over a real SQLite file, with one
// account per role plus a disabled one.
func newEnv(t *testing.T, tweak func(*testDeps)) *testEnv {
	t.Helper()
	ctx := context.Background()
	logs := &syncBuffer{}
	d := testDeps{Deps: Deps{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}}
	if tweak != nil {
		tweak(&d)
	}
	dir := t.TempDir()
	a := openApp(t, dir, d.Options)
	deps := d.withApp(a)
	srv, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv) // a real listener on 127.0.0.1
	t.Cleanup(hs.Close)

	org := signal.Organisation{Name: "Demo College", Kind: signal.OrgSchool,
		Contact: signal.Person{Name: "C", Email: "contact@school.nl"}, Deputy: signal.Person{Name: "D", Email: "deputy@school.nl"}}
	if err := deps.Accounts.CreateOrganisation(ctx, cliActor, &org, "Samenwerking Test"); err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(testPassword, testParams)
	if err != nil {
		t.Fatal(err)
	}
	users := map[signal.Role]signal.User{}
	for _, r := range signal.Roles {
		u := signal.User{Email: string(r) + "@school.nl", Name: "User " + string(r), OrgID: org.ID, Role: r}
		if err := deps.Accounts.SeedUser(ctx, cliActor, &u, hash); err != nil {
			t.Fatal(err)
		}
		users[r] = u
	}
	off := signal.User{Email: "disabled@school.nl", Name: "Gone", OrgID: org.ID, Role: signal.RoleReporter, Disabled: true}
	if err := deps.Accounts.SeedUser(ctx, cliActor, &off, hash); err != nil {
		t.Fatal(err)
	}
	return &testEnv{t: t, url: hs.URL, srv: srv, app: a, accounts: deps.Accounts, privacy: deps.Privacy, key: a.SigningKey, logs: logs, users: users, org: org,
		dir: dir, deps: d, hs: hs}
}

// restart stops the server and the application and opens both again on the
// same files (database, keys), as a redeploy does: a new listener, so
// e.url changes; sessions and everything stored stay.
func (e *testEnv) restart() {
	e.t.Helper()
	e.restartAfter(nil)
}

// restartAfter is restart with change run while the service is down (on
// the files as an older version of the service left them).
func (e *testEnv) restartAfter(change func()) {
	e.t.Helper()
	e.hs.Close()
	if err := e.app.Close(); err != nil {
		e.t.Fatalf("close the application: %v", err)
	}
	if change != nil {
		change()
	}
	a := openApp(e.t, e.dir, e.deps.Options)
	deps := e.deps.withApp(a)
	srv, err := New(deps)
	if err != nil {
		e.t.Fatal(err)
	}
	e.hs = httptest.NewServer(srv)
	e.t.Cleanup(e.hs.Close)
	e.url, e.srv, e.app, e.accounts, e.privacy, e.key = e.hs.URL, srv, a, deps.Accounts, deps.Privacy, a.SigningKey
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) errorBody(t *testing.T) errorDetail {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(r.body, &b); err != nil || b.Error.Code == "" {
		t.Fatalf("body %q is not the JSON error shape: %v", r.body, err)
	}
	return b.Error
}

func (e *testEnv) do(method, path, token string, body io.Reader, headers ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (e *testEnv) login(email, password string) response {
	e.t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	return e.do("POST", "/api/v1/login", "", bytes.NewReader(b))
}

func (e *testEnv) token(r signal.Role) string {
	e.t.Helper()
	res := e.login(e.users[r].Email, testPassword)
	if res.status != 200 {
		e.t.Fatalf("login as %s: %d %s", r, res.status, res.body)
	}
	var lr loginResponse
	json.Unmarshal(res.body, &lr)
	return lr.Token
}

func (e *testEnv) auditActions() []string {
	e.t.Helper()
	rows, err := e.app.DB.Read().Query(`SELECT action || ' ' || actor_user || ' ' || object FROM audit_entries ORDER BY seq`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func TestLoginEachRole(t *testing.T) {
	e := newEnv(t, nil)
	for _, role := range signal.Roles {
		t.Run(string(role), func(t *testing.T) {
			u := e.users[role]
			res := e.login(strings.ToUpper(u.Email), testPassword) // addresses are case-insensitive
			if res.status != http.StatusOK {
				t.Fatalf("login: %d %s", res.status, res.body)
			}
			var lr loginResponse
			if err := json.Unmarshal(res.body, &lr); err != nil || lr.Token == "" || lr.ExpiresAt.Before(time.Now()) {
				t.Fatalf("login body %s: %v", res.body, err)
			}
			ck := cookieNamed(res.header, CookieName)
			if ck == nil || ck.Value != lr.Token || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
				t.Fatalf("session cookie %+v; want HttpOnly, SameSite=Strict, holding the token", ck)
			}
			me := e.do("GET", "/api/v1/me", lr.Token, nil)
			if me.status != 200 {
				t.Fatalf("me: %d %s", me.status, me.body)
			}
			var m meResponse
			json.Unmarshal(me.body, &m)
			if m.ID != u.ID || m.Role != string(role) || m.Organisation.ID != e.org.ID || m.Cooperation.MeetingID == "" {
				t.Fatalf("me = %+v; want the %s account with its organisation and meeting", m, role)
			}
			// The cookie alone authenticates too (the web pages).
			req, _ := http.NewRequest("GET", e.url+"/api/v1/me", nil)
			req.AddCookie(&http.Cookie{Name: CookieName, Value: lr.Token})
			cres, err := http.DefaultClient.Do(req)
			if err != nil || cres.StatusCode != 200 {
				t.Fatalf("me with the session cookie: %v %v", cres.StatusCode, err)
			}
			cres.Body.Close()
		})
	}
	var oks int
	for _, a := range e.auditActions() {
		if strings.HasPrefix(a, "login.ok ") {
			oks++
		}
	}
	if oks != len(signal.Roles) {
		t.Fatalf("login.ok audited %d times; want %d", oks, len(signal.Roles))
	}
}

func cookieNamed(h http.Header, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestLoginRefused(t *testing.T) {
	e := newEnv(t, nil)
	cases := []struct {
		name, email, password string
		status                int
		audit                 string // prefix of the audit entry it leaves, "" for none
		field                 string
	}{
		{"wrong password", "reporter@school.nl", "wrong password here", 401, "login.fail " + e.users[signal.RoleReporter].ID + " user/", ""},
		{"unknown email", "nobody@school.nl", testPassword, 401, "login.fail  email/", ""},
		{"disabled account", "disabled@school.nl", testPassword, 401, "login.fail usr_", ""},
		{"missing email", "", testPassword, 400, "", "email"},
		{"missing password", "reporter@school.nl", "", 400, "", "password"},
		{"malformed email", "not-an-address", testPassword, 400, "", "email"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(e.auditActions())
			res := e.login(c.email, c.password)
			if res.status != c.status {
				t.Fatalf("status %d %s; want %d", res.status, res.body, c.status)
			}
			eb := res.errorBody(t)
			if c.status == 401 && eb.Message != "wrong email address or password" {
				t.Fatalf("message %q: every refused login must get the same answer", eb.Message)
			}
			if c.field != "" && (len(eb.Fields) != 1 || eb.Fields[0].Field != c.field) {
				t.Fatalf("fields %+v; want one problem with %s", eb.Fields, c.field)
			}
			after := e.auditActions()
			if c.audit == "" {
				if len(after) != before {
					t.Fatalf("invalid request audited: %v", after[before:])
				}
				return
			}
			if len(after) != before+1 || !strings.HasPrefix(after[before], c.audit) {
				t.Fatalf("audit entries %v; want one starting %q", after[before:], c.audit)
			}
			if strings.Contains(after[before], c.email) {
				t.Fatalf("audit entry %q holds the email address", after[before])
			}
		})
	}
}

func TestLogoutRevokesToken(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.token(signal.RoleReporter)
	other := e.token(signal.RoleReporter)
	if res := e.do("GET", "/api/v1/me", tok, nil); res.status != 200 {
		t.Fatalf("me before logout: %d", res.status)
	}
	res := e.do("POST", "/api/v1/logout", tok, nil)
	if res.status != 204 {
		t.Fatalf("logout: %d %s", res.status, res.body)
	}
	if ck := cookieNamed(res.header, CookieName); ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("logout cookie %+v; want it cleared", ck)
	}
	if res := e.do("GET", "/api/v1/me", tok, nil); res.status != 401 {
		t.Fatalf("me with the logged-out token: %d; want 401", res.status)
	}
	if res := e.do("GET", "/api/v1/me", other, nil); res.status != 200 {
		t.Fatalf("me with another session of the same account: %d; want 200", res.status)
	}
	// Disabling the account ends its other sessions at once.
	if err := e.accounts.SetUserDisabled(context.Background(), cliActor, "reporter@school.nl", true); err != nil {
		t.Fatal(err)
	}
	if res := e.do("GET", "/api/v1/me", other, nil); res.status != 401 {
		t.Fatalf("me after the account was disabled: %d; want 401", res.status)
	}
}

func TestCookieRefusedCrossSite(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.token(signal.RoleReporter)
	for _, c := range []struct {
		site   string
		status int
	}{{"cross-site", 403}, {"same-site", 403}, {"same-origin", 204}} {
		req, _ := http.NewRequest("POST", e.url+"/api/v1/logout", nil)
		req.AddCookie(&http.Cookie{Name: CookieName, Value: tok})
		req.Header.Set("Sec-Fetch-Site", c.site)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.status {
			t.Errorf("POST with the cookie, Sec-Fetch-Site %s: %d; want %d", c.site, res.StatusCode, c.status)
		}
	}
}

func TestTokenAttacks(t *testing.T) {
	e := newEnv(t, nil)
	u := e.users[signal.RoleAdmin]
	kid := auth.KeyID(e.key.Public().(ed25519.PublicKey))
	now := time.Now()
	valid := func() auth.Claims {
		return auth.Claims{RegisteredClaims: jwt.RegisteredClaims{
			Issuer: "signaal", Subject: u.ID, Audience: jwt.ClaimStrings{"signaal-api"},
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)), IssuedAt: jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now), ID: "jti-" + rand.Text(),
		}, Role: "admin", Org: e.org.ID}
	}
	sign := func(c auth.Claims, key ed25519.PrivateKey, kid string) string {
		tk := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		if kid != "" {
			tk.Header["kid"] = kid
		}
		s, err := tk.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	with := func(f func(*auth.Claims)) auth.Claims { c := valid(); f(&c); return c }
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	pub := e.key.Public().(ed25519.PublicKey)

	revoked := e.token(signal.RoleAdmin)
	e.do("POST", "/api/v1/logout", revoked, nil)

	cases := []struct {
		name   string
		token  string
		status int
	}{
		{"valid token (control)", sign(valid(), e.key, kid), 200},
		{"alg none", func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodNone, valid()).SignedString(jwt.UnsafeAllowNoneSignatureType)
			return s
		}(), 401},
		{"HS256 with the public key as secret", func() string {
			tk := jwt.NewWithClaims(jwt.SigningMethodHS256, valid())
			tk.Header["kid"] = kid
			s, _ := tk.SignedString([]byte(pub))
			return s
		}(), 401},
		{"signed by another key under our kid", sign(valid(), otherKey, kid), 401},
		{"unknown kid", sign(valid(), e.key, "nope"), 401},
		{"no kid", sign(valid(), e.key, ""), 401},
		{"expired", sign(with(func(c *auth.Claims) {
			c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Hour))
			c.IssuedAt = jwt.NewNumericDate(now.Add(-2 * time.Hour))
			c.NotBefore = c.IssuedAt
		}), e.key, kid), 401},
		{"not yet valid", sign(with(func(c *auth.Claims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Hour)) }), e.key, kid), 401},
		{"issued in the future", sign(with(func(c *auth.Claims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) }), e.key, kid), 401},
		{"wrong issuer", sign(with(func(c *auth.Claims) { c.Issuer = "evil" }), e.key, kid), 401},
		{"no issuer", sign(with(func(c *auth.Claims) { c.Issuer = "" }), e.key, kid), 401},
		{"wrong audience", sign(with(func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"other-api"} }), e.key, kid), 401},
		{"no audience", sign(with(func(c *auth.Claims) { c.Audience = nil }), e.key, kid), 401},
		{"no exp", sign(with(func(c *auth.Claims) { c.ExpiresAt = nil }), e.key, kid), 401},
		{"no jti", sign(with(func(c *auth.Claims) { c.ID = "" }), e.key, kid), 401},
		{"unknown subject", sign(with(func(c *auth.Claims) { c.Subject = "usr_nobody" }), e.key, kid), 401},
		{"tampered payload", func() string {
			parts := strings.Split(sign(with(func(c *auth.Claims) { c.Subject = e.users[signal.RoleReporter].ID }), e.key, kid), ".")
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			payload = bytes.Replace(payload, []byte(e.users[signal.RoleReporter].ID), []byte(u.ID), 1)
			parts[1] = base64.RawURLEncoding.EncodeToString(payload)
			return strings.Join(parts, ".")
		}(), 401},
		{"revoked by logout", revoked, 401},
		{"garbage", "not.a.token", 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.do("GET", "/api/v1/me", c.token, nil)
			if res.status != c.status {
				t.Fatalf("status %d %s; want %d", res.status, res.body, c.status)
			}
			if c.status == 401 {
				if eb := res.errorBody(t); eb.Code != "unauthorized" || res.header.Get("WWW-Authenticate") == "" {
					t.Fatalf("error %+v, WWW-Authenticate %q", eb, res.header.Get("WWW-Authenticate"))
				}
			}
		})
	}
}

func TestErrorShapes(t *testing.T) {
	e := newEnv(t, func(d *testDeps) { d.BodyLimit = 1024 })
	big := `{"email": "` + strings.Repeat("a", 2000) + `@x.nl", "password": "x"}`
	cases := []struct {
		name, method, path, body, contentType string
		chunked                               bool
		status                                int
		code, field, problem                  string
	}{
		{"malformed JSON", "POST", "/api/v1/login", `{"email": `, "application/json", false, 400, "invalid", "body", "malformed JSON: it ends too early"},
		{"syntax error", "POST", "/api/v1/login", `{"email" "x"}`, "application/json", false, 400, "invalid", "body", "malformed JSON at byte 10"},
		{"unknown field", "POST", "/api/v1/login", `{"email": "a@b.nl", "password": "x", "admin": true}`, "application/json", false, 400, "invalid", "admin", "unknown field"},
		{"wrong type", "POST", "/api/v1/login", `{"email": "a@b.nl", "password": 12}`, "application/json", false, 400, "invalid", "password", "must be a string, not number"},
		{"two JSON values", "POST", "/api/v1/login", `{"email": "a@b.nl", "password": "x"} {}`, "application/json", false, 400, "invalid", "body", "must hold exactly one JSON value"},
		{"empty body", "POST", "/api/v1/login", ``, "application/json", false, 400, "invalid", "body", "required: a JSON object"},
		{"not JSON", "POST", "/api/v1/login", `email=a`, "application/x-www-form-urlencoded", false, 400, "invalid", "Content-Type", "must be application/json"},
		{"oversized body", "POST", "/api/v1/login", big, "application/json", false, 413, "too_large", "", ""},
		{"oversized body without length", "POST", "/api/v1/login", big, "application/json", true, 413, "too_large", "", ""},
		{"unknown route", "GET", "/api/v1/nothing-here", "", "", false, 404, "not_found", "", ""},
		{"unknown route outside the API", "GET", "/nothing", "", "", false, 404, "not_found", "", ""},
		{"wrong method", "POST", "/healthz", "", "", false, 405, "method_not_allowed", "", ""},
		{"no token", "GET", "/api/v1/me", "", "", false, 401, "unauthorized", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
				if c.chunked {
					body = io.MultiReader(body) // hides the length: sent chunked
				}
			}
			req, _ := http.NewRequest(c.method, e.url+c.path, body)
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			r := response{status: res.StatusCode, header: res.Header, body: b}
			if r.status != c.status {
				t.Fatalf("status %d %s; want %d", r.status, b, c.status)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q; want JSON", ct)
			}
			eb := r.errorBody(t)
			if eb.Code != c.code {
				t.Fatalf("code %q; want %q", eb.Code, c.code)
			}
			if c.field != "" && (len(eb.Fields) != 1 || eb.Fields[0].Field != c.field || eb.Fields[0].Problem != c.problem) {
				t.Fatalf("fields %+v; want %s: %s", eb.Fields, c.field, c.problem)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, nil)
	for _, path := range []string{"/healthz", "/api/v1/me", "/api/v1/nothing"} {
		res := e.do("GET", path, "", nil)
		for h, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
			"Cache-Control":           "no-store",
		} {
			if got := res.header.Get(h); !strings.Contains(got, want) {
				t.Errorf("%s: %s = %q; want it to contain %q", path, h, got, want)
			}
		}
		if !strings.Contains(res.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: CSP lacks frame-ancestors 'none'", path)
		}
		if res.header.Get("X-Request-Id") == "" {
			t.Errorf("%s: no X-Request-Id", path)
		}
		if res.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS on plain HTTP", path)
		}
	}
	// The request id is the server's: a caller's plain one is kept beside
	// it in the audit (TestAuditRecordsTheServersRequestID), never instead.
	if got := e.do("GET", "/healthz", "", nil, "X-Request-ID", "abc-123-def").header.Get("X-Request-Id"); got == "abc-123-def" || len(got) != 24 {
		t.Errorf("request id %q; want the server's own (24 hex digits), not the caller's", got)
	}
	if got := e.do("GET", "/healthz", "", nil, "X-Request-ID", "Jan Jansen 2011").header.Get("X-Request-Id"); strings.Contains(got, "Jansen") {
		t.Errorf("request id %q taken from a header with spaces", got)
	}
}

func TestHealthReadinessMetrics(t *testing.T) {
	failing := false
	e := newEnv(t, func(d *testDeps) {
		d.MetricsToken = metricsToken
		d.Ready = append(d.Ready, Check{Name: "policy", Check: func(context.Context) error {
			if failing {
				return io.ErrUnexpectedEOF
			}
			return nil
		}})
	})
	if res := e.do("GET", "/healthz", "", nil); res.status != 200 {
		t.Fatalf("healthz: %d", res.status)
	}
	if res := e.do("GET", "/readyz", "", nil); res.status != 200 || !strings.Contains(string(res.body), `"policy":"ok"`) {
		t.Fatalf("readyz: %d %s", res.status, res.body)
	}
	failing = true
	if res := e.do("GET", "/readyz", "", nil); res.status != 503 || !strings.Contains(string(res.body), `"policy":"failing"`) {
		t.Fatalf("readyz with the policy failing: %d %s; want 503 naming policy", res.status, res.body)
	}
	e.token(signal.RoleReporter)
	res := e.do("GET", "/metrics", metricsToken, nil)
	for _, want := range []string{
		`signaal_http_requests_total{method="POST",route="/api/v1/login",status="200"} 1`,
		`signaal_http_request_duration_seconds_bucket`,
		`signaal_audit_units_total`,
		`signaal_audit_syncs_total`,
	} {
		if !strings.Contains(string(res.body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestRequireRoleDeniesAndAudits(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.Echo().GET("/api/v1/test/audit", func(c echo.Context) error { return c.NoContent(204) },
		e.srv.authenticate, e.srv.RequireRole(signal.RolePrivacyOfficer))
	if res := e.do("GET", "/api/v1/test/audit", e.token(signal.RolePrivacyOfficer), nil); res.status != 204 {
		t.Fatalf("privacy officer: %d %s", res.status, res.body)
	}
	res := e.do("GET", "/api/v1/test/audit", e.token(signal.RoleReporter), nil)
	if res.status != 403 || res.errorBody(t).Code != "forbidden" {
		t.Fatalf("reporter: %d %s; want 403", res.status, res.body)
	}
	acts := e.auditActions()
	if last := acts[len(acts)-1]; !strings.HasPrefix(last, "access.denied "+e.users[signal.RoleReporter].ID+" route/api/v1/test/audit") {
		t.Fatalf("last audit entry %q; want access.denied by the reporter", last)
	}
	if res := e.do("GET", "/api/v1/test/audit", "", nil); res.status != 401 {
		t.Fatalf("no token: %d; want 401", res.status)
	}
}

func TestLogsHoldNoCredentials(t *testing.T) {
	e := newEnv(t, nil)
	e.login("reporter@school.nl", "marker-password-Zq81")
	e.login("marker-unknown@school.nl", "marker-password-Zq81")
	e.token(signal.RoleReporter)
	logs := e.logs.String()
	for _, s := range []string{"marker-password", "marker-unknown", "reporter@school.nl", testPassword} {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain %q:\n%s", s, logs)
		}
	}
	if !strings.Contains(logs, "route=/api/v1/login") {
		t.Fatalf("logs lack the request lines:\n%s", logs)
	}
	// Nor is the unknown address anywhere in the database files.
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(e.app.DB.Path() + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("marker-unknown")) || bytes.Contains(b, []byte("marker-password")) {
			t.Errorf("database file %s holds the unknown address or the password in plain text", e.app.DB.Path()+suffix)
		}
	}
}

func TestWeakerHashUpgradedAtLogin(t *testing.T) {
	e := newEnv(t, func(d *testDeps) {
		d.Options.PasswordParams = auth.PasswordParams{Memory: 2048, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	})
	e.token(signal.RoleReporter)
	_, hash, err := e.app.DB.UserByEmail(context.Background(), "reporter@school.nl")
	if err != nil || !strings.Contains(hash, "m=2048,") {
		t.Fatalf("hash after login %q, %v; want it upgraded to m=2048", hash, err)
	}
	e.token(signal.RoleReporter) // and the upgraded hash verifies
}

func TestHSTSOverTLS(t *testing.T) {
	e := newEnv(t, nil)
	hs := httptest.NewTLSServer(e.srv)
	defer hs.Close()
	res, err := hs.Client().Get(hs.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("HSTS over TLS = %q", res.Header.Get("Strict-Transport-Security"))
	}
	res, err = hs.Client().Post(hs.URL+"/api/v1/login", "application/json",
		strings.NewReader(`{"email":"reporter@school.nl","password":"`+testPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ck := cookieNamed(res.Header, CookieName); ck == nil || !ck.Secure {
		t.Fatalf("session cookie over TLS %+v; want Secure", ck)
	}
}

func TestClientAddress(t *testing.T) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	cases := []struct {
		name    string
		trusted []*net.IPNet
		xff     string
		want    string
	}{
		{"no proxy trusted: X-Forwarded-For is ignored", nil, "203.0.113.9", "127.0.0.1"},
		{"trusted proxy: its X-Forwarded-For names the client", []*net.IPNet{loopback}, "203.0.113.9", "203.0.113.9"},
		{"trusted proxy: a forged hop before the proxy's is not believed", []*net.IPNet{loopback}, "198.51.100.1, 203.0.113.9", "203.0.113.9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, func(d *testDeps) { d.TrustedProxies = c.trusted })
			e.do("POST", "/api/v1/login", "", strings.NewReader(`{"email":"nobody@school.nl","password":"x"}`), "X-Forwarded-For", c.xff)
			var ip string
			// The address as kept beside the entry (audit_origins; the
			// entry itself holds a commitment to it).
			if err := e.app.DB.Read().QueryRow(`SELECT `+audit.AddressSQL+` FROM audit_entries WHERE action = ?`, signal.ActionLoginFail).Scan(&ip); err != nil {
				t.Fatal(err)
			}
			if ip != c.want {
				t.Fatalf("audited client address %q; want %q", ip, c.want)
			}
		})
	}
}
