package web

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/signaal-nl/signaal/signal"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

// pagePostRoutes are the state-changing page routes, as the router has
// them: every POST outside the API. A route added later is attacked by
// TestBrowserSameSiteFormsChangeNothing without anyone listing it.
func pagePostRoutes(s *Server) []string {
	var out []string
	for _, r := range s.echo.Routes() {
		if r.Method == http.MethodPost && !strings.HasPrefix(r.Path, "/api/") && !strings.HasSuffix(r.Path, "*") {
			out = append(out, r.Path)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestBrowserSameSiteFormsChangeNothing attacks every state-changing page
// route in real Chromium, as issue 18 found them attacked: a page on a
// neighbouring site of the same site (another port of 127.0.0.1, and a
// sibling subdomain, evil.signaal.localhost next to app.signaal.localhost)
// auto-submits a form to the route in the browser of a logged-in victim,
// of each role, and of a visitor who is not logged in (login CSRF: the
// form logs the browser in to the attacker's account). The browser sends
// the session cookie along (same-site), the form carries the attacker's
// own valid CSRF token, and the field values are real. Every attempt is
// answered 403 and nothing changes: no audit entry (no action goes
// unaudited), no signal, every victim still logged in, the visitor not.
func TestBrowserSameSiteFormsChangeNothing(t *testing.T) {
	pe := newPrivacyEnv(t)
	se := pe.signalsEnv
	today := signal.Today(time.Now()).String()
	sig := se.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	var mt signal.Meeting
	se.json("coordinator", "POST", "/api/v1/meetings", map[string]any{
		"title": "Signaleringsoverleg december", "starts_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339),
	}, http.StatusCreated, &mt)
	subject := pe.lookup("Sanne de Vries", "2011-04-30")

	// What an attacker would fill in: real ids and values a real form
	// sends. A route without an entry is still attacked, with its path
	// parameters set to the signal's id.
	// A real password reset link of the reporter's, as its e-mail has it
	// (the outbox holds the body until it is sent).
	if err := se.accounts.RequestPasswordReset(context.Background(), signal.Actor{}, se.users[signal.RoleReporter].Email); err != nil {
		t.Fatal(err)
	}
	var resetBody string
	se.app.DB.Read().QueryRow(`SELECT body FROM outbox WHERE kind = ?`, signal.MailPasswordReset).Scan(&resetBody)
	resetToken := regexp.MustCompile(`/wachtwoord/([A-Za-z0-9_-]+)`).FindStringSubmatch(resetBody)
	if resetToken == nil {
		t.Fatalf("no reset link in the outbox: %q", resetBody)
	}
	params := map[string]string{":id": sig.ID, ":ref": sig.ID, ":what": "besproken", ":subject": subject, ":seq": "1", ":token": resetToken[1]}
	paramFor := map[string]map[string]string{
		"/overleg/:id/punt/:ref/:what": {":id": mt.ID}, "/overleg/:id/knelpunten": {":id": mt.ID},
		"/overleg/:id/afsluiten": {":id": mt.ID},
		"/beheer/partners/:id":   {":id": pe.org.ID}, "/beheer/accounts/:id/status": {":id": se.ids["youthwork"]},
		"/beheer/partners/:id/inloggen": {":id": pe.org.ID},
	}
	fields := map[string]url.Values{
		"/login":                          {"email": {"elsewhere@example.nl"}, "password": {testPassword}, "next": {"/"}},
		"/login/code":                     {"code": {"123456"}, "remember": {"1"}, "next": {"/"}},
		"/login/instellen":                {"code": {"123456"}, "remember": {"1"}, "next": {"/"}},
		"/login/vergeten":                 {"email": {se.users[signal.RoleReporter].Email}},
		"/wachtwoord/:token":              {"password": {"het wachtwoord van de aanvaller"}, "password_again": {"het wachtwoord van de aanvaller"}},
		"/overleg":                        {"title": {"Overleg van de aanvaller"}, "date": {time.Now().Add(72 * time.Hour).Format("2006-01-02")}, "time": {"10:00"}},
		"/overleg/:id/knelpunten":         {"risk": {"Te weinig plekken in de opvang"}},
		"/overleg/:id/afsluiten":          {"confirm": {"1"}},
		"/acties/:id":                     {"done": {"1"}, "back": {"/"}},
		"/privacy/zoek":                   {"name": {"Sanne de Vries"}, "birth_date": {"2011-04-30"}},
		"/privacy/inzage":                 {"name": {"Sanne de Vries"}, "birth_date": {"2011-04-30"}},
		"/privacy/verzoeken/:id/wissen":   {"reason": {string(signal.ErasureObjection)}, "fingerprint": {"x"}, "confirm": {"1"}},
		"/privacy/escalaties/:seq":        {"status": {"handled"}},
		"/signalen/nieuw":                 validSignalForm(),
		"/signalen/verstuur":              withKey(validSignalForm(), "attack-1"),
		"/signalen/:id/vragen":            {"answers.purpose": {"coordinate_support"}},
		"/beheer/partners":                {"name": {"Partner van de aanvaller"}, "kind": {"police"}, "part": {"Iets"}, "contact.name": {"A"}, "contact.email": {"a@evil.example"}, "deputy.name": {"B"}, "deputy.email": {"b@evil.example"}},
		"/beheer/partners/:id":            {"name": {"Partner van de aanvaller"}, "kind": {"police"}, "part": {"Iets"}, "contact.name": {"A"}, "contact.email": {"a@evil.example"}, "deputy.name": {"B"}, "deputy.email": {"b@evil.example"}},
		"/beheer/convenant":               {"version": {"x"}, "signed_on": {"2026-01-01"}, "retention_months": {"12"}, "purpose": {"coordinate_support"}, "fields.coordinate_support": {"facts"}, "parties": {pe.org.ID}},
		"/beheer/accounts/:id/status":     {"disabled": {"1"}},
		"/beheer/partners/:id/inloggen":   {"issuer": {"https://login.evil.example/tenant/v2.0"}, "client_id": {"evil"}, "secret": {"evil"}, "claim": {"email"}},
		"/privacy/datalekken":             {"discovered_at": {time.Now().Add(-time.Hour).Format("2006-01-02T15:04")}, "kind": {"confidentiality"}, "cause": {"other"}, "risk": {"risk"}, "categories": {"identity"}, "young_people": {"1"}},
		"/privacy/datalekken/:id/melding": {"to": {"authority"}, "at": {time.Now().Add(-time.Minute).Format("2006-01-02T15:04")}},
	}
	routes := pagePostRoutes(se.srv)
	if len(routes) < 10 || !slices.Contains(routes, "/login") || !slices.Contains(routes, "/privacy/verzoeken/:id/wissen") {
		t.Fatalf("the router's page POST routes: %v", routes)
	}
	t.Logf("%d page POST routes: %v", len(routes), routes)

	// The attacker's site: /attack?to=<url>&f=<form> serves a page that
	// posts the form to the url as soon as it loads.
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		form, _ := url.ParseQuery(q.Get("f"))
		var b strings.Builder
		fmt.Fprintf(&b, `<!doctype html><title>Win a prize</title><form method="post" action="%s">`, html.EscapeString(q.Get("to")))
		for k, vs := range form {
			for _, v := range vs {
				fmt.Fprintf(&b, `<input type="hidden" name="%s" value="%s">`, html.EscapeString(k), html.EscapeString(v))
			}
		}
		b.WriteString(`</form><script>document.forms[0].submit()</script>`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
	}))
	t.Cleanup(attacker.Close)
	_, victimPort, _ := net.SplitHostPort(strings.TrimPrefix(se.url, "http://"))
	_, attackerPort, _ := net.SplitHostPort(strings.TrimPrefix(attacker.URL, "http://"))

	// The attacker's own valid CSRF token, from their own session.
	own := newBrowserClient(t, se.url)
	own.login("elsewhere@example.nl")
	ownToken := own.token("/")
	ownLoginToken := newBrowserClient(t, se.url).token("/login")
	if ownToken == "" || ownLoginToken == "" {
		t.Fatal("the attacker has no tokens of their own")
	}

	victims := []struct {
		name  string
		email string // "" for a visitor who is not logged in
	}{
		{"reporter", se.users[signal.RoleReporter].Email},
		{"coordinator", se.users[signal.RoleCoordinator].Email},
		{"privacy officer", se.users[signal.RolePrivacyOfficer].Email},
		{"admin", se.users[signal.RoleAdmin].Email},
		{"visitor", ""},
	}
	for _, o := range []struct{ name, victim, attacker string }{
		{"another port of the same host", "http://127.0.0.1:" + victimPort, "http://127.0.0.1:" + attackerPort},
		{"a sibling subdomain", "http://app.signaal.localhost:" + victimPort, "http://evil.signaal.localhost:" + attackerPort},
	} {
		t.Run(o.name, func(t *testing.T) {
			for _, v := range victims {
				t.Run(v.name, func(t *testing.T) {
					p := bt.NewPage(t, bt.Laptop)
					rec := recordPosts(t, p)
					if v.email != "" {
						p.Goto(o.victim+"/login", bt.CSS("#f-email"))
						p.Fill(bt.CSS("#f-email"), v.email)
						p.Fill(bt.CSS("#f-password"), testPassword)
						submit(p, bt.CSS("main button[type=submit]"), "main h1")
						if strings.Contains(bt.Eval[string](p, `location.pathname`), "/login") {
							t.Fatalf("the victim could not log in at %s", o.victim)
						}
					} else {
						// The visitor has the login page open: its nonce
						// cookie is there for the taking, if it could be.
						p.Goto(o.victim+"/login", bt.CSS("#f-email"))
					}
					for _, route := range routes {
						path := route
						for k, val := range params {
							if pv, ok := paramFor[route][k]; ok {
								val = pv
							}
							path = strings.ReplaceAll(path, k, url.PathEscape(val))
						}
						form := cloneValues(fields[route])
						if strings.HasPrefix(route, "/login") || strings.HasPrefix(route, "/wachtwoord/") { // the login forms: /login, /login/code, /login/instellen, /login/vergeten, a reset link
							form.Set(CSRFField, ownLoginToken)
						} else {
							form.Set(CSRFField, ownToken)
						}
						before := len(se.auditActions())
						signals := countSignals(t, se)
						target := o.victim + path
						p.ExpectConsoleError("403")
						rec.reset()
						chromedp.Do(p.Context(), chromedp.Navigate(o.attacker+"/attack?"+url.Values{"to": {target}, "f": {form.Encode()}}.Encode()))
						got := rec.wait(t, target)
						if got.status != http.StatusForbidden {
							t.Errorf("POST %s from %s as %s: %d; want 403", route, o.attacker, v.name, got.status)
						}
						if got.site != "same-site" {
							t.Errorf("POST %s: Sec-Fetch-Site %q; the attack is meant to come from the same site", route, got.site)
						}
						if v.email != "" && !strings.Contains(got.cookies, CookieName+"=") {
							t.Errorf("POST %s: the browser did not send the session cookie (%q); the attack proves nothing", route, got.cookies)
						}
						if after := se.auditActions(); len(after) != before {
							t.Errorf("POST %s from %s as %s changed something: %v", route, o.attacker, v.name, after[before:])
						}
						if n := countSignals(t, se); n != signals {
							t.Errorf("POST %s stored a signal", route)
						}
					}
					// Still logged in (or, the visitor, still not).
					p.Goto(o.victim+"/", bt.CSS("main h1"))
					loggedIn := !strings.HasPrefix(bt.Eval[string](p, `location.pathname`), "/login")
					if loggedIn != (v.email != "") {
						t.Errorf("%s: logged in after the attacks = %v", v.name, loggedIn)
					}
				})
			}
		})
	}

	// The harness sees a change when there is one: the reporter's own
	// "log out everywhere" from our own page goes through.
	p := bt.NewPage(t, bt.Laptop)
	rec := recordPosts(t, p)
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	before := len(se.auditActions())
	rec.reset()
	submit(p, bt.CSS("form[action='/logout/everywhere'] button"), "#f-email")
	if got := rec.wait(t, se.url+"/logout/everywhere"); got.status != http.StatusSeeOther || got.site != "same-origin" {
		t.Fatalf("our own logout everywhere: %d (%s); want 303 from same-origin", got.status, got.site)
	}
	if after := se.auditActions(); len(after) != before+1 || !strings.HasPrefix(after[before], string(signal.ActionLogoutEverywhere)) {
		t.Fatalf("our own logout everywhere is not on record: %v", after[before:])
	}
}

func withKey(v url.Values, key string) url.Values {
	v.Set("idempotency_key", key)
	return v
}

// postRecorder notes the page's POST requests: the status, the
// Sec-Fetch-Site and the cookies the browser sent.
type postRecorder struct {
	mu     sync.Mutex
	url    map[network.RequestID]string
	extra  map[network.RequestID]network.Headers
	status map[network.RequestID]int64
}

type postSeen struct {
	status        int64
	site, cookies string
}

func recordPosts(t *testing.T, p *bt.Page) *postRecorder {
	r := &postRecorder{}
	r.reset()
	err := chromedp.Listen(p.Context(), func(ev any) {
		r.mu.Lock()
		defer r.mu.Unlock()
		switch e := ev.(type) {
		// A redirect keeps the request's id: the POST's own status and
		// headers are the first seen under it.
		case *network.EventRequestWillBeSent:
			if _, ok := r.url[e.RequestID]; ok && e.RedirectResponse != nil {
				if _, seen := r.status[e.RequestID]; !seen {
					r.status[e.RequestID] = e.RedirectResponse.Status
				}
			}
			if e.Request.Method == http.MethodPost {
				r.url[e.RequestID] = e.Request.URL
			}
		case *network.EventRequestWillBeSentExtraInfo:
			if _, seen := r.extra[e.RequestID]; !seen {
				r.extra[e.RequestID] = e.Headers
			}
		case *network.EventResponseReceived:
			if _, ok := r.url[e.RequestID]; ok {
				if _, seen := r.status[e.RequestID]; !seen {
					r.status[e.RequestID] = e.Response.Status
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func header(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

func (r *postRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.url, r.extra, r.status = map[network.RequestID]string{}, map[network.RequestID]network.Headers{}, map[network.RequestID]int64{}
}

// wait returns what was seen of the POST to target, once both its
// response and the headers the browser sent are in.
func (r *postRecorder) wait(t *testing.T, target string) postSeen {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bt.Timeout)
	defer cancel()
	for {
		r.mu.Lock()
		for id, u := range r.url {
			st, ok1 := r.status[id]
			h, ok2 := r.extra[id]
			if u == target && ok1 && ok2 {
				r.mu.Unlock()
				return postSeen{status: st, site: header(h, "Sec-Fetch-Site"), cookies: header(h, "Cookie")}
			}
		}
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			t.Fatalf("no POST to %s seen", target)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
