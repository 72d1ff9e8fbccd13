// Package browsertest drives Signaal's pages in a real headless Chromium, the
// way a youth worker on a phone or a coordinator on a laptop uses them: it
// emulates the device, fills fields by their label, tabs with the keyboard,
// goes offline, measures what a page load transfers, takes screenshots for a
// person to look at, and scans every page with axe-core for WCAG 2.1 AA.
//
// A test opens a page and writes its steps; everything it starts is closed
// when the test ends:
//
//	p := browsertest.NewPage(t, browsertest.Phone)
//	load := p.Goto(srv.URL+"/signalen/nieuw", browsertest.Name("Nieuw signaal"))
//	t.Logf("first load: %s", load) // 200: 4 requests, 12.3 KB transferred
//	p.AssertAccessible()
//	p.Fill(browsertest.Name("Voornaam"), "Sam")
//	p.ClickAndWait(browsertest.Name("Opslaan"), browsertest.Name("Signaal opgeslagen"))
//	p.AssertAccessible()
//
// docs/testing.md has the rest: keyboard, offline, screenshots, console.
//
// The browser is Debian's chromium (or $CHROMIUM). When it is missing a test
// skips, except under CI=true, where it fails: CI must never count a browser
// check that did not run as passed.
//
// Every page runs in its own browser context (a fresh profile: no cookies,
// storage or service workers of another page), so one browser can serve a
// whole test package. A package that calls [Main] from its TestMain shares
// one browser between its tests; without it each test starts its own.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Browser is one running headless Chromium.
type Browser struct {
	ctx context.Context // the chromedp context of the browser's first tab
}

// flags are the command-line flags of every browser the package starts.
// The background-networking flags matter: without them Chromium reaches out to
// update and sync servers, and on a closed network those connections hang or
// fail and slow every test. --no-sandbox is needed because tests often run as
// root (in CI and on development machines), where Chromium's sandbox refuses
// to start; the pages under test are our own, served from loopback.
var flags = []chromedp.ExecAllocatorOption{
	chromedp.Headless,
	chromedp.NoSandbox,
	chromedp.DisableGPU,
	chromedp.NoFirstRun,
	chromedp.NoDefaultBrowserCheck,
	chromedp.Flag("disable-quic", true),
	chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-sync", true),
	chromedp.Flag("disable-dev-shm-usage", true),
	chromedp.Flag("disable-extensions", true),
	chromedp.Flag("disable-default-apps", true),
	chromedp.Flag("disable-breakpad", true),
	chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
	chromedp.Flag("safebrowsing-disable-auto-update", true),
	chromedp.Flag("metrics-recording-only", true),
	chromedp.Flag("password-store", "basic"),
	chromedp.Flag("use-mock-keychain", true),
	// Screenshots and contrast checks must not depend on the machine's
	// colour profile.
	chromedp.Flag("force-color-profile", "srgb"),
	// Keep timers running in background tabs, so a page's own timers (an
	// outbox retry, say) behave as in a visible tab.
	chromedp.Flag("disable-background-timer-throttling", true),
	chromedp.Flag("disable-renderer-backgrounding", true),
	chromedp.Flag("disable-backgrounding-occluded-windows", true),
}

// errNoChromium says why no browser could be found.
var errNoChromium = errors.New("no Chromium found: install Debian's chromium (apt-get install chromium) or set $CHROMIUM to its path")

// findChromium returns the path of the browser: $CHROMIUM when set, else the
// first of chromium, chromium-browser, google-chrome on $PATH, else
// /usr/bin/chromium.
func findChromium(getenv func(string) string, lookPath func(string) (string, error)) (string, error) {
	if p := getenv("CHROMIUM"); p != "" {
		if _, err := lookPath(p); err != nil {
			return "", fmt.Errorf("$CHROMIUM is %q but that is not an executable: %w", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		if p, err := lookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errNoChromium
}

// missing stops a test that has no browser: a skip on a developer's machine,
// a failure under CI=true.
func missing(t testing.TB, ci bool, err error) {
	t.Helper()
	if ci {
		t.Fatalf("browser test cannot run under CI=true: %v", err)
		return
	}
	t.Skipf("browser test skipped: %v (under CI=true this fails)", err)
}

// launch starts a browser whose profile lives in dir. stop closes it and waits
// for its processes to end.
func launch(dir string) (b *Browser, stop func(), err error) {
	path, err := findChromium(os.Getenv, exec.LookPath)
	if err != nil {
		return nil, nil, err
	}
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
	}, flags...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	stop = func() {
		cancelCtx()
		cancelAlloc()
	}
	// The first Do starts the browser. It gets no timeout: the browser lives
	// as long as the context of this first call.
	if err := chromedp.Do(ctx); err != nil {
		stop()
		return nil, nil, fmt.Errorf("start %s: %w", path, err)
	}
	return &Browser{ctx: ctx}, stop, nil
}

// shared is the browser of a test package that uses [Main].
var shared struct {
	mu      sync.Mutex
	enabled bool
	b       *Browser
	err     error
	stop    func()
	dir     string
}

// Main runs the tests of a package with one browser shared by all of them,
// started by the first test that needs it and closed after the last:
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
//
// Pages stay isolated from each other (see [Browser.NewPage]). The exit
// status is that of m.Run.
func Main(m *testing.M) {
	shared.mu.Lock()
	shared.enabled = true
	shared.mu.Unlock()
	defer func() {
		shared.mu.Lock()
		defer shared.mu.Unlock()
		if shared.stop != nil {
			shared.stop()
		}
		if shared.dir != "" {
			os.RemoveAll(shared.dir)
		}
	}()
	m.Run()
}

// Start returns a running browser for the test: the package's shared browser
// under [Main], else a new one closed when the test ends. Without a browser
// the test skips, or fails under CI=true.
func Start(t testing.TB) *Browser {
	t.Helper()
	ci := os.Getenv("CI") == "true"
	if _, err := findChromium(os.Getenv, exec.LookPath); err != nil {
		missing(t, ci, err)
		return nil
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.enabled {
		if shared.b == nil && shared.err == nil {
			shared.dir, shared.err = os.MkdirTemp("", "browsertest-")
			if shared.err == nil {
				shared.b, shared.stop, shared.err = launch(shared.dir)
			}
		}
		if shared.err != nil {
			t.Fatalf("start the shared browser: %v", shared.err)
		}
		return shared.b
	}
	b, stop, err := launch(t.TempDir())
	if err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	// Registered after TempDir's cleanup, so it runs first: the browser ends
	// before its profile directory is removed.
	t.Cleanup(stop)
	return b
}
