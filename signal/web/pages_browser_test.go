package web

import (
	"context"
	"fmt"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
	"github.com/signaal-nl/signaal/signal"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

func TestMain(m *testing.M) { bt.Main(m) }

// firstPageBudget is the limit on what the first page a phone
// loads may transfer.
const firstPageBudget = 50_000

// browserEnv is a real server with the signals service, fixed to a day, for
// the browser tests.
func browserEnv(t *testing.T) *signalsEnv {
	se := newSignalsEnv(t)
	se.srv.now = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	return se
}

func loginAs(p *bt.Page, base, email, lang string) bt.Load {
	if lang == "en" {
		p.Goto(base+"/taal?lang=en&next=%2Flogin", bt.CSS("#f-email"))
	}
	load := p.Goto(base+"/login", bt.CSS("#f-email"))
	p.Fill(bt.CSS("#f-email"), email)
	p.Fill(bt.CSS("#f-password"), testPassword)
	submit(p, bt.CSS("main button[type=submit]"), "a.button.primary[href='/signalen/nieuw']")
	return load
}

// submit clicks l, which posts a form, and waits for the next page: the
// old page is marked first, so a wait cannot see the old page's elements.
func submit(p *bt.Page, l bt.Locator, ready string) {
	bt.Eval[bool](p, `document.body.setAttribute('data-old', '1') === undefined`)
	p.Click(l)
	p.WaitFor(bt.CSS("body:not([data-old]) " + ready))
}

// fillSignal fills screens one and two of a new signal.
func fillSignal(p *bt.Page, name string) {
	p.WaitFor(bt.CSS("#f-youth-name"))
	p.Fill(bt.CSS("#f-youth-name"), name)
	bt.Eval[bool](p, `(document.getElementById('f-youth-birth_date').value = '2011-04-02') !== ''`)
	p.Click(bt.CSS("label[for=cat-school_absence]"))
	p.Fill(bt.CSS("#f-facts"), "Was drie weken niet op school. Zegt zelf dat het thuis onrustig is.")
}

// answer answers the policy's questions from answers until the summary.
func answerQuestions(t *testing.T, p *bt.Page, answers map[string]string, shoot bool) []string {
	t.Helper()
	var asked []string
	for i := 0; i < 20; i++ {
		q := bt.Eval[string](p, `(document.querySelector('input[name=asked]') || {value: ''}).value`)
		if q == "" {
			return asked
		}
		asked = append(asked, q)
		if i == 0 && shoot {
			p.Screenshot("question")
			p.AssertAccessible()
		}
		v, ok := answers[q]
		if !ok {
			t.Fatalf("no answer for question %s", q)
		}
		sel := fmt.Sprintf(`input[name="answers.%s"][value="%s"] + label`, q, v)
		if !bt.Eval[bool](p, fmt.Sprintf("document.querySelector(%q) !== null", sel)) {
			t.Fatalf("question %s has no answer %s", q, v)
		}
		p.Click(bt.CSS(sel))
		submit(p, bt.CSS("main button.primary"), "main h1")
	}
	t.Fatal("the questions never end")
	return nil
}

var consentGiven = map[string]string{
	"risk.acute_danger": "false", "legal_duty": "false", "purpose": "coordinate_support",
	"abuse.suspected": "false", "consent.youth": "given", "consent.parents": "given", "consent.recorded": "true",
}

func TestBrowserRecordASignal(t *testing.T) {
	for _, lang := range []string{"nl", "en"} {
		t.Run(lang, func(t *testing.T) {
			se := browserEnv(t)
			p := bt.NewPage(t, bt.Phone)
			load := loginAs(p, se.url, se.users[signal.RoleReporter].Email, lang)
			t.Logf("bytes: login (first page, cold): %s", load)
			if load.Bytes > firstPageBudget {
				t.Errorf("the first page transferred %d bytes, more than %d", load.Bytes, firstPageBudget)
			}
			p.Screenshot("home-empty")
			p.AssertAccessible()

			// The login page with its error summary.
			q := bt.NewPage(t, bt.Phone)
			if lang == "en" {
				q.Goto(se.url+"/taal?lang=en&next=%2Flogin", bt.CSS("#f-email"))
			}
			q.Goto(se.url+"/login", bt.CSS("#f-email"))
			q.Screenshot("login")
			q.AssertAccessible()
			q.ExpectConsoleError("status of 400")
			submit(q, bt.CSS("main button[type=submit]"), ".error-summary")
			q.Screenshot("login-errors")
			q.AssertAccessible()

			p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
			p.Screenshot("new")
			p.AssertAccessible()
			// Next without anything: the error summary links to each field.
			p.ExpectConsoleError("status of 400")
			submit(p, bt.CSS("main button.primary"), ".error-summary")
			if got := bt.Eval[string](p, `document.activeElement.className`); got != "error-summary" {
				t.Errorf("the error summary does not have the focus: %q", got)
			}
			p.Screenshot("new-errors")
			p.AssertAccessible()
			p.Click(bt.CSS(".error-summary a[href='#f-facts']"))
			if got := bt.Eval[string](p, `location.hash`); got != "#f-facts" {
				t.Errorf("the link to the facts field went to %q", got)
			}

			fillSignal(p, "Sam de Vries")
			submit(p, bt.CSS("main button.primary"), "main h1")
			asked := answerQuestions(t, p, consentGiven, true)
			t.Logf("asked %v", asked)
			p.WaitFor(bt.CSS(".panel"))
			p.Screenshot("summary")
			p.AssertAccessible()
			if !strings.Contains(p.Text(bt.CSS(".panel")), map[string]string{"nl": "Delen mag", "en": "Sharing is allowed"}[lang]) {
				t.Errorf("summary: %s", p.Text(bt.CSS(".panel")))
			}
			submit(p, bt.CSS("main form[data-outbox] button.primary"), ".tag.decided")
			p.Screenshot("stored")
			p.AssertAccessible()
			if got := p.Text(bt.CSS("main h1")); got != "Sam de Vries" {
				t.Errorf("signal page heading %q", got)
			}
			if n := countSignals(t, se); n != 1 {
				t.Fatalf("%d signals stored, want 1", n)
			}
			p.Goto(se.url+"/signalen", bt.CSS("#recent"))
			p.Screenshot("home")
			p.AssertAccessible()

			// An emergency: 112 first.
			p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
			fillSignal(p, "Noor Bakker")
			submit(p, bt.CSS("main button.primary"), "main h1")
			answerQuestions(t, p, map[string]string{"risk.acute_danger": "true"}, false)
			p.WaitFor(bt.CSS(".emergency a[href='tel:112']"))
			p.Screenshot("emergency")
			p.AssertAccessible()

			// The offline page and an error page.
			p.Goto(se.url+"/offline", bt.CSS("main h1"))
			p.AssertAccessible()
			p.ExpectConsoleError("status of 404")
			p.Goto(se.url+"/signalen/nope", bt.CSS("main h1"))
			p.AssertAccessible()
		})
	}
}

func TestBrowserOfflineSignalIsSentOnceWhenBackOnline(t *testing.T) {
	se := browserEnv(t)
	p := bt.NewPage(t, bt.Phone)
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	// Wait until the service worker runs and the app shell is kept.
	if !bt.Eval[bool](p, `navigator.serviceWorker.ready.then(() => true)`) {
		t.Fatal("no service worker")
	}
	if !bt.Eval[bool](p, `(async () => { for (let i = 0; i < 100; i++) { if (await caches.match('/signalen/nieuw?shell=1')) return true; await new Promise(r => setTimeout(r, 50)); } return false; })()`) {
		t.Fatal("the app shell was not cached")
	}
	p.Reload(bt.CSS("#f-youth-name")) // now controlled by the worker

	p.SetOffline(true)
	p.ExpectConsoleError("ERR_INTERNET_DISCONNECTED")
	fillSignal(p, "Lars Jansen")
	p.Click(bt.CSS("main button.primary"))
	p.WaitFor(bt.CSS("#saved-offline"))
	p.WaitFor(bt.CSS("#outbox-list li"))
	p.Screenshot("saved-offline")
	p.AssertAccessible()

	// The phone is closed and opened again, still without a connection.
	p.Reload(bt.CSS("#outbox-list li"))
	if got := p.Text(bt.CSS("#outbox-list li")); !strings.Contains(got, "Lars Jansen") || !strings.Contains(got, "wacht op verzending") {
		t.Fatalf("outbox after reload: %q", got)
	}
	p.Screenshot("offline-reloaded")
	if n := countSignals(t, se); n != 0 {
		t.Fatalf("%d signals stored while offline", n)
	}

	p.SetOffline(false)
	p.Gone(bt.CSS("#outbox-list li"))
	if n := countSignals(t, se); n != 1 {
		t.Fatalf("%d signals stored after coming back online, want 1", n)
	}
	// Once acknowledged, it is gone from the phone, and a reload sends nothing again.
	p.Goto(se.url+"/signalen", bt.CSS("#recent"))
	if n := bt.Eval[int](p, `new Promise(r => { const q = indexedDB.open('signaal'); q.onsuccess = () => { const g = q.result.transaction('outbox').objectStore('outbox').count(); g.onsuccess = () => r(g.result); }; })`); n != 0 {
		t.Fatalf("%d items left in the outbox", n)
	}
	if n := countSignals(t, se); n != 1 {
		t.Fatalf("%d signals stored, want exactly 1", n)
	}
	p.Screenshot("home-after-sync")
	if !strings.Contains(p.Text(bt.CSS("#recent")), "Lars Jansen") {
		t.Fatalf("home does not list the synced signal")
	}
}

func TestBrowserExpiredSessionKeepsTheQueuedSignal(t *testing.T) {
	se := browserEnv(t)
	p := bt.NewPage(t, bt.Phone)
	email := se.users[signal.RoleReporter].Email
	loginAs(p, se.url, email, "nl")
	p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	p.SetOffline(true)
	p.ExpectConsoleError("ERR_INTERNET_DISCONNECTED")
	p.ExpectConsoleError("401")
	fillSignal(p, "Mila Smit")
	p.Click(bt.CSS("main button.primary"))
	p.WaitFor(bt.CSS("#outbox-list li"))

	// The session ends while the phone is offline (here: the account is
	// suspended, so its token is refused with 401 as an expired one is).
	if err := se.accounts.SetUserDisabled(t.Context(), cliActor, email, true); err != nil {
		t.Fatal(err)
	}
	p.SetOffline(false)
	p.WaitFor(bt.CSS("#outbox-login a"))
	p.Screenshot("login-again")
	if n := countSignals(t, se); n != 0 {
		t.Fatalf("%d stored without a session", n)
	}
	if err := se.accounts.SetUserDisabled(t.Context(), cliActor, email, false); err != nil {
		t.Fatal(err)
	}
	submit(p, bt.CSS("#outbox-login a"), "#f-email")
	p.Fill(bt.CSS("#f-email"), email)
	p.Fill(bt.CSS("#f-password"), testPassword)
	submit(p, bt.CSS("main button[type=submit]"), "a.button.primary[href='/signalen/nieuw']")
	// The entry is decrypted with the key fetched after login: wait until
	// the phone's outbox is empty, not only the list on the page.
	waitOutboxEmpty(t, p)
	p.Gone(bt.CSS("#outbox-list li"))
	if n := countSignals(t, se); n != 1 {
		t.Fatalf("%d signals stored after logging in again, want 1", n)
	}
}

func TestBrowserKeyboardOnly(t *testing.T) {
	se := browserEnv(t)
	p := bt.NewPage(t, bt.Phone)
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	tabTo := func(id string) {
		t.Helper()
		for i := 0; i < 30; i++ {
			if f := p.Tab(); f.ID == id {
				return
			}
		}
		t.Fatalf("Tab never reached #%s", id)
	}
	tabTo("f-youth-name")
	p.Type("Daan Visser")
	tabTo("f-youth-birth_date")
	// A date field takes its parts in the browser's locale order.
	if bt.Eval[bool](p, `new Intl.DateTimeFormat().formatToParts(new Date(2011, 3, 2))[0].type === 'month'`) {
		p.Type("04022011")
	} else {
		p.Type("02042011")
	}
	if got := p.Value(bt.CSS("#f-youth-birth_date")); got != "2011-04-02" {
		t.Fatalf("birth date by keyboard: %q", got)
	}
	tabTo("cat-school_absence")
	p.Type(" ")
	tabTo("f-facts")
	p.Type("Komt steeds te laat.")
	tabTo("f-observed_on")
	for i := 0; i < 15; i++ {
		if f := p.Tab(); f.Role == "button" {
			break
		}
	}
	if f := p.Focused(); f.Name != "Volgende" {
		t.Fatalf("focus on %s, want the Volgende button", f)
	}
	enter := func(ready string) {
		t.Helper()
		bt.Eval[bool](p, `document.body.setAttribute('data-old', '1') === undefined`)
		p.Enter()
		p.WaitFor(bt.CSS("body:not([data-old]) " + ready))
	}
	enter("main h1")
	// The questions: Tab to the answer, Space to choose, Enter to go on.
	for i := 0; i < 20; i++ {
		q := bt.Eval[string](p, `(document.querySelector('input[name=asked]') || {value: ''}).value`)
		if q == "" {
			break
		}
		want := consentGiven[q]
		for j := 0; j < 20; j++ {
			f := p.Tab()
			if bt.Eval[string](p, `document.activeElement.value || ''`) == want || f.Role == "radio" && want == "" {
				break
			}
			if f.Role == "radio" {
				// Arrow keys move within a radio group.
				for k := 0; k < 8 && bt.Eval[string](p, `document.activeElement.value || ''`) != want; k++ {
					p.Type(kb.ArrowDown)
				}
				break
			}
		}
		p.Type(" ")
		enter("main h1")
	}
	p.WaitFor(bt.CSS(".panel"))
	for i := 0; i < 15; i++ {
		if f := p.Tab(); f.Name == "Verstuur signaal" {
			break
		}
	}
	p.Screenshot("keyboard-summary")
	enter(".tag.decided")
	p.Screenshot("keyboard-stored")
	if n := countSignals(t, se); n != 1 {
		t.Fatalf("%d signals stored by keyboard, want 1", n)
	}
}

// TestBrowserBytesPerPage measures what each page transfers on a first
// visit (a fresh browser profile: no cache, no service worker), logged in
// by the session cookie.
func TestBrowserBytesPerPage(t *testing.T) {
	se := browserEnv(t)
	b := newBrowserClient(t, se.url)
	b.login(se.users[signal.RoleReporter].Email)
	first := b.post("/signalen/nieuw", validSignalForm())
	_, fields, _ := formOf(t, first.body)
	fields.Set("idempotency_key", "bytes-1")
	sent := b.post("/signalen/verstuur", fields)
	u, _ := url.Parse(se.url)
	var token string
	for _, ck := range b.c.Jar.Cookies(u) {
		if ck.Name == CookieName {
			token = ck.Value
		}
	}
	pages := []struct{ path, ready string }{
		{"/login", "#f-email"},
		{"/signalen", "main h1"},
		{"/signalen/nieuw", "#f-youth-name"},
		{sent.header.Get("Location"), "main h1"},
		{"/offline", "main h1"},
	}
	for _, pg := range pages {
		p := bt.NewPage(t, bt.Phone)
		if pg.path != "/login" {
			setCookie(t, p, se.url, CookieName, token)
		}
		load := p.Goto(se.url+pg.path, bt.CSS(pg.ready))
		t.Logf("bytes: %-40s %6.1f KB in %d requests", pg.path, float64(load.Bytes)/1000, load.Requests)
		if load.Bytes > firstPageBudget {
			t.Errorf("%s transferred %d bytes, more than %d", pg.path, load.Bytes, firstPageBudget)
		}
	}
}

func setCookie(t *testing.T, p *bt.Page, base, name, value string) {
	t.Helper()
	yes := true // the __Host- prefix: Secure, Path=/
	err := chromedp.Do(p.Context(), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: base, Path: "/", Secure: &yes, HTTPOnly: &yes, SameSite: network.CookieSameSiteStrict})
		return err
	}))
	if err != nil {
		t.Fatalf("set cookie: %v", err)
	}
}

// TestBrowserInstallableAndZoom: Chromium finds the app installable (its
// own check of the manifest, icons and service worker), and every page
// reflows at 200% zoom (a 360 px phone at 200% is 180 CSS px wide): no
// sideways scrolling (WCAG 1.4.4, 1.4.10).
func TestBrowserInstallableAndZoom(t *testing.T) {
	se := browserEnv(t)
	p := bt.NewPage(t, bt.Phone)
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	bt.Eval[bool](p, `navigator.serviceWorker.ready.then(() => true)`)
	var errs []string
	err := chromedp.Do(p.Context(), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		m, err := cdp.Call(ctx, tg, page.GetAppManifest, page.GetAppManifestParams{})
		if err != nil {
			return err
		}
		for _, e := range m.Errors {
			errs = append(errs, "manifest: "+e.Message)
		}
		if m.Manifest == nil || m.URL == "" {
			errs = append(errs, "no manifest found")
		}
		res, err := cdp.Call(ctx, tg, page.GetInstallabilityErrors, cdp.Empty{})
		if err != nil {
			return err
		}
		for _, e := range res.InstallabilityErrors {
			// Test pages run in a fresh browser context, which Chromium
			// treats as incognito, where nothing is installable.
			if e.ErrorID != "in-incognito" {
				errs = append(errs, e.ErrorID)
			}
		}
		return nil
	}))
	if err != nil {
		t.Fatalf("installability: %v", err)
	}
	if len(errs) > 0 {
		t.Errorf("Chromium says the app is not installable: %v", errs)
	}

	zoomed := bt.Phone
	zoomed.Name, zoomed.Width, zoomed.Height, zoomed.Scale = "phone-200pct", 180, 370, 4
	z := bt.NewPage(t, zoomed)
	loginAs(z, se.url, se.users[signal.RoleReporter].Email, "nl")
	for _, pg := range []struct{ path, ready string }{
		{"/signalen", "main h1"}, {"/signalen/nieuw", "#f-youth-name"}, {"/offline", "main h1"},
	} {
		z.Goto(se.url+pg.path, bt.CSS(pg.ready))
		if w := bt.Eval[int](z, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
			z.Screenshot("overflow")
			t.Errorf("%s at 200%%: %d px wider than the screen", pg.path, w)
		}
	}
	z.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	fillSignal(z, "Sam de Vries")
	submit(z, bt.CSS("main button.primary"), "main h1")
	answerQuestions(t, z, consentGiven, false)
	z.WaitFor(bt.CSS(".panel"))
	z.Screenshot("summary")
	if w := bt.Eval[int](z, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
		t.Errorf("summary at 200%%: %d px wider than the screen", w)
	}
}

// A signal saved offline that the server refuses (here: a date in the
// future) is not lost: it is opened in the form to be corrected.
func TestBrowserRefusedSignalIsCorrectedNotLost(t *testing.T) {
	se := browserEnv(t)
	p := bt.NewPage(t, bt.Phone)
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	p.SetOffline(true)
	p.ExpectConsoleError("ERR_INTERNET_DISCONNECTED")
	p.ExpectConsoleError("status of 400")
	fillSignal(p, "Eva de Boer")
	today := signal.Today(time.Now())
	future, past := today.AddDays(30).String(), today.AddDays(-2).String()
	bt.Eval[bool](p, fmt.Sprintf(`(document.getElementById('f-observed_on').value = %q) !== ''`, future))
	p.Click(bt.CSS("main button.primary"))
	p.WaitFor(bt.CSS("#outbox-list li"))
	p.SetOffline(false)
	p.WaitFor(bt.CSS("#outbox-list li a.button"))
	p.Screenshot("refused")
	if n := countSignals(t, se); n != 0 {
		t.Fatalf("%d stored", n)
	}
	submit(p, bt.CSS("#outbox-list li a.button"), "#f-youth-name")
	p.WaitFor(bt.CSS("#outbox-list li"))
	if got := p.Value(bt.CSS("#f-facts")); !strings.Contains(got, "drie weken") {
		t.Fatalf("the form was not filled in again: facts %q", got)
	}
	if got := p.Value(bt.CSS("#f-youth-name")); got != "Eva de Boer" {
		t.Fatalf("name %q", got)
	}
	bt.Eval[bool](p, fmt.Sprintf(`(document.getElementById('f-observed_on').value = %q) !== ''`, past))
	submit(p, bt.CSS("main button.primary"), "main h1")
	if q := bt.Eval[string](p, `(document.querySelector('input[name=asked]') || {value: ''}).value`); q != "risk.acute_danger" {
		t.Fatalf("after correcting: asked %q", q)
	}
	if n := bt.Eval[int](p, `new Promise(r => { const q = indexedDB.open('signaal'); q.onsuccess = () => { const g = q.result.transaction('outbox').objectStore('outbox').count(); g.onsuccess = () => r(g.result); }; })`); n != 0 {
		t.Fatalf("%d items left in the outbox", n)
	}
}
