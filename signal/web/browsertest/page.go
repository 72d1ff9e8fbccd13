package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Timeout bounds every step of a page (a navigation, a wait, a click), so a
// page that never shows what a test waits for fails the test with a message
// instead of hanging until go test's own timeout. It is generous because the
// machines that run the tests are small and shared.
const Timeout = 20 * time.Second

// Page is one browser tab, emulating one device, in a fresh browser context:
// it shares no cookies, storage, cache or service workers with other pages.
// Its methods fail the test (t.Fatal) when a step cannot be done, naming the
// step. A Page belongs to one test goroutine.
//
// Every console error, uncaught exception and Content-Security-Policy
// violation of the page fails the test when it ends, unless the test said it
// expected it with [Page.ExpectConsoleError].
type Page struct {
	t      testing.TB
	ctx    context.Context
	device Device

	mu       sync.Mutex
	inflight map[network.RequestID]bool // requests sent and not yet finished or failed
	bytes    int64                      // bytes received since the last reset
	requests int                        // requests finished since the last reset
	console  []string                   // console errors, exceptions, CSP violations
	expected []string                   // substrings of console errors the test expects

	workers map[target.ID]context.CancelFunc // service workers attached to for network emulation
}

// NewPage opens a tab emulating dev in the test's browser (see [Start]) and
// closes it when the test ends.
func NewPage(t testing.TB, dev Device) *Page {
	t.Helper()
	return Start(t).NewPage(t, dev)
}

// NewPage opens a tab emulating dev, in a new browser context, and closes it
// when the test ends.
func (b *Browser) NewPage(t testing.TB, dev Device) *Page {
	t.Helper()
	p := &Page{t: t, device: dev, inflight: map[network.RequestID]bool{}, workers: map[target.ID]context.CancelFunc{}}
	ctx, cancel := chromedp.NewContext(b.ctx,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(p.observe),
	)
	p.ctx = ctx
	t.Cleanup(func() {
		p.reportConsole()
		for _, detach := range p.workers {
			detach()
		}
		cancel()
	})
	// The first Do opens the tab; like the browser's, it takes no timeout, as
	// the tab lives as long as the context of this call.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	p.do("emulate "+dev.String(), dev.emulate())
	return p
}

// Context is the chromedp context of the tab, for steps this package does
// not offer: chromedp.Run(p.Context(), ...).
func (p *Page) Context() context.Context { return p.ctx }

// Device is the device the page emulates.
func (p *Page) Device() Device { return p.device }

// do runs actions with the step timeout and fails the test naming the step.
func (p *Page) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", step, err)
	}
}

// run runs one action with a result, like do.
func run[T any](p *Page, step string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.t.Fatalf("%s: %v", step, err)
	}
	return v
}

// observe sees every event of the tab, in order, on the tab's own goroutine:
// it must only record (see chromedp.Listen).
func (p *Page) observe(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.RedirectResponse != nil {
			p.bytes += int64(ev.RedirectResponse.EncodedDataLength)
		}
		p.inflight[ev.RequestID] = true
	case *network.EventLoadingFinished:
		if p.inflight[ev.RequestID] {
			p.bytes += int64(ev.EncodedDataLength)
			p.requests++
		}
		delete(p.inflight, ev.RequestID)
	case *network.EventLoadingFailed:
		delete(p.inflight, ev.RequestID)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			p.console = append(p.console, "console."+string(ev.Type)+": "+consoleArgs(ev.Args))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		p.console = append(p.console, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, text))
	case *log.EventEntryAdded:
		// The browser's own errors: failed loads and, with source
		// "security", Content-Security-Policy violations.
		if e := ev.Entry; e.Level == log.EntryLevelError {
			p.console = append(p.console, fmt.Sprintf("%s error: %s", e.Source, e.Text))
		}
	}
}

// consoleArgs renders the arguments of a console call as DevTools shows
// strings and numbers, and objects by their description.
func consoleArgs(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		if len(a.Value) > 0 && json.Unmarshal([]byte(a.Value), &s) == nil {
			parts = append(parts, s)
		} else if a.Description != "" {
			parts = append(parts, a.Description)
		} else {
			parts = append(parts, string(a.Value))
		}
	}
	return strings.Join(parts, " ")
}

// ExpectConsoleError tells the page that a console error containing substr
// is part of the test (a failed request while offline, say), so it does not
// fail the test.
func (p *Page) ExpectConsoleError(substr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expected = append(p.expected, substr)
}

// ConsoleErrors returns the console errors, uncaught exceptions and CSP
// violations so far, expected ones included.
func (p *Page) ConsoleErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.console...)
}

// unexpectedConsole returns the console errors that no expectation covers.
func (p *Page) unexpectedConsole() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
next:
	for _, m := range p.console {
		for _, e := range p.expected {
			if strings.Contains(m, e) {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

func (p *Page) reportConsole() {
	p.t.Helper()
	if bad := p.unexpectedConsole(); len(bad) > 0 {
		p.t.Errorf("the page (%s) logged %d unexpected console error(s):\n  %s", p.device.Name, len(bad), strings.Join(bad, "\n  "))
	}
}

// Load is what a page load cost.
type Load struct {
	URL      string
	Status   int64 // HTTP status of the document
	Bytes    int64 // bytes transferred over the network (headers and encoded bodies), all requests
	Requests int   // requests that finished
	Pending  int   // requests still open when the load was measured (long polls, say)
}

// String is a line for a test log, as in "/ 200: 3 requests, 12.4 KB transferred".
func (l Load) String() string {
	s := fmt.Sprintf("%s %d: %d requests, %.1f KB transferred", l.URL, l.Status, l.Requests, float64(l.Bytes)/1000)
	if l.Pending > 0 {
		s += fmt.Sprintf(", %d still open", l.Pending)
	}
	return s
}

// idleWait is how long a load waits, after the load event, for the page's
// remaining requests (fetches started by its script) to finish.
const idleWait = 3 * time.Second

// Goto navigates to rawURL, waits for the load event, for the page's requests
// to finish, and for ready to be visible, and returns what the load
// transferred. The figure counts every request of the load, as the network
// saw it (from the cache: next to nothing), so a first visit in a new page
// measures what a user's phone downloads.
func (p *Page) Goto(rawURL string, ready Locator) Load {
	p.t.Helper()
	return p.load("go to "+rawURL, rawURL, chromedp.NavigateResponse(rawURL), ready)
}

// Reload reloads the page, as a user pulling to refresh: storage, cookies,
// cache and service workers stay (use [Page.ClearStorage] first for a
// first-time visitor). It waits as [Page.Goto] does.
func (p *Page) Reload(ready Locator) Load {
	p.t.Helper()
	reload := func(ctx context.Context, t *chromedp.Target) (*network.Response, error) {
		return chromedp.RunResponse(ctx, chromedp.Reload())
	}
	return p.load("reload", "", reload, ready)
}

func (p *Page) load(step, rawURL string, nav chromedp.Action[*network.Response], ready Locator) Load {
	p.t.Helper()
	p.mu.Lock()
	p.bytes, p.requests = 0, 0
	clear(p.inflight)
	p.mu.Unlock()

	resp := run(p, step, nav)
	l := Load{URL: rawURL}
	if resp != nil {
		l.Status = resp.Status
		l.URL = resp.URL
	}
	p.WaitFor(ready)
	deadline := time.Now().Add(idleWait)
	for {
		p.mu.Lock()
		l.Bytes, l.Requests, l.Pending = p.bytes, p.requests, len(p.inflight)
		p.mu.Unlock()
		if l.Pending == 0 || time.Now().After(deadline) {
			return l
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitFor waits until the element is visible.
func (p *Page) WaitFor(l Locator) {
	p.t.Helper()
	sel, opts := l.query()
	p.do("wait for "+l.String(), chromedp.WaitVisible(sel, opts...))
}

// Gone waits until no element matches l: a dialog closed, a row deleted.
func (p *Page) Gone(l Locator) {
	p.t.Helper()
	deadline := time.Now().Add(Timeout)
	for p.Has(l) {
		if time.Now().After(deadline) {
			p.t.Fatalf("wait for %s to go: still there after %v", l, Timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Click clicks the element as a mouse (or, on a touch device, a finger) does.
func (p *Page) Click(l Locator) {
	p.t.Helper()
	step, click := p.click(l)
	p.do(step, click)
}

// ClickAndWait clicks a link or a form's submit button that loads another
// page (a POST answered with a redirect, say), and waits as [Page.Goto] does
// for that page, returning what it transferred (the POST and the redirect
// included) and its status.
func (p *Page) ClickAndWait(l Locator, ready Locator) Load {
	p.t.Helper()
	step, click := p.click(l)
	nav := func(ctx context.Context, t *chromedp.Target) (*network.Response, error) {
		return chromedp.RunResponse(ctx, click)
	}
	return p.load(step, "", nav, ready)
}

// click is a click, or a tap on a touch device.
func (p *Page) click(l Locator) (string, chromedp.Action[chromedp.Void]) {
	sel, opts := l.query()
	if p.device.Touch {
		return "tap " + l.String(), chromedp.Tap(sel, opts...)
	}
	return "click " + l.String(), chromedp.Click(sel, opts...)
}

// Fill replaces the value of a text field or text area with value, typed key
// by key so the page sees the same input events as from a person.
func (p *Page) Fill(l Locator, value string) {
	p.t.Helper()
	sel, opts := l.query()
	// chromedp.Clear fails on an empty textarea; emptying the value and
	// announcing it does what selecting all and deleting would.
	p.do("fill "+l.String(),
		chromedp.QueryAfter(sel, func(ctx context.Context, t *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
			return callOnNode[chromedp.Void](ctx, t, nodes[0].NodeID, `function() {
				if (this.value === "") return;
				this.value = "";
				this.dispatchEvent(new Event("input", {bubbles: true}));
			}`)
		}, opts...),
		chromedp.SendKeys(sel, value, opts...),
	)
}

// Select chooses the option with the given value in a select element, and
// fires the input and change events a person's choice fires.
func (p *Page) Select(l Locator, value string) {
	p.t.Helper()
	sel, opts := l.query()
	p.do("select "+value+" in "+l.String(), chromedp.QueryAfter(sel, func(ctx context.Context, t *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
		_, err := callOnNode[chromedp.Void](ctx, t, nodes[0].NodeID, `function(v) {
			this.value = v;
			if (this.value !== v) throw new Error("no option with value " + JSON.stringify(v));
			this.dispatchEvent(new Event("input", {bubbles: true}));
			this.dispatchEvent(new Event("change", {bubbles: true}));
		}`, value)
		return chromedp.Void{}, err
	}, opts...))
}

// Value returns the current value of a form field.
func (p *Page) Value(l Locator) string {
	p.t.Helper()
	sel, opts := l.query()
	return run(p, "read the value of "+l.String(), chromedp.Value(sel, opts...))
}

// Text returns the visible text of the element.
func (p *Page) Text(l Locator) string {
	p.t.Helper()
	sel, opts := l.query()
	return strings.TrimSpace(run(p, "read the text of "+l.String(), chromedp.Text(sel, opts...)))
}

// Has reports whether an element matching l is on the page now, without
// waiting.
func (p *Page) Has(l Locator) bool {
	p.t.Helper()
	if l.name == "" {
		return Eval[bool](p, fmt.Sprintf(`document.querySelector(%q) !== null`, l.css))
	}
	return len(run(p, "look for "+l.String(), func(ctx context.Context, t *chromedp.Target) ([]cdp.NodeID, error) {
		root, err := documentNode(ctx, t)
		if err != nil {
			return nil, err
		}
		return queryByName(ctx, t, root, l.name)
	})) > 0
}

// Eval evaluates a JavaScript expression in the page and returns its value
// decoded into T; a promise is awaited. The evaluation comes from DevTools, so
// the page's Content-Security-Policy does not block it.
func Eval[T any](p *Page, expression string) T {
	p.t.Helper()
	return run(p, "evaluate "+expression, chromedp.Evaluate[T](expression, chromedp.EvalAwaitPromise))
}

// SetOffline cuts the page off the network, as a phone in a basement, or
// brings it back. While offline, every request of the page and of its
// running service workers fails with net::ERR_INTERNET_DISCONNECTED (the
// browser logs that as a console error: expect it), and navigator.onLine and
// the online/offline events follow. A service worker that starts later is not
// cut off: call SetOffline again after registering one.
func (p *Page) SetOffline(offline bool) {
	p.t.Helper()
	p.do(fmt.Sprintf("set offline %t", offline), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		return emulateOffline(ctx, t, offline, false)
	}))
	// A service worker is a target of its own, with its own network
	// emulation: the page's does not reach the worker's fetches.
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		p.t.Fatalf("set offline %t: list the service workers: %v", offline, err)
	}
	browserContext := chromedp.FromContext(p.ctx).BrowserContextID
	for _, info := range infos {
		if info.Type != "service_worker" || info.BrowserContextID != browserContext {
			continue
		}
		// A second Do on a worker's context hangs (chromedp v0.23), so each
		// call attaches anew and then detaches the previous session.
		wctx, wcancel := chromedp.NewContext(p.ctx, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
		tctx, tcancel := context.WithTimeout(wctx, Timeout)
		err := chromedp.Do(tctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			return emulateOffline(ctx, t, offline, true)
		}))
		tcancel()
		if prev, ok := p.workers[info.TargetID]; ok {
			prev()
		}
		p.workers[info.TargetID] = wcancel
		if err != nil {
			p.t.Fatalf("set offline %t: service worker %s: %v", offline, info.URL, err)
		}
	}
}

// emulateOffline sets the network state of one target.
func emulateOffline(ctx context.Context, t *chromedp.Target, offline, worker bool) error {
	rules := []*network.Conditions{}
	if offline {
		rules = append(rules, &network.Conditions{URLPattern: "", Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	// The rules cut the requests but, as the protocol documents, leave
	// navigator.onLine alone; overrideNetworkState sets that.
	params := network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}
	if !worker {
		params.EmulateOfflineServiceWorker = new(offline)
	}
	if _, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, params); err != nil {
		return fmt.Errorf("emulate network conditions: %w", err)
	}
	if _, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: offline, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		return fmt.Errorf("override network state: %w", err)
	}
	return nil
}

// ClearStorage removes everything the current page's origin keeps in the
// browser: cookies, local and session storage, IndexedDB, cache storage,
// service workers. The next [Page.Reload] is then a first-time visit.
func (p *Page) ClearStorage() {
	p.t.Helper()
	loc := run(p, "read the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil || u.Host == "" {
		p.t.Fatalf("clear storage: the page is at %q, which has no origin", loc)
	}
	origin := u.Scheme + "://" + u.Host
	p.do("clear storage of "+origin,
		chromedp.Evaluate[chromedp.Void](`sessionStorage.clear()`),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: origin, StorageTypes: "all"}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, network.ClearBrowserCache, cdp.Empty{})
			return err
		}))
}

// screenshotName keeps test and shot names safe as file names.
var screenshotName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Screenshot saves a PNG of the whole page (beyond the viewport), at the
// device's pixel density, and returns its path. The file goes to the
// directory $SIGNAAL_SCREENSHOTS when set, so a person can look at it after
// the run, else to the test's temporary directory. Its name is the test's
// name, the device and name.
func (p *Page) Screenshot(name string) string {
	p.t.Helper()
	png := run(p, "take a screenshot", chromedp.FullScreenshot(100))
	dir := os.Getenv("SIGNAAL_SCREENSHOTS")
	if dir == "" {
		dir = p.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatalf("screenshot directory: %v", err)
	}
	file := screenshotName.ReplaceAllString(p.t.Name()+"-"+p.device.Name+"-"+name, "_") + ".png"
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatalf("save screenshot: %v", err)
	}
	p.t.Logf("screenshot: %s", path)
	return path
}
