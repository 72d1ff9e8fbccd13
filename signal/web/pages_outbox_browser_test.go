package web

import (
	"context"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

// outboxRecords is what IndexedDB holds in the outbox, as the test reads
// it from the page: per entry its property names, its account tag and
// whether its ciphertext (read as text) contains needle.
const outboxRecordsJS = `new Promise(r => { const q = indexedDB.open('signaal'); q.onsuccess = () => {
	const g = q.result.transaction('outbox').objectStore('outbox').getAll();
	g.onsuccess = () => r(JSON.stringify(g.result.map(x => ({
		props: Object.keys(x).sort().join(','), account: x.account || '',
		leaks: !!x.ct && new TextDecoder('latin1').decode(new Uint8Array(x.ct)).includes(%q) }))));
}; })`

func keysOnPhone(p *bt.Page) int {
	return bt.Eval[int](p, `new Promise(r => { const q = indexedDB.open('signaal'); q.onsuccess = () => {
		if (!q.result.objectStoreNames.contains('keys')) { r(0); return; }
		const g = q.result.transaction('keys').objectStore('keys').count(); g.onsuccess = () => r(g.result); }; })`)
}

// waitOutboxEmpty waits until the phone's outbox holds nothing.
func waitOutboxEmpty(t *testing.T, p *bt.Page) {
	t.Helper()
	if !bt.Eval[bool](p, `(async () => { for (let i = 0; i < 200; i++) { const n = await new Promise(r => { const q = indexedDB.open('signaal'); q.onsuccess = () => { const g = q.result.transaction('outbox').objectStore('outbox').count(); g.onsuccess = () => r(g.result); }; }); if (n === 0) return true; await new Promise(r => setTimeout(r, 50)); } return false; })()`) {
		t.Fatal("the outbox on the phone was never emptied")
	}
}

func reporterOfSignals(t *testing.T, se *signalsEnv) []string {
	t.Helper()
	rows, err := se.app.DB.Read().QueryContext(context.Background(), "SELECT reporter_id FROM signals")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// TestBrowserSharedPhoneOutbox: a phone shared by two workers of different
// organisations (issue 15 item 4). A signal queued by the first is
// encrypted on the phone (the young person's name is not in IndexedDB),
// the login page lists nothing about it, the second worker's pages neither
// show nor send it, and their key does not decrypt it; when the first
// worker logs in again it is sent once, under their own account.
func TestBrowserSharedPhoneOutbox(t *testing.T) {
	se := browserEnv(t)
	p := bt.NewPage(t, bt.Phone)
	first := se.users[signal.RoleReporter]
	second := "elsewhere@example.nl"
	loginAs(p, se.url, first.Email, "nl")
	p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	// The page fetches the account's key while online.
	if !bt.Eval[bool](p, `(async () => { for (let i = 0; i < 100; i++) { if (await new Promise(r => { const q = indexedDB.open('signaal'); q.onsuccess = () => { if (!q.result.objectStoreNames.contains('keys')) { r(false); return; } const g = q.result.transaction('keys').objectStore('keys').count(); g.onsuccess = () => r(g.result > 0); }; })) return true; await new Promise(r => setTimeout(r, 50)); } return false; })()`) {
		t.Fatal("the phone never got its outbox key")
	}
	p.SetOffline(true)
	p.ExpectConsoleError("ERR_INTERNET_DISCONNECTED")
	p.ExpectConsoleError("401")
	fillSignal(p, "Lars Jansen")
	p.Click(bt.CSS("main button.primary"))
	p.WaitFor(bt.CSS("#saved-offline"))
	p.WaitFor(bt.CSS("#outbox-list li"))
	if got := p.Text(bt.CSS("#outbox-list li")); !strings.Contains(got, "Lars Jansen") {
		t.Fatalf("the worker's own outbox: %q", got)
	}
	recs := bt.Eval[string](p, strings.Replace(outboxRecordsJS, "%q", `"Lars"`, 1))
	if !strings.Contains(recs, `"props":"account,created,ct,iv,key,state"`) || strings.Contains(recs, `"leaks":true`) || strings.Contains(recs, "Lars") {
		t.Fatalf("the outbox on the phone is not encrypted: %s", recs)
	}

	// The first worker's session ends (here: the account is suspended, so
	// the queued signal is refused with 401 and stays), and they log out.
	if err := se.accounts.SetUserDisabled(t.Context(), cliActor, first.Email, true); err != nil {
		t.Fatal(err)
	}
	p.SetOffline(false)
	p.WaitFor(bt.CSS("#outbox-login a"))
	submit(p, bt.CSS(`form[action="/logout"] button`), "#f-email")
	if n := keysOnPhone(p); n != 0 {
		t.Errorf("after logout %d outbox keys remain on the phone", n)
	}
	// Before anyone logs in: that something waits, nothing about whom.
	p.WaitFor(bt.CSS("#outbox-login-note:not([hidden])"))
	if got := p.Text(bt.CSS("body")); strings.Contains(got, "Lars") || strings.Contains(got, "Jansen") {
		t.Fatalf("the login page shows the queued signal: %q", got)
	}
	p.Screenshot("shared-login")
	p.AssertAccessible()

	// The second worker, of another organisation, logs in on the phone.
	loginAs(p, se.url, second, "nl")
	p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	if got := p.Value(bt.CSS("#f-youth-name")); got != "" {
		t.Errorf("the second worker's form holds %q", got)
	}
	p.Goto(se.url+"/signalen", bt.CSS("main h1"))
	bt.Eval[bool](p, `new Promise(r => setTimeout(() => r(true), 500))`)
	if p.Has(bt.CSS("#outbox-list li")) || strings.Contains(p.Text(bt.CSS("body")), "Lars") {
		t.Fatalf("the second worker sees the first one's queued signal: %q", p.Text(bt.CSS("body")))
	}
	if n := countSignals(t, se); n != 0 {
		t.Fatalf("%d signals stored under the second worker's session", n)
	}
	// Their own key does not open it, whichever account it claims.
	opened := bt.Eval[string](p, `(async () => {
		const body = await (await fetch('/signalen/telefoonsleutel', {cache: 'no-store'})).json();
		const raw = Uint8Array.from(atob(body.key), c => c.charCodeAt(0));
		const key = await crypto.subtle.importKey('raw', raw, {name: 'AES-GCM'}, false, ['decrypt']);
		const recs = await new Promise(r => { const q = indexedDB.open('signaal'); q.onsuccess = () => { const g = q.result.transaction('outbox').objectStore('outbox').getAll(); g.onsuccess = () => r(g.result); }; });
		const out = [];
		for (const x of recs) {
			for (const acc of [x.account, body.account]) {
				try {
					const plain = await crypto.subtle.decrypt({name: 'AES-GCM', iv: x.iv, additionalData: new TextEncoder().encode('signaal outbox v1|' + acc + '|' + x.key)}, key, x.ct);
					out.push(new TextDecoder().decode(plain));
				} catch (e) { out.push('refused'); }
			}
		}
		return out.join(';');
	})()`)
	if opened != "refused;refused" {
		t.Fatalf("the second worker's key opens the first one's signal: %q", opened)
	}
	p.Screenshot("shared-second-worker")
	submit(p, bt.CSS(`form[action="/logout"] button`), "#f-email")

	// The first worker logs in again: it is sent, once, as theirs.
	if err := se.accounts.SetUserDisabled(t.Context(), cliActor, first.Email, false); err != nil {
		t.Fatal(err)
	}
	loginAs(p, se.url, first.Email, "nl")
	waitOutboxEmpty(t, p)
	got := reporterOfSignals(t, se)
	if len(got) != 1 || got[0] != first.ID {
		t.Fatalf("signals stored by %v, want exactly one by the first worker %s", got, first.ID)
	}
}

// TestBrowserDraftIsNeverLost: the new-signal form is kept on the phone
// from the first keystroke (issue 15 item 3): a reload, the language
// switch, the phone's Back from the check screen and a reload without a
// connection all bring back what was typed and answered; once sent, the
// draft is gone. The send states are shown in words.
func TestBrowserDraftIsNeverLost(t *testing.T) {
	se := browserEnv(t)
	p := bt.NewPage(t, bt.Phone)
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	openPhoneForm(t, p, se.url)
	// The service worker keeps the app shell for the offline reload below.
	if !bt.Eval[bool](p, `(async () => { await navigator.serviceWorker.ready; for (let i = 0; i < 100; i++) { if (await caches.match('/signalen/nieuw?shell=1')) return true; await new Promise(r => setTimeout(r, 50)); } return false; })()`) {
		t.Fatal("the app shell was not cached")
	}
	c := phoneCases[0].c
	answer := func(id string) {
		p.Click(bt.CSS(`fieldset[data-q="` + id + `"]:not([hidden]) input[value="` + c.Answers[id] + `"] + label`))
	}
	answer("risk.acute_danger")
	p.Fill(bt.CSS("#f-youth-name"), c.Name)
	bt.Eval[bool](p, `(() => { const f = document.getElementById('f-youth-birth_date'); f.value = '`+c.Birth+`'; f.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
	p.Click(bt.CSS("label[for=cat-" + c.Category + "]"))
	p.Fill(bt.CSS("#f-facts"), c.Facts)
	answer("legal_duty")
	answer("purpose")
	// Saved after the last answer (a moment after it, not at a submit).
	p.WaitFor(bt.CSS("form[data-draft=saved]"))

	check := func(when string) {
		t.Helper()
		p.WaitFor(bt.CSS("#draft-restored:not([hidden])"))
		p.WaitFor(bt.CSS(`fieldset[data-q="purpose"]:not([hidden]) input[value="coordinate_support"]:checked`))
		if got := p.Value(bt.CSS("#f-youth-name")); got != c.Name {
			t.Errorf("%s: name %q, want %q", when, got, c.Name)
		}
		if got := p.Value(bt.CSS("#f-facts")); got != c.Facts {
			t.Errorf("%s: facts %q", when, got)
		}
		if !bt.Eval[bool](p, `document.getElementById('cat-`+c.Category+`').checked && document.querySelector('input[name="answers.risk.acute_danger"][value=false]').checked && document.querySelector('input[name="answers.legal_duty"][value=false]').checked`) {
			t.Errorf("%s: the category or the answers are not back", when)
		}
	}
	p.Reload(bt.CSS("#f-youth-name"))
	check("after a reload")

	// The language switch.
	submit(p, bt.CSS(`a[hreflang=en]`), "#f-youth-name")
	check("after switching to English")
	p.Screenshot("draft-restored-en")
	p.AssertAccessible()
	submit(p, bt.CSS(`a[hreflang=nl]`), "#f-youth-name")
	check("after switching back")

	// Without a connection, the phone reloads the page from its shell.
	p.SetOffline(true)
	p.ExpectConsoleError("ERR_INTERNET_DISCONNECTED")
	p.Reload(bt.CSS("#f-youth-name"))
	check("after a reload offline")
	p.SetOffline(false)
	p.Reload(bt.CSS("#f-youth-name"))
	check("back online")

	// The check screen, then the phone's Back.
	answer("abuse.suspected")
	answer("consent.parents")
	answer("consent.recorded")
	p.WaitFor(bt.CSS("form[data-draft=saved]"))
	submit(p, bt.CSS("main button.primary"), ".panel")
	bt.Eval[bool](p, `(history.back(), true)`)
	p.WaitFor(bt.CSS("form[data-phone-policy] #f-youth-name"))
	if got := p.Value(bt.CSS("#f-youth-name")); got != c.Name {
		t.Errorf("after Back from the check screen: name %q", got)
	}

	// Sending: the state in words, then the signal; the draft is gone.
	p.WaitFor(bt.CSS(`fieldset[data-q="consent.recorded"]:not([hidden]) input[value="true"]:checked`))
	submit(p, bt.CSS("main button.primary"), ".panel")
	p.Click(bt.CSS("main form[data-outbox] button.primary"))
	p.WaitFor(bt.CSS(".tag.decided"))
	if n := countSignals(t, se); n != 1 {
		t.Fatalf("%d signals stored, want 1", n)
	}
	p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	bt.Eval[bool](p, `new Promise(r => setTimeout(() => r(true), 300))`)
	if got := p.Value(bt.CSS("#f-youth-name")); got != "" || !bt.Eval[bool](p, `document.getElementById('draft-restored').hidden`) {
		t.Errorf("after sending, the form holds the old draft: %q", got)
	}
}

// TestBrowserSendWaitsForTheNetworkInWords: the check screen's send
// without a connection says it waits for the network (not a grey button),
// and sends by itself, once, when the connection returns.
func TestBrowserSendWaitsForTheNetworkInWords(t *testing.T) {
	se := browserEnv(t)
	p := bt.NewPage(t, bt.Phone)
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	openPhoneForm(t, p, se.url)
	recordOnPhone(t, p, phoneCases[0].c)
	submit(p, bt.CSS("main button.primary"), ".panel")
	p.SetOffline(true)
	p.ExpectConsoleError("ERR_INTERNET_DISCONNECTED")
	p.Click(bt.CSS("main form[data-outbox] button.primary"))
	p.WaitFor(bt.CSS("#send-state[data-state=offline]"))
	if got := p.Text(bt.CSS("#send-state")); !strings.Contains(got, "Wacht op verbinding") {
		t.Errorf("the send state reads %q", got)
	}
	p.Screenshot("send-waiting")
	p.AssertAccessible()
	if n := countSignals(t, se); n != 0 {
		t.Fatalf("%d stored offline", n)
	}
	p.SetOffline(false)
	p.WaitFor(bt.CSS(".tag.decided"))
	if n := countSignals(t, se); n != 1 {
		t.Fatalf("%d signals stored after the connection returned, want 1", n)
	}
}
