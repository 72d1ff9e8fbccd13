package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/mail/mailtest"
)

// The promise of "Wachtwoord vergeten?" (issue 19, item 3), to a worker
// who forgot their password, and to everyone whose address someone else
// types in: the link comes by e-mail (a real SMTP server), works once and
// for an hour only, also across a restart; using it ends every session of
// the account, old ones included, and does not let anyone in without the
// second factor; nobody learns from the answer whether an address has an
// account; one source cannot flood a mailbox; every step is on record
// without the address itself.

// startResetSite is startMFASite (no demo mode) with e-mail through smtp.
func startResetSite(t *testing.T, dir string, clock *testClock, smtp *mailtest.Server) *mfaSite {
	t.Helper()
	a := openRealApp(t, dir, app.Options{Now: clock.Now, SMTP: smtp.Config(), PublicURL: "https://signaal.test", MailRetry: 20 * time.Millisecond})
	srv, err := New(FromApp(a, Deps{Now: clock.Now}))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &mfaSite{t: t, url: hs.URL, app: a, clock: clock}
}

var resetLinkRE = regexp.MustCompile(`https://signaal\.test/wachtwoord/([A-Za-z0-9_-]+)`)

// resetLink returns the token of the reset link in message m to addr.
func resetLink(t *testing.T, m mailtest.Message, addr string) string {
	t.Helper()
	if len(m.To) != 1 || m.To[0] != addr {
		t.Fatalf("reset mail to %v; want %s", m.To, addr)
	}
	l := resetLinkRE.FindStringSubmatch(m.Body)
	if l == nil || !strings.Contains(m.Subject, "Nieuw wachtwoord") {
		t.Fatalf("reset mail %q without a link:\n%s", m.Subject, m.Body)
	}
	return l[1]
}

func withoutCSRF(body string) string { return csrfFieldRE.ReplaceAllString(body, "") }

func TestPasswordResetByEmailLink(t *testing.T) {
	smtp := mailtest.Start(t)
	dir := t.TempDir()
	clock := newTestClock()
	s := startResetSite(t, dir, clock, smtp)
	u := s.addWorker(mfaEmail, signal.RoleReporter)
	const newPassword = "groene boot in de haven"

	// The worker is logged in on two devices: a browser and the API.
	b1 := newBrowserClient(t, s.url)
	secret, _ := s.enrol(b1, mfaEmail, false)
	clock.Add(30 * time.Second)
	res := s.apiLogin(mfaEmail, mfaPassword, s.code(secret))
	var lr loginResponse
	if json.Unmarshal(res.body, &lr); res.status != http.StatusOK || lr.Token == "" || !loggedIn(b1) {
		t.Fatalf("sessions before the reset: API %d, browser %v", res.status, loggedIn(b1))
	}
	apiSession := func() int {
		req, _ := http.NewRequest("GET", s.url+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+lr.Token)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}

	// The login page shows the way.
	x := newBrowserClient(t, s.url)
	if p := x.get("/login"); !strings.Contains(p.body, `href="/login/vergeten"`) || !strings.Contains(p.body, "Wachtwoord vergeten?") {
		t.Fatalf("the login page has no \"Wachtwoord vergeten?\":\n%s", p.body)
	}
	if p := x.get("/login/vergeten"); p.status != http.StatusOK {
		t.Fatalf("GET /login/vergeten: %d", p.status)
	}
	// Bad input: the field is named, nothing is sent.
	if r := x.post("/login/vergeten", url.Values{"email": {"geen adres"}}); r.status != http.StatusBadRequest ||
		!strings.Contains(r.body, `aria-invalid="true"`) || !strings.Contains(r.body, "naam@voorbeeld.nl") {
		t.Fatalf("a bad address: %d; want 400 naming the e-mail field:\n%s", r.status, r.body)
	}
	// An address with an account and one without get the same page.
	known := x.post("/login/vergeten", url.Values{"email": {"  ANK@lyceum.nl "}})
	unknown := x.post("/login/vergeten", url.Values{"email": {"niemand@lyceum.nl"}})
	if known.status != http.StatusOK || unknown.status != known.status || withoutCSRF(known.body) != withoutCSRF(unknown.body) ||
		!strings.Contains(known.body, `id="reset-sent"`) {
		t.Fatalf("known %d and unknown %d addresses are answered differently (or not as sent)", known.status, unknown.status)
	}
	msgs := smtp.Wait(t, 1)
	smtp.Quiet(t, 1, 300*time.Millisecond) // nothing to the address without an account
	token := resetLink(t, msgs[0], mfaEmail)
	if strings.Contains(msgs[0].Body, "Ank") || strings.Contains(msgs[0].Body, "Lyceum") {
		t.Fatalf("the mail names the person or organisation:\n%s", msgs[0].Body)
	}
	var n int
	s.app.DB.Read().QueryRow(`SELECT count(*) FROM password_resets WHERE token_hash = ?`, token).Scan(&n)
	if n != 0 {
		t.Fatal("the link's token is stored as sent")
	}

	// Until the link is used, nothing changes: the old password works.
	page := x.get("/wachtwoord/" + token)
	if page.status != http.StatusOK || !strings.Contains(page.body, mfaEmail) {
		t.Fatalf("the link: %d", page.status)
	}
	if r := x.post("/wachtwoord/"+token, url.Values{"password": {"kort"}, "password_again": {"kort"}}); r.status != http.StatusBadRequest ||
		!strings.Contains(r.body, `aria-invalid="true"`) {
		t.Fatalf("a weak password: %d; want 400 naming the field", r.status)
	}
	if r := x.post("/wachtwoord/"+token, url.Values{"password": {newPassword}, "password_again": {newPassword + "x"}}); r.status != http.StatusBadRequest {
		t.Fatalf("two different passwords: %d; want 400", r.status)
	}
	if !loggedIn(b1) || apiSession() != http.StatusOK {
		t.Fatal("a refused new password ended the sessions")
	}

	// Used: the new password, every session ended, the login page next.
	r := x.post("/wachtwoord/"+token, url.Values{"password": {newPassword}, "password_again": {newPassword}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?nieuw=1" {
		t.Fatalf("the new password: %d to %q", r.status, r.header.Get("Location"))
	}
	if p := x.get("/login?nieuw=1"); !strings.Contains(p.body, `id="login-new-password"`) {
		t.Fatal("the login page does not say the password was changed")
	}
	if loggedIn(b1) || loggedIn(x) {
		t.Fatal("a browser session survived the reset (or the link logged in)")
	}
	if st := apiSession(); st != http.StatusUnauthorized {
		t.Fatalf("the API session after the reset: %d; want 401", st)
	}
	clock.Add(30 * time.Second)
	if r := s.apiLogin(mfaEmail, mfaPassword, s.code(secret)); r.status != http.StatusUnauthorized {
		t.Fatalf("the old password after the reset: %d; want 401", r.status)
	}
	// The new password alone is not enough: the second factor is asked.
	if r := s.apiLogin(mfaEmail, newPassword, ""); r.status != http.StatusUnauthorized {
		t.Fatalf("the new password without a code (API): %d; want 401", r.status)
	}
	y := newBrowserClient(t, s.url)
	r = y.post("/login", url.Values{"email": {mfaEmail}, "password": {newPassword}, "next": {"/"}})
	if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/code") || loggedIn(y) {
		t.Fatalf("the new password in the browser: %d to %q; want the code page, no session", r.status, loc)
	}
	y.get(r.header.Get("Location"))
	clock.Add(30 * time.Second)
	if r := y.post("/login/code", url.Values{"code": {s.code(secret)}, "next": {"/"}}); r.status != http.StatusSeeOther {
		t.Fatalf("the code after the new password: %d", r.status)
	}
	y.csrf = ""
	if !loggedIn(y) {
		t.Fatal("no session with the new password and the code")
	}

	// The link works once.
	if p := x.get("/wachtwoord/" + token); p.status != http.StatusNotFound {
		t.Fatalf("the used link: %d; want 404", p.status)
	}
	if p := x.post("/wachtwoord/"+token, url.Values{"password": {"een derde wachtwoord kiezen"}, "password_again": {"een derde wachtwoord kiezen"}}); p.status != http.StatusNotFound {
		t.Fatalf("the used link posted again: %d; want 404", p.status)
	}

	// A second link, a restart, and an hour later: refused.
	x2 := newBrowserClient(t, s.url)
	x2.get("/login/vergeten")
	x2.post("/login/vergeten", url.Values{"email": {mfaEmail}})
	token2 := resetLink(t, smtp.Wait(t, 2)[1], mfaEmail)
	s.app.Close()
	s = startResetSite(t, dir, clock, smtp)
	x2.base = s.url
	clock.Add(time.Hour + time.Minute)
	if p := x2.get("/wachtwoord/" + token2); p.status != http.StatusNotFound {
		t.Fatalf("a link of over an hour ago: %d; want 404", p.status)
	}
	// The password set before the restart is the one.
	clock.Add(30 * time.Second)
	if r := s.apiLogin(mfaEmail, newPassword, s.code(secret)); r.status != http.StatusOK {
		t.Fatalf("after a restart, the new password and code: %d %s", r.status, r.body)
	}

	// Someone asks again and again for the worker: three links an hour
	// reach the mailbox; the page says the same every time.
	before := len(smtp.Messages())
	for i := range 4 {
		z := newBrowserClient(t, s.url)
		z.get("/login/vergeten")
		if r := z.post("/login/vergeten", url.Values{"email": {mfaEmail}}); r.status != http.StatusOK || !strings.Contains(r.body, `id="reset-sent"`) {
			t.Fatalf("request %d: %d", i+1, r.status)
		}
	}
	smtp.Wait(t, before+signal.PasswordResetsPerHour)
	smtp.Quiet(t, before+signal.PasswordResetsPerHour, 500*time.Millisecond)
	// One source asking for many addresses is held up after five.
	z := newBrowserClient(t, s.url)
	z.get("/login/vergeten")
	if r := z.post("/login/vergeten", url.Values{"email": {"nog.iemand@lyceum.nl"}}); r.status != http.StatusOK {
		t.Fatalf("the fifth request from one source: %d; want 200", r.status)
	}
	if r := z.post("/login/vergeten", url.Values{"email": {"weer.iemand@lyceum.nl"}}); r.status != http.StatusTooManyRequests {
		t.Fatalf("the sixth request from one source: %d; want 429", r.status)
	}

	// On record: every request (unknown addresses under a pseudonym), the
	// throttled one, the reset; never an address.
	var requests, throttled, resets, addresses int
	db := s.app.DB.Read()
	db.QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionPasswordResetRequest).Scan(&requests)
	db.QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ? AND object = ?`, signal.ActionPasswordResetRequest, "user/"+u.ID+"/throttled").Scan(&throttled)
	db.QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ?`, signal.ActionPasswordReset, u.ID).Scan(&resets)
	db.QueryRow(`SELECT count(*) FROM audit_entries WHERE object LIKE '%@%' OR subject LIKE '%@%'`).Scan(&addresses)
	if requests != 8 || throttled != 1 || resets != 1 || addresses != 0 {
		t.Fatalf("audit: %d requests (want 8), %d throttled (want 1), %d resets (want 1), %d entries with an address (want 0)", requests, throttled, resets, addresses)
	}
}
