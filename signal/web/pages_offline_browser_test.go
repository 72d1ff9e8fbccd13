package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/signaal-nl/signaal/signal"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

// offlineTexts are the words each screen of the offline flow must say, per
// language (the catalogue's, i18n/pages.json).
var offlineTexts = map[string]struct{ fill, check, result, waiting, sent, differs string }{
	"nl": {"Stap 1 van 3: invullen", "Stap 2 van 3: controleren en versturen", "Stap 3 van 3: resultaat",
		"Wacht op verbinding", "Verstuurd.", "de server besliste anders dan je telefoon"},
	"en": {"Step 1 of 3: fill in", "Step 2 of 3: check and send", "Step 3 of 3: result",
		"Waiting for a connection", "Sent.", "the server decided differently from your phone"},
}

// serverDecision is the stored signal's decided outcome and the level the
// meeting sees it at.
func serverDecision(t *testing.T, se *signalsEnv, id string) (outcome, level string) {
	t.Helper()
	if err := se.app.DB.Read().QueryRowContext(context.Background(),
		"SELECT json_extract(decision, '$.outcome'), meeting_level FROM signals WHERE id = ?", id).Scan(&outcome, &level); err != nil {
		t.Fatalf("signal %s: %v", id, err)
	}
	return outcome, level
}

// pageTextOf is the text of the element with id, shown or not.
func pageTextOf(p *bt.Page, id string) string {
	return bt.Eval[string](p, fmt.Sprintf(`document.getElementById(%q).textContent`, id))
}

// waitSent waits until the page shows the signal sent: the phone sends by
// itself when the connection returns, trying again after a send that
// failed or hung (app.js gives one up after 15 s), so this may take more
// than one wait of the browser test.
func waitSent(t *testing.T, p *bt.Page) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.Context(), 90*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) #send-state[data-state=sent]"))); err != nil {
		t.Fatalf("the signal was never shown sent: %v (the page: %s, state %q)", err,
			bt.Eval[string](p, `location.pathname`), bt.Eval[string](p, `(document.querySelector('[data-state]') || {dataset: {}}).dataset.state || ''`))
	}
}

// openOfflineForm opens the new-signal form with the network already cut:
// the service worker serves the app shell, the policy runs on the phone.
func openOfflineForm(t *testing.T, p *bt.Page, base string) {
	t.Helper()
	p.SetOffline(true)
	p.Goto(base+"/signalen/nieuw", bt.CSS("form[data-phone-policy]"))
	discardDraft(p, base)
	bt.Eval[bool](p, `(document.getElementById('f-youth-name').focus(), true)`)
	p.WaitFor(bt.CSS("form[data-phone=ready]"))
}

// readyForOffline opens the form online once, so the phone has what it
// needs without a connection: the service worker with the app shell and
// the policy, and the account's outbox key.
func readyForOffline(t *testing.T, p *bt.Page, base string) {
	t.Helper()
	openPhoneForm(t, p, base)
	if !bt.Eval[bool](p, `(async () => { await navigator.serviceWorker.ready; for (let i = 0; i < 100; i++) {
		const keys = await new Promise(r => { const q = indexedDB.open('signaal'); q.onsuccess = () => { if (!q.result.objectStoreNames.contains('keys')) { r(0); return; } const g = q.result.transaction('keys').objectStore('keys').count(); g.onsuccess = () => r(g.result); }; });
		if (keys > 0 && await caches.match('/signalen/nieuw?shell=1')) return true;
		await new Promise(r => setTimeout(r, 50)); } return false; })()`) {
		t.Fatal("the phone never got the app shell or its outbox key")
	}
}

// TestBrowserFiveCasesOffline: issue 15's "done when". Each of the five
// cases, in Dutch and in English, on a phone without a connection from the
// moment the form opens (the service worker serves it): the signal with
// its questions (screen 1), the check of what is shared, with whom and
// why, with the name and the exact text (screen 2), and the result
// (screen 3: waiting for a connection, in words). Nothing reaches the
// server offline; when the connection returns the signal is sent by
// itself, stored once, with the server deciding as the phone did, and the
// screen says it was sent. axe finds nothing on any screen. The counts per
// case are logged (not timed).
func TestBrowserFiveCasesOffline(t *testing.T) {
	se := browserEnv(t)
	type row struct {
		lang, name           string
		screens, taps, chars int
	}
	var rows []row
	for _, lang := range []string{"nl", "en"} {
		w := offlineTexts[lang]
		p := bt.NewPage(t, bt.Phone)
		p.ExpectConsoleError("ERR_INTERNET_DISCONNECTED")
		loginAs(p, se.url, se.users[signal.RoleReporter].Email, lang)
		readyForOffline(t, p, se.url)
		for _, pc := range phoneCases {
			t.Run(lang+"/"+pc.name, func(t *testing.T) {
				shot := func(n int) { p.Screenshot(fmt.Sprintf("offline-%s-%s-%d", lang, pc.name, n)) }
				before := countSignals(t, se)
				openOfflineForm(t, p, se.url)
				if got := p.Text(bt.CSS("#screen-step")); got != w.fill {
					t.Errorf("screen 1's step reads %q", got)
				}
				n := recordOnPhone(t, p, pc.c)
				if got := bt.Eval[string](p, `document.querySelector('form[data-phone-policy]').dataset.phoneOutcome`); got != string(pc.c.Outcome) {
					t.Fatalf("offline, the phone decided %q, want %q (asked %v)", got, pc.c.Outcome, n.Asked)
				}
				shot(1)
				p.AssertAccessible()

				// Screen 2: the check, on the phone.
				p.Click(bt.CSS("main button.primary"))
				p.WaitFor(bt.CSS("#phone-check:not([hidden])"))
				if got := p.Text(bt.CSS("#screen-step")); got != w.check {
					t.Errorf("screen 2's step reads %q", got)
				}
				if !bt.Eval[bool](p, `document.activeElement === document.querySelector('main h1')`) {
					t.Error("screen 2: the focus is not on the screen's heading")
				}
				if bt.Eval[bool](p, `document.getElementById('f-facts').offsetParent !== null`) {
					t.Error("screen 2 still shows the form's fields")
				}
				level := bt.Eval[string](p, `JSON.parse(document.getElementById('phone-decision-field').value).level`)
				check := p.Text(bt.CSS("#phone-check"))
				if !strings.Contains(check, p.Text(bt.CSS("#phone-recipient"))) {
					t.Errorf("screen 2 does not say with whom: %q", check)
				}
				identified := level == "full" || level == "minimal" || level == "existence"
				if got := pageTextOf(p, "check-name"); (got == pc.c.Name) != identified {
					t.Errorf("level %s: screen 2 shows the name as %q", level, got)
				}
				withText := level == "full" || level == "minimal" || level == "anonymous"
				if got := pageTextOf(p, "check-text"); strings.Contains(got, pc.c.Facts) != withText {
					t.Errorf("level %s: screen 2 shows the text as %q", level, got)
				}
				if withText && !p.Has(bt.CSS("#check-text-note:not([hidden])")) {
					t.Error("screen 2 does not say the server checks the text when it is sent")
				}
				if got, want := bt.Eval[int](p, `document.querySelectorAll('#check-reasons li').length`), bt.Eval[int](p, `document.querySelectorAll('#phone-reasons li').length`); got != want || got == 0 {
					t.Errorf("screen 2 gives %d reasons, the decision %d", got, want)
				}
				report := pc.c.Outcome == signal.OutcomeReportVeiligThuis
				if report && !bt.Eval[bool](p, `(() => { const s = document.getElementById('report-step'); return s.offsetParent !== null && !!s.querySelector('a[href="tel:08002000"]') && !s.contains(document.getElementById('check-send')); })()`) {
					t.Error("screen 2: the report to Veilig Thuis is not a step of its own with the number, apart from the send button")
				}
				if pc.c.Outcome == signal.OutcomeEmergency && !bt.Eval[bool](p, `document.getElementById('acute-emergency').offsetParent !== null`) {
					t.Error("screen 2: acute danger, but 112 is not shown")
				}
				shot(2)
				p.AssertAccessible()

				// "Wijzigen" goes back with everything kept; "Volgende" again.
				p.Click(bt.CSS("#check-edit"))
				p.WaitFor(bt.CSS("form[data-screen=fill] #f-facts"))
				if got := p.Value(bt.CSS("#f-facts")); got != pc.c.Facts || p.Text(bt.CSS("#screen-step")) != w.fill {
					t.Errorf("back on screen 1 the facts read %q, the step %q", got, p.Text(bt.CSS("#screen-step")))
				}
				p.Click(bt.CSS("main button.primary"))
				p.WaitFor(bt.CSS("#phone-check:not([hidden])"))
				// The phone's Back does the same.
				bt.Eval[bool](p, `(history.back(), true)`)
				p.WaitFor(bt.CSS("form[data-screen=fill] #f-facts"))
				p.Click(bt.CSS("main button.primary"))
				p.WaitFor(bt.CSS("#phone-check:not([hidden])"))

				// Screen 3: kept on the phone, waiting for a connection.
				p.Click(bt.CSS("#check-send"))
				p.WaitFor(bt.CSS("#phone-sent:not([hidden]) #phone-send-state[data-state=offline]"))
				if got := p.Text(bt.CSS("#screen-step")); got != w.result {
					t.Errorf("screen 3's step reads %q", got)
				}
				if got := p.Text(bt.CSS("#phone-send-state")); !strings.Contains(got, w.waiting) {
					t.Errorf("screen 3 says %q", got)
				}
				shot(3)
				p.AssertAccessible()
				if got := countSignals(t, se); got != before {
					t.Fatalf("%d signals stored without a connection", got-before)
				}

				// The connection returns: sent by itself, once.
				bt.Eval[bool](p, `document.body.setAttribute('data-old', '1') === undefined`)
				p.SetOffline(false)
				waitSent(t, p)
				waitOutboxEmpty(t, p)
				if got := countSignals(t, se); got != before+1 {
					t.Fatalf("%d signals stored, want 1", got-before)
				}
				id := bt.Eval[string](p, `location.pathname.split('/').pop()`)
				outcome, meeting := serverDecision(t, se, id)
				if outcome != string(pc.c.Outcome) || meeting != level {
					t.Errorf("the server decided %s at %s, the phone %s at %s", outcome, meeting, pc.c.Outcome, level)
				}
				if got := p.Text(bt.CSS("#screen-step")); got != w.result {
					t.Errorf("the result's step reads %q", got)
				}
				if got := p.Text(bt.CSS("#send-state")); got != w.sent {
					t.Errorf("the result says %q", got)
				}
				shot(4)
				p.AssertAccessible()
				taps := n.Taps + 2 // + Volgende, + Verstuur
				rows = append(rows, row{lang, pc.name, 3, taps, n.Chars})
				t.Logf("case %s (%s): screens 3, taps %d (%d on screen 1 + Volgende + Verstuur), characters %d; asked %v; phone and server: %s at %s",
					pc.name, lang, taps, n.Taps, n.Chars, n.Asked, outcome, meeting)
			})
		}
	}
	for _, r := range rows {
		t.Logf("%-3s %-24s screens %d  taps %2d  characters %3d", r.lang, r.name, r.screens, r.taps, r.chars)
	}
}

// TestBrowserOfflineSendRetriedOnce: the connection returns, the first
// send reaches the server but its answer is lost (a dropped connection);
// the phone tries again by itself and the signal is stored once. A signal
// the server decides otherwise than the phone showed is not stored: the
// worker is told, in words, and can open it to check again.
func TestBrowserOfflineSendRetriedOnce(t *testing.T) {
	se := browserEnv(t)
	p := bt.NewPage(t, bt.Phone)
	p.ExpectConsoleError("ERR_INTERNET_DISCONNECTED")
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	readyForOffline(t, p, se.url)
	toResult := func(c phoneCase) {
		openOfflineForm(t, p, se.url)
		recordOnPhone(t, p, c)
		p.Click(bt.CSS("main button.primary"))
		p.WaitFor(bt.CSS("#phone-check:not([hidden])"))
	}

	t.Run("answer-lost", func(t *testing.T) {
		toResult(phoneCases[0].c)
		p.Click(bt.CSS("#check-send"))
		p.WaitFor(bt.CSS("#phone-send-state[data-state=offline]"))
		// The first send reaches the server; its answer never arrives.
		bt.Eval[bool](p, `(() => { const real = window.fetch; sessionStorage.setItem('posts', '0');
			window.fetch = (url, opts) => {
				if (String(url).endsWith('/api/v1/signals') && opts && opts.method === 'POST') {
					const n = Number(sessionStorage.getItem('posts')) + 1;
					sessionStorage.setItem('posts', String(n));
					if (n === 1) { return real(url, opts).then(() => { throw new TypeError('Failed to fetch'); }); }
				}
				return real(url, opts);
			}; return true; })()`)
		bt.Eval[bool](p, `document.body.setAttribute('data-old', '1') === undefined`)
		p.SetOffline(false)
		waitSent(t, p)
		if n := bt.Eval[string](p, `sessionStorage.getItem('posts')`); n != "2" {
			t.Errorf("sent %s times, want 2 (lost, then retried)", n)
		}
		waitOutboxEmpty(t, p)
		if n := countSignals(t, se); n != 1 {
			t.Fatalf("%d signals stored, want 1", n)
		}
	})

	t.Run("server-differs", func(t *testing.T) {
		before := countSignals(t, se)
		toResult(phoneCases[1].c)
		// As if the phone had an older policy that decided otherwise.
		bt.Eval[bool](p, `(() => { const f = document.querySelector('form[data-phone-policy]'); const real = f.phoneCheck.decision;
			f.phoneCheck.decision = () => Object.assign(real(), {outcome: 'share_full', level: 'full'}); return true; })()`)
		p.ExpectConsoleError("409")
		p.SetOffline(false)
		p.Click(bt.CSS("#check-send"))
		p.WaitFor(bt.CSS("#phone-send-state[data-state=rejected]"))
		if got := p.Text(bt.CSS("#phone-send-state")); !strings.Contains(got, offlineTexts["nl"].differs) {
			t.Errorf("the refusal reads %q", got)
		}
		if got := p.Text(bt.CSS("main h1")); got != "Het signaal is niet verstuurd" {
			t.Errorf("the refused signal's heading reads %q", got)
		}
		if !p.Has(bt.CSS(`#phone-send-problem:not([hidden]) a[href^="/signalen/nieuw?herstel="]`)) {
			t.Error("no way to open the signal to check it again")
		}
		p.Screenshot("offline-server-differs")
		p.AssertAccessible()
		if n := countSignals(t, se); n != before {
			t.Fatalf("%d signals stored though the server decided otherwise than the phone", n-before)
		}
		// Opened again, online: the form holds what was typed and answered,
		// and "Volgende" shows the server's check.
		fix := bt.Eval[string](p, `document.getElementById('phone-send-fix').getAttribute('href')`)
		p.Goto(se.url+fix, bt.CSS("form[data-phone-policy]"))
		c := phoneCases[1].c
		if !bt.Eval[bool](p, fmt.Sprintf(`(async () => { for (let i = 0; i < 100; i++) { if (document.getElementById('f-youth-name').value === %q && document.querySelector('input[name="answers.consent.youth"][value=refused]:checked')) return true; await new Promise(r => setTimeout(r, 50)); } return false; })()`, c.Name)) {
			t.Fatal("the signal opened again lost what was typed or answered")
		}
		p.Screenshot("offline-server-differs-reopened")
		submit(p, bt.CSS("main button.primary"), "#screen-step")
		p.Screenshot("offline-server-differs-check")
		if got := p.Text(bt.CSS("#screen-step")); got != offlineTexts["nl"].check {
			t.Errorf("opened again, Volgende shows %q", got)
		}
	})
}
