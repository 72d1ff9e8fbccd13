package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/signaal-nl/signaal/signal"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

// bfcacheWatch records why Chromium did not keep a page in its
// back-forward cache (CDP Page.backForwardCacheNotUsed), for the messages.
type bfcacheWatch struct {
	mu      sync.Mutex
	reasons []string
}

func watchBFCache(t *testing.T, p *bt.Page) *bfcacheWatch {
	w := &bfcacheWatch{}
	err := chromedp.Listen(p.Context(), func(ev any) {
		if e, ok := ev.(*page.EventBackForwardCacheNotUsed); ok {
			w.mu.Lock()
			defer w.mu.Unlock()
			for _, x := range e.NotRestoredExplanations {
				w.reasons = append(w.reasons, string(x.Reason))
			}
		}
	})
	if err != nil {
		t.Fatalf("listen for the back-forward cache: %v", err)
	}
	return w
}

func (w *bfcacheWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.reasons, ", ")
}

// markPage leaves a mark in the page's memory (gone when the page is
// loaded anew, kept when the browser restores it from its back-forward
// cache) and records the persisted flag of its next pageshow.
func markPage(p *bt.Page) {
	bt.Eval[bool](p, `(window.bfMark = 'kept', window.bfPersisted = null,
		addEventListener('pageshow', e => { window.bfPersisted = e.persisted; }), true)`)
}

// goBack presses Back and waits for a page that shows ready (the page
// left is marked first, so the wait cannot see it). It asks the page
// itself, again and again: a page restored from the back-forward cache
// fires no load, and chromedp's DOM waits do not see it.
func goBack(t *testing.T, p *bt.Page, ready string) {
	t.Helper()
	bt.Eval[bool](p, `document.body.setAttribute('data-old', '1') === undefined`)
	bt.Eval[bool](p, `(history.back(), true)`)
	check := fmt.Sprintf(`!!(document.readyState !== 'loading' && document.body && !document.body.hasAttribute('data-old') && document.querySelector(%q))`, ready)
	deadline := time.Now().Add(bt.Timeout)
	for {
		ctx, cancel := context.WithTimeout(p.Context(), time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](check))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Back: no page with %s after %v (last: %v)", ready, bt.Timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitControlled waits until the service worker controls the page.
func waitControlled(t *testing.T, p *bt.Page) {
	t.Helper()
	if !bt.Eval[bool](p, `(async () => { await navigator.serviceWorker.ready; for (let i = 0; i < 200 && !navigator.serviceWorker.controller; i++) await new Promise(r => setTimeout(r, 50)); return !!navigator.serviceWorker.controller; })()`) {
		t.Fatal("the service worker never took control of the page")
	}
}

// restored reports whether the page on screen came back from the
// back-forward cache: its memory kept the mark and pageshow said persisted.
func restored(p *bt.Page) bool {
	return bt.Eval[bool](p, `window.bfMark === 'kept' && window.bfPersisted === true`)
}

// TestBrowserBackForwardCacheOnlyWithoutSecrets (issue 15 item 8): the
// page without anyone's data or a secret (the offline page) is restored
// from the browser's back-forward cache on Back, in real Chromium. A page
// with a young person's data is no-store; Chromium may still keep it while
// no cookie changes, and then it is shown again only to the same session:
// after logout, and after the session ended elsewhere (logout everywhere
// from another phone, which changes no cookie on this one), Back shows the
// login page, not the young person.
func TestBrowserBackForwardCacheOnlyWithoutSecrets(t *testing.T) {
	se := browserEnv(t)
	const name = "Sanne de Vries"
	sig := se.mustSubmit("school", youthBody(name, "2011-04-30", signal.Today(time.Now()).String(), signal.OutcomeShareFull), signal.OutcomeShareFull)
	email := se.users[signal.RoleReporter].Email
	signalPage := se.url + "/signalen/" + sig.ID

	p := bt.NewPage(t, bt.Phone)
	w := watchBFCache(t, p)
	bodyText := func() string { return bt.Eval[string](p, `document.body.innerText`) }
	heading := func() string {
		return bt.Eval[string](p, `(document.querySelector('main h1') || {}).textContent || ''`)
	}

	// Not in subtests: a subtest's failure must not leave the page half way.
	p.Goto(se.url+"/offline", bt.CSS("[data-offline-page]"))
	// On the very first visit the service worker installs and then claims
	// the open pages; a page already in the back-forward cache at that
	// moment is evicted (Chromium: ServiceWorkerClaim). That happens once
	// per phone, in the first second; the promise is about every visit
	// after it, so wait until the worker controls this page.
	waitControlled(t, p)
	markPage(p)
	p.Goto(se.url+"/login", bt.CSS("#f-email"))
	goBack(t, p, "[data-offline-page]")
	if !restored(p) {
		t.Errorf("Back to /offline loaded it anew; Chromium says: %s", w)
	}

	loginAs(p, se.url, email, "nl")
	p.Goto(signalPage, bt.CSS("main h1"))
	markPage(p)
	p.Goto(se.url+"/offline", bt.CSS("[data-offline-page]"))
	goBack(t, p, "main h1")
	if got := heading(); got != name {
		t.Errorf("Back to the signal page, still logged in: heading %q", got)
	}
	t.Logf("still logged in: restored from memory: %v (Chromium: %s)", restored(p), w)

	// Logout (the session cookie goes).
	p.Goto(signalPage, bt.CSS("main h1"))
	markPage(p)
	submit(p, bt.CSS(`form[action="/logout"] button`), "#f-email")
	goBack(t, p, "#f-email")
	if body := bodyText(); strings.Contains(body, name) {
		t.Errorf("after logout, Back shows %q: %s", name, body)
	}
	p.Screenshot("bfcache-back-after-logout")

	// The session ends elsewhere; this phone's cookie stays as it was.
	loginAs(p, se.url, email, "nl")
	p.Goto(signalPage, bt.CSS("main h1"))
	markPage(p)
	p.Goto(se.url+"/offline", bt.CSS("[data-offline-page]"))
	// Restored, the page asks whether its user is still logged in: 401.
	p.ExpectConsoleError("status of 401")
	other := bt.NewPage(t, bt.Phone)
	loginAs(other, se.url, email, "nl")
	submit(other, bt.CSS(`form[action="/logout/everywhere"] button`), "#f-email")
	goBack(t, p, "#f-email")
	if body := bodyText(); strings.Contains(body, name) {
		t.Errorf("after logout everywhere on another phone, Back shows %q: %s", name, body)
	}
	asked := false
	for _, m := range p.ConsoleErrors() {
		asked = asked || strings.Contains(m, "status of 401")
	}
	t.Logf("after logout everywhere: restored and asked who is logged in: %v; Chromium: %s", asked, w)
	p.Screenshot("bfcache-back-after-logout-elsewhere")
}

// TestBrowserServiceWorkerCachesOnlyTheShell (issue 15 item 8): after a
// reporter has seen the new-signal form, a signal and the home list, and
// asked the API, the phone's caches hold only the static files, the
// offline page and the reporter's empty new-signal form, and none of them
// holds the young person's name; after logout the reporter's form is gone
// too.
func TestBrowserServiceWorkerCachesOnlyTheShell(t *testing.T) {
	se := browserEnv(t)
	const name = "Sanne de Vries"
	sig := se.mustSubmit("school", youthBody(name, "2011-04-30", signal.Today(time.Now()).String(), signal.OutcomeShareFull), signal.OutcomeShareFull)
	p := bt.NewPage(t, bt.Phone)
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	if !strings.Contains(bt.Eval[string](p, `document.querySelector('main').innerHTML`), name) {
		t.Fatalf("the new-signal form does not offer the earlier young person: the test proves nothing")
	}
	if !bt.Eval[bool](p, `(async () => { await navigator.serviceWorker.ready; for (let i = 0; i < 100; i++) { if (await caches.match('/signalen/nieuw?shell=1')) return true; await new Promise(r => setTimeout(r, 50)); } return false; })()`) {
		t.Fatal("the app shell was not cached")
	}
	p.Reload(bt.CSS("#f-youth-name")) // now controlled by the worker
	p.Goto(se.url+"/signalen/"+sig.ID, bt.CSS("main h1"))
	p.Goto(se.url+"/signalen", bt.CSS("#recent"))
	if got := bt.Eval[int](p, `fetch('/api/v1/signals', {credentials: 'same-origin'}).then(r => r.status)`); got != 200 {
		t.Fatalf("GET /api/v1/signals from the page: %d", got)
	}

	type entry struct{ Cache, URL, Body string }
	const list = `(async () => { const out = []; for (const k of await caches.keys()) { const c = await caches.open(k);
		for (const r of await c.keys()) { const res = await c.match(r); const ct = res.headers.get('Content-Type') || '';
			out.push({Cache: k, URL: r.url, Body: /wasm/.test(ct) ? '' : await res.text()}); } } return out; })()`
	entries := bt.Eval[[]entry](p, list)
	shells := 0
	for _, e := range entries {
		path := strings.TrimPrefix(e.URL, se.url)
		switch {
		case strings.HasPrefix(path, "/static/") && strings.HasPrefix(e.Cache, "signaal-static-"):
		case path == "/offline" && strings.HasPrefix(e.Cache, "signaal-static-"):
		case path == "/signalen/nieuw?shell=1" && strings.HasPrefix(e.Cache, "signaal-pages-"):
			shells++
		default:
			t.Errorf("cache %s holds %s", e.Cache, path)
		}
		if strings.Contains(e.Body, name) {
			t.Errorf("cache %s: %s holds the young person's name", e.Cache, path)
		}
	}
	if shells != 1 {
		t.Errorf("%d copies of the reporter's new-signal form in the caches, want 1", shells)
	}
	t.Logf("%d cached responses", len(entries))

	submit(p, bt.CSS(`form[action="/logout"] button`), "#f-email")
	keys := bt.Eval[[]string](p, `caches.keys()`)
	for _, k := range keys {
		if strings.HasPrefix(k, "signaal-pages-") {
			t.Errorf("after logout the cache %s is still there", k)
		}
	}
	if len(keys) == 0 {
		t.Errorf("after logout no cache at all: the static files are gone too")
	}
}
