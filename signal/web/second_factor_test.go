package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
)

// The promise of the second factor (issue 19, item 3), to a worker whose
// account sees content, in a real set-up (no demo mode): nobody logs in
// with the password alone, in the browser or through the API; the code is
// set up once with a QR code, and works once; a recovery code works once;
// a remembered device skips the code for the time set and no longer once
// an administrator reset the factor; it all holds across a restart.

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestClock starts at the real time: the cookies' expiry, which the
// test client's jar heeds, comes from this clock.
func newTestClock() *testClock { return &testClock{t: time.Now().UTC()} }

type mfaSite struct {
	t      *testing.T
	url    string
	app    *app.App
	clock  *testClock
	closed bool
	// what restart needs: the files, the mode, the server's settings and
	// the handler its address serves.
	dir     string
	demo    bool
	tweak   func(*Deps)
	handler *swapHandler
}

// swapHandler serves whichever server is current, so a restarted service
// answers at the same address (an OpenID provider knows it as the
// redirect URI).
type swapHandler struct {
	mu sync.Mutex
	h  http.Handler
}

func (s *swapHandler) set(h http.Handler) { s.mu.Lock(); s.h = h; s.mu.Unlock() }
func (s *swapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.h
	s.mu.Unlock()
	h.ServeHTTP(w, r)
}

// startMFASite starts the application over dir (a real SQLite file) and a
// real loopback server; demo is demo mode.
func startMFASite(t *testing.T, dir string, clock *testClock, demo bool, tweak func(*Deps)) *mfaSite {
	t.Helper()
	s := &mfaSite{t: t, clock: clock, dir: dir, demo: demo, tweak: tweak, handler: &swapHandler{}}
	s.open()
	hs := httptest.NewServer(s.handler)
	t.Cleanup(hs.Close)
	s.url = hs.URL
	return s
}

// open opens the application over s.dir and makes its server the one
// s.url serves.
func (s *mfaSite) open() {
	s.t.Helper()
	opts := app.Options{Now: s.clock.Now, Demo: s.demo}
	if s.demo {
		s.app = openApp(s.t, s.dir, opts)
	} else {
		s.app = openRealApp(s.t, s.dir, opts)
	}
	d := Deps{Now: s.clock.Now}
	if s.tweak != nil {
		s.tweak(&d)
	}
	srv, err := New(FromApp(s.app, d))
	if err != nil {
		s.t.Fatal(err)
	}
	s.handler.set(srv)
}

// restart stops the application and starts it again over the same files,
// at the same address.
func (s *mfaSite) restart() {
	s.t.Helper()
	if err := s.app.Close(); err != nil {
		s.t.Fatalf("close the application: %v", err)
	}
	s.open()
}

const mfaEmail = "ank@lyceum.nl"
const mfaPassword = "rode fiets op de dijk"

// addWorker creates an organisation and a coordinator as signald user add
// does (not a seeded demo account).
func (s *mfaSite) addWorker(email string, role signal.Role) signal.User {
	s.t.Helper()
	ctx := context.Background()
	o, err := s.app.Accounts.Organisation(ctx, cliActor, "Het Lyceum")
	if err != nil {
		o = signal.Organisation{Name: "Het Lyceum", Kind: signal.OrgSchool,
			Contact: signal.Person{Name: "C", Email: "contact@lyceum.nl"}, Deputy: signal.Person{Name: "D", Email: "deputy@lyceum.nl"}}
		if err := s.app.Accounts.CreateOrganisation(ctx, cliActor, &o, "Samenwerking Lyceum"); err != nil {
			s.t.Fatal(err)
		}
	}
	u := signal.User{Email: email, Name: "Ank", OrgID: o.ID, Role: role}
	if err := s.app.Accounts.CreateUser(ctx, cliActor, &u, mfaPassword); err != nil {
		s.t.Fatal(err)
	}
	return u
}

func (s *mfaSite) apiLogin(email, password, code string) response {
	s.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password, "code": code})
	res, err := http.Post(s.url+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: buf.Bytes()}
}

func (s *mfaSite) actions(userID string) []string {
	s.t.Helper()
	rows, err := s.app.DB.Read().Query(`SELECT action FROM audit_entries WHERE actor_user = ? ORDER BY seq`, userID)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		rows.Scan(&a)
		out = append(out, a)
	}
	return out
}

func (s *mfaSite) code(secret string) string {
	s.t.Helper()
	c, err := totp.GenerateCode(secret, s.clock.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

var secretRE = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7 ]+)</code>`)
var recoveryRE = regexp.MustCompile(`<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>`)

// enrol logs in with the password in a browser, which is sent to set up the
// second factor, and sets it up; it returns the secret and recovery codes.
func (s *mfaSite) enrol(b *browserClient, email string, remember bool) (string, []string) {
	s.t.Helper()
	res := b.post("/login", url.Values{"email": {email}, "password": {mfaPassword}, "next": {"/"}})
	if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/instellen") {
		s.t.Fatalf("password of an account without a second factor: %d to %q; want the set-up", res.status, loc)
	}
	page := b.get(res.header.Get("Location"))
	m := secretRE.FindStringSubmatch(page.body)
	if page.status != http.StatusOK || m == nil || !strings.Contains(page.body, `<svg class="qr"`) {
		s.t.Fatalf("set-up page: %d, no QR code or secret:\n%s", page.status, page.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	// Shown again, the page shows the same secret: the app scanned it.
	if again := secretRE.FindStringSubmatch(b.get("/login/instellen?next=/").body); again == nil || again[1] != m[1] {
		s.t.Fatalf("the set-up page shown again has another secret")
	}
	form := url.Values{"code": {"000000"}, "next": {"/"}}
	if s.code(secret) == "000000" {
		form.Set("code", "111111")
	}
	if res := b.post("/login/instellen", form); res.status != http.StatusUnauthorized || !strings.Contains(res.body, `aria-invalid="true"`) {
		s.t.Fatalf("a wrong first code: %d; want 401 with the field marked", res.status)
	}
	form.Set("code", s.code(secret))
	if remember {
		form.Set("remember", "1")
	}
	res = b.post("/login/instellen", form)
	codes := recoveryRE.FindAllStringSubmatch(res.body, -1)
	if res.status != http.StatusOK || len(codes) != signal.RecoveryCodeCount {
		s.t.Fatalf("the right first code: %d with %d recovery codes:\n%s", res.status, len(codes), res.body)
	}
	b.csrf = "" // a new session
	var out []string
	for _, c := range codes {
		out = append(out, c[1])
	}
	return secret, out
}

// loggedIn reports whether the browser has a session: the start page opens
// instead of sending it to the login page.
func loggedIn(b *browserClient) bool {
	res := b.get("/")
	return res.status == http.StatusOK || res.status == http.StatusSeeOther && !strings.HasPrefix(res.header.Get("Location"), "/login")
}

func TestSecondFactorRequiredAndWorksOnce(t *testing.T) {
	dir := t.TempDir()
	clock := newTestClock()
	s := startMFASite(t, dir, clock, false, nil)
	u := s.addWorker(mfaEmail, signal.RoleCoordinator)

	// The API: the password alone gets no token, before and after set-up.
	if res := s.apiLogin(mfaEmail, mfaPassword, ""); res.status != http.StatusForbidden || !strings.Contains(string(res.body), "second factor") {
		t.Fatalf("API login before set-up: %d %s; want 403 (set it up in the browser)", res.status, res.body)
	}
	if got := s.actions(u.ID); slices.Contains(got, string(signal.ActionLoginOK)) || !slices.Contains(got, string(signal.ActionLoginPassword)) {
		t.Fatalf("audited %v; want login.password and no login.ok", got)
	}

	b := newBrowserClient(t, s.url)
	secret, recovery := s.enrol(b, mfaEmail, false)
	if !loggedIn(b) {
		t.Fatal("no session after setting up the second factor")
	}
	if got := s.actions(u.ID); !slices.Contains(got, string(signal.ActionSecondFactorEnrol)) || !slices.Contains(got, string(signal.ActionLoginOK)) {
		t.Fatalf("audited %v; want second_factor.enrol and login.ok", got)
	}
	// The secret and recovery codes are not in the audit, nor the codes in
	// the database in plain text.
	var leaks int
	s.app.DB.Read().QueryRow(`SELECT count(*) FROM recovery_codes WHERE code_hash IN (?, ?)`, recovery[0], strings.ReplaceAll(recovery[0], "-", "")).Scan(&leaks)
	if leaks != 0 {
		t.Fatal("a recovery code is stored in plain text")
	}
	// Nor the secret (issue 18: a stolen database must not pass the
	// second step): it is sealed under the key store's key.
	var stored string
	s.app.DB.Read().QueryRow(`SELECT secret FROM second_factors WHERE user_id = ?`, u.ID).Scan(&stored)
	if !strings.HasPrefix(stored, "sealed1:") || strings.Contains(stored, secret) {
		t.Fatalf("the second factor's secret is stored as %q; want it sealed", stored)
	}
	if raw, err := os.ReadFile(s.app.DB.Path() + "-wal"); err == nil && bytes.Contains(raw, []byte(secret)) {
		t.Fatal("the WAL holds the second factor's secret in plain text")
	}

	res := s.apiLogin(mfaEmail, mfaPassword, "")
	if res.status != http.StatusUnauthorized || !strings.Contains(string(res.body), "code") {
		t.Fatalf("API login without a code: %d %s; want 401 asking the code", res.status, res.body)
	}
	// The code that set it up does not work again (a replay), not even
	// within its 30 seconds.
	if res := s.apiLogin(mfaEmail, mfaPassword, s.code(secret)); res.status != http.StatusUnauthorized {
		t.Fatalf("the set-up code again: %d; want 401", res.status)
	}
	clock.Add(30 * time.Second)
	code := s.code(secret)
	if res := s.apiLogin(mfaEmail, mfaPassword, code); res.status != http.StatusOK {
		t.Fatalf("API login with the next code: %d %s", res.status, res.body)
	}
	if res := s.apiLogin(mfaEmail, mfaPassword, code); res.status != http.StatusUnauthorized {
		t.Fatalf("the same code twice: %d; want 401", res.status)
	}
	// A code of an hour ago is no code.
	old, _ := totp.GenerateCode(secret, clock.Now().Add(-time.Hour))
	clock.Add(30 * time.Second)
	if res := s.apiLogin(mfaEmail, mfaPassword, old); res.status != http.StatusUnauthorized {
		t.Fatalf("an old code: %d; want 401", res.status)
	}
	// A recovery code works once, typed in capitals with spaces too.
	typed := strings.ToUpper(strings.ReplaceAll(recovery[3], "-", " "))
	if res := s.apiLogin(mfaEmail, mfaPassword, typed); res.status != http.StatusOK {
		t.Fatalf("a recovery code: %d %s", res.status, res.body)
	}
	if res := s.apiLogin(mfaEmail, mfaPassword, recovery[3]); res.status != http.StatusUnauthorized {
		t.Fatalf("a used recovery code: %d; want 401", res.status)
	}
	// A wrong password with the right code is a wrong password.
	clock.Add(30 * time.Second)
	if res := s.apiLogin(mfaEmail, "wrong password of some length", s.code(secret)); res.status != http.StatusUnauthorized {
		t.Fatalf("a wrong password with a right code: %d", res.status)
	}
	if got := s.actions(u.ID); !slices.Contains(got, string(signal.ActionLoginSecondFactorFail)) {
		t.Fatalf("audited %v; want login.second_factor_fail", got)
	}

	// The browser: password, then the code page.
	b2 := newBrowserClient(t, s.url)
	clock.Add(30 * time.Second)
	res2 := b2.post("/login", url.Values{"email": {mfaEmail}, "password": {mfaPassword}, "next": {"/signalen"}})
	if loc := res2.header.Get("Location"); res2.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/code") {
		t.Fatalf("password of an enrolled account: %d to %q; want the code page", res2.status, loc)
	}
	if loggedIn(b2) {
		t.Fatal("a session with the password alone")
	}
	b2.get(res2.header.Get("Location"))
	if res := b2.post("/login/code", url.Values{"code": {""}, "next": {"/signalen"}}); res.status != http.StatusBadRequest {
		t.Fatalf("no code: %d; want 400", res.status)
	}
	if res := b2.post("/login/code", url.Values{"code": {s.code(secret)}, "remember": {"1"}, "next": {"/signalen"}}); res.status != http.StatusSeeOther || res.header.Get("Location") != "/signalen" {
		t.Fatalf("the right code: %d to %q", res.status, res.header.Get("Location"))
	}
	b2.csrf = ""
	if !loggedIn(b2) {
		t.Fatal("no session after the code")
	}

	// Remembered: this browser logs in with the password alone for the
	// time set; another browser does not.
	b2.post("/logout", url.Values{})
	if res := b2.post("/login", url.Values{"email": {mfaEmail}, "password": {mfaPassword}, "next": {"/"}}); res.status != http.StatusSeeOther || strings.HasPrefix(res.header.Get("Location"), "/login") {
		t.Fatalf("a remembered browser: %d to %q; want in", res.status, res.header.Get("Location"))
	}
	b2.csrf = ""
	if !loggedIn(b2) {
		t.Fatal("a remembered browser has no session")
	}
	clock.Add(signal.DefaultRememberDevice + time.Hour)
	b2.post("/logout", url.Values{})
	if res := b2.post("/login", url.Values{"email": {mfaEmail}, "password": {mfaPassword}, "next": {"/"}}); !strings.HasPrefix(res.header.Get("Location"), "/login/code") {
		t.Fatalf("a browser remembered %v ago: to %q; want the code page", signal.DefaultRememberDevice, res.header.Get("Location"))
	}

	// A restart: the second factor and its used codes are in the database.
	s.app.Close()
	s2 := startMFASite(t, dir, clock, false, nil)
	if res := s2.apiLogin(mfaEmail, mfaPassword, ""); res.status != http.StatusUnauthorized {
		t.Fatalf("after a restart, the password alone: %d; want 401", res.status)
	}
	if res := s2.apiLogin(mfaEmail, mfaPassword, recovery[3]); res.status != http.StatusUnauthorized {
		t.Fatalf("after a restart, a used recovery code: %d; want 401", res.status)
	}
	clock.Add(30 * time.Second)
	res = s2.apiLogin(mfaEmail, mfaPassword, s2.code(secret))
	if res.status != http.StatusOK {
		t.Fatalf("after a restart, the code: %d %s", res.status, res.body)
	}
	var lr loginResponse
	json.Unmarshal(res.body, &lr)

	// An administrator resets the factor (a lost phone): the sessions end,
	// the old secret and recovery codes are dead, and the next login sets
	// up a new one.
	admin := signal.Actor{UserID: "usr_admin", Role: signal.RoleAdmin}
	if err := s2.app.Accounts.ResetSecondFactor(context.Background(), signal.Actor{Role: signal.RoleReporter}, mfaEmail); signal.ErrorCode(err) != signal.CodeForbidden {
		t.Fatalf("a reporter resets a second factor: %v", err)
	}
	if err := s2.app.Accounts.ResetSecondFactor(context.Background(), admin, mfaEmail); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", s2.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+lr.Token)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a session after the reset: %v %v; want 401", r.StatusCode, err)
	}
	clock.Add(30 * time.Second)
	if res := s2.apiLogin(mfaEmail, mfaPassword, s2.code(secret)); res.status != http.StatusForbidden {
		t.Fatalf("the old secret after a reset: %d; want 403 (set up again)", res.status)
	}
	if res := s2.apiLogin(mfaEmail, mfaPassword, recovery[5]); res.status != http.StatusForbidden {
		t.Fatalf("an old recovery code after a reset: %d; want 403", res.status)
	}
	b3 := newBrowserClient(t, s2.url)
	secret2, _ := s2.enrol(b3, mfaEmail, false)
	if secret2 == secret {
		t.Fatal("the same secret after a reset")
	}
	if got := s2.actions("usr_admin"); !slices.Contains(got, string(signal.ActionSecondFactorReset)) {
		t.Fatalf("the reset is not audited: %v", got)
	}
}

// TestSecondFactorRememberedDeviceEndsAtReset: a browser remembered before
// an administrator reset the factor is asked again.
func TestSecondFactorRememberedDeviceEndsAtReset(t *testing.T) {
	clock := newTestClock()
	s := startMFASite(t, t.TempDir(), clock, false, nil)
	s.addWorker(mfaEmail, signal.RoleReporter)
	b := newBrowserClient(t, s.url)
	s.enrol(b, mfaEmail, true)
	b.post("/logout", url.Values{})
	if res := b.post("/login", url.Values{"email": {mfaEmail}, "password": {mfaPassword}, "next": {"/"}}); strings.HasPrefix(res.header.Get("Location"), "/login") {
		t.Fatalf("remembered at set-up, then: to %q; want in", res.header.Get("Location"))
	}
	if err := s.app.Accounts.ResetSecondFactor(context.Background(), cliActor, mfaEmail); err != nil {
		t.Fatal(err)
	}
	b.csrf = ""
	if loggedIn(b) {
		t.Fatal("the session survived the reset")
	}
	if res := b.post("/login", url.Values{"email": {mfaEmail}, "password": {mfaPassword}, "next": {"/"}}); !strings.HasPrefix(res.header.Get("Location"), "/login/instellen") {
		t.Fatalf("after the reset, the remembered browser: to %q; want the set-up", res.header.Get("Location"))
	}
}

// TestSecondFactorPendingLoginExpires: the second step after the password
// has PendingLoginTTL; later, the password is asked again.
func TestSecondFactorPendingLoginExpires(t *testing.T) {
	clock := newTestClock()
	s := startMFASite(t, t.TempDir(), clock, false, nil)
	s.addWorker(mfaEmail, signal.RoleReporter)
	b := newBrowserClient(t, s.url)
	secret, _ := s.enrol(b, mfaEmail, false)
	b2 := newBrowserClient(t, s.url)
	res := b2.post("/login", url.Values{"email": {mfaEmail}, "password": {mfaPassword}, "next": {"/"}})
	b2.get(res.header.Get("Location"))
	clock.Add(signal.PendingLoginTTL + time.Minute)
	res = b2.post("/login/code", url.Values{"code": {s.code(secret)}, "next": {"/"}})
	if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?") || loggedIn(b2) {
		t.Fatalf("a code after the pending login expired: %d to %q; want the login page again", res.status, loc)
	}
}

// TestSecondFactorGuessingIsThrottled: wrong codes count like wrong
// passwords, per account.
func TestSecondFactorGuessingIsThrottled(t *testing.T) {
	clock := newTestClock()
	s := startMFASite(t, t.TempDir(), clock, false, func(d *Deps) {
		d.AccountThrottle = LoginThrottle{Free: 3, First: time.Hour, Max: time.Hour}
		d.LoginHold = time.Millisecond
	})
	s.addWorker(mfaEmail, signal.RoleReporter)
	b := newBrowserClient(t, s.url)
	secret, _ := s.enrol(b, mfaEmail, false)
	b2 := newBrowserClient(t, s.url)
	res := b2.post("/login", url.Values{"email": {mfaEmail}, "password": {mfaPassword}, "next": {"/"}})
	b2.get(res.header.Get("Location"))
	clock.Add(30 * time.Second)
	right := s.code(secret)
	wrong := "123456"
	if wrong == right {
		wrong = "654321"
	}
	var statuses []int
	for range 5 {
		statuses = append(statuses, b2.post("/login/code", url.Values{"code": {wrong}, "next": {"/"}}).status)
	}
	if statuses[0] != http.StatusUnauthorized || statuses[4] != http.StatusTooManyRequests {
		t.Fatalf("five wrong codes: %v; want 401 first, 429 at last", statuses)
	}
	if res := b2.post("/login/code", url.Values{"code": {right}, "next": {"/"}}); res.status != http.StatusTooManyRequests {
		t.Fatalf("the right code while throttled: %d; want 429", res.status)
	}
}

// TestDemoAccountsSkipTheSecondFactorOnlyInDemoMode: the demo's public
// accounts (seeded) log in with their password in demo mode, and the login
// page says so; in a real set-up the same accounts need a second factor,
// and an account added by the operator needs one in demo mode too.
func TestDemoAccountsSkipTheSecondFactorOnlyInDemoMode(t *testing.T) {
	for _, demo := range []bool{true, false} {
		clock := newTestClock()
		s := startMFASite(t, t.TempDir(), clock, demo, nil)
		if err := s.app.SeedDemo(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.addWorker(mfaEmail, signal.RoleReporter)
		page := newBrowserClient(t, s.url).get("/login")
		if shows := strings.Contains(page.body, `id="demo-no-second-factor"`); shows != demo {
			t.Errorf("demo mode %v: the login page says the demo needs no second factor: %v", demo, shows)
		}
		res := s.apiLogin("mentor@demo.signaal.nl", "demo", "")
		if want := map[bool]int{true: http.StatusOK, false: http.StatusForbidden}[demo]; res.status != want {
			t.Errorf("demo mode %v: a demo account with its password: %d; want %d", demo, res.status, want)
		}
		if res := s.apiLogin(mfaEmail, mfaPassword, ""); res.status != http.StatusForbidden {
			t.Errorf("demo mode %v: an operator-added account with its password alone: %d; want 403", demo, res.status)
		}
	}
}
