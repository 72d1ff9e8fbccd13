package browsertest

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

//go:embed testdata
var testdata embed.FS

// strictCSP is the policy Signaal's pages are served with (signal/web's
// security headers): nothing inline, nothing from elsewhere.
const strictCSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

var done = template.Must(template.New("done").Parse(`<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Opgeslagen</title></head>
<body><main><h1>Opgeslagen</h1><p id="saved">{{.}}</p></main></body></html>`))

// sizedBytes is the size of /sized.html, a page of known size for the
// transfer measurement (?bytes=N gives another size).
const sizedBytes = 30_000

// serve starts a loopback server of testdata with the strict CSP.
func serve(t *testing.T) *httptest.Server {
	t.Helper()
	files, err := fs.Sub(testdata, "testdata")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServerFS(files))
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") })
	// A form without script, posted and answered with a redirect, as
	// server-rendered pages do.
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/done?name="+url.QueryEscape(r.PostFormValue("first")), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) {
		done.Execute(w, r.FormValue("name"))
	})
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/sized.html", func(w http.ResponseWriter, r *http.Request) {
		size := sizedBytes
		if n, err := strconv.Atoi(r.FormValue("bytes")); err == nil {
			size = n
		}
		const head = `<!doctype html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Groot</title></head><body><main><h1>Groot</h1><p>`
		const tail = `</p></main></body></html>`
		// Words, so the text wraps into a page taller than any viewport.
		filler := strings.Repeat("signaal ", size)[:size-len(head)-len(tail)]
		body := head + filler + tail
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", strictCSP)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func ruleIDs(vs []Violation) []string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	return ids
}

// TestAxe proves the scan works both ways: a good page passes on both
// devices, and a page with known faults reports exactly those rules, so a
// scan that silently checks nothing cannot pass.
func TestAxe(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	tests := []struct {
		name   string
		page   string
		device Device
		want   []string // rule ids, sorted
	}{
		{"good page on a phone passes", "/good.html", Phone, nil},
		{"good page on a laptop passes", "/good.html", Laptop, nil},
		{"image without alt, input without label and faint text are reported", "/bad.html", Laptop, []string{"color-contrast", "image-alt", "label"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &errorRecorder{TB: t}
			p := NewPage(rec, tt.device)
			p.Goto(srv.URL+tt.page, CSS("h1"))
			got := p.Axe()
			ids := ruleIDs(got)
			slices.Sort(ids)
			if !slices.Equal(ids, tt.want) {
				t.Errorf("axe rules = %v, want %v\n%s", ids, tt.want, FormatViolations(got))
			}
			for _, v := range got {
				if len(v.Nodes) == 0 || len(v.Nodes[0].Target) == 0 || v.Help == "" || v.Impact == "" {
					t.Errorf("violation %s lacks its elements, help or impact: %+v", v.ID, v)
				}
			}

			// AssertAccessible fails the test exactly when there are
			// violations, naming each rule.
			p.AssertAccessible()
			switch {
			case len(tt.want) == 0 && len(rec.errors) != 0:
				t.Errorf("AssertAccessible failed a passing page: %q", rec.errors)
			case len(tt.want) > 0 && len(rec.errors) != 1:
				t.Errorf("AssertAccessible reported %d failures, want 1", len(rec.errors))
			case len(tt.want) > 0:
				for _, id := range tt.want {
					if !strings.Contains(rec.errors[0], id) {
						t.Errorf("AssertAccessible's failure does not name %s:\n%s", id, rec.errors[0])
					}
				}
			}
		})
	}
}

// TestAxeUnderStrictCSP checks the premise of the injection: the page's CSP
// really blocks inline script (and the harness reports the violation), yet
// axe-core, evaluated through DevTools, runs there.
func TestAxeUnderStrictCSP(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	p := NewPage(t, Laptop)
	p.ExpectConsoleError("Content Security Policy")
	p.Goto(srv.URL+"/csp.html", CSS("h1"))
	if Eval[bool](p, `window.inlineScriptRan === true`) {
		t.Fatal("the inline script ran: the test server's CSP is not in force, so this test proves nothing")
	}
	if v := p.Axe(); len(v) != 0 {
		t.Errorf("axe on a clean page under CSP: %s", FormatViolations(v))
	}
	if !Eval[bool](p, `typeof axe.version === "string" && axe.version === "`+AxeVersion+`"`) {
		t.Errorf("axe-core in the page is not version %s", AxeVersion)
	}
	var csp []string
	for _, m := range p.ConsoleErrors() {
		if strings.Contains(m, "Content Security Policy") {
			csp = append(csp, m)
		}
	}
	if len(csp) != 1 {
		t.Errorf("CSP violations recorded = %q, want the one inline script", csp)
	}
}

// TestConsoleErrors checks that what a page logs as an error is caught, each
// kind in turn, and that an expectation covers it.
func TestConsoleErrors(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	p := NewPage(t, Phone)
	p.Goto(srv.URL+"/console.html", CSS("h1"))
	steps := []struct {
		name    string
		provoke string // JavaScript; "" for the page's own console.error
		want    string
	}{
		{"console.error of the page's script", "", "console.error: outbox kapot 42"},
		{"uncaught exception", `setTimeout(() => { throw new Error("kapot") }), true`, "Uncaught Error: kapot"},
		{"failed request", `fetch("/missing").then(() => true)`, "status of 404"},
	}
	for _, s := range steps {
		if s.provoke != "" {
			Eval[bool](p, s.provoke)
		}
		// The message comes as an event after the script ran; let it arrive.
		Eval[bool](p, `new Promise(r => setTimeout(() => r(true), 50))`)
		got := p.unexpectedConsole()
		if len(got) != 1 || !strings.Contains(got[0], s.want) {
			t.Fatalf("%s: unexpected console errors = %q, want one with %q", s.name, got, s.want)
		}
		p.ExpectConsoleError(s.want)
		if got := p.unexpectedConsole(); len(got) != 0 {
			t.Fatalf("%s: after ExpectConsoleError, unexpected = %q, want none", s.name, got)
		}
	}
}

// TestOffline checks that offline emulation cuts the page's requests and
// that going online restores them, as a service-worker outbox test needs.
func TestOffline(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	p := NewPage(t, Phone)
	p.Goto(srv.URL+"/good.html", Name("Nieuw signaal"))
	p.ExpectConsoleError("ERR_INTERNET_DISCONNECTED")
	const ping = `fetch("/ping", {cache: "no-store"}).then(r => r.text(), e => "failed: " + e.name)`
	steps := []struct {
		offline bool
		want    string
		onLine  bool
	}{
		{offline: true, want: "failed: TypeError", onLine: false},
		{offline: false, want: "pong", onLine: true},
	}
	for _, s := range steps {
		p.SetOffline(s.offline)
		if got := Eval[string](p, ping); got != s.want {
			t.Errorf("offline %t: fetch = %q, want %q", s.offline, got, s.want)
		}
		if got := Eval[bool](p, `navigator.onLine`); got != s.onLine {
			t.Errorf("offline %t: navigator.onLine = %t, want %t", s.offline, got, s.onLine)
		}
	}
}

// TestOfflineServiceWorker checks what the phone app's outbox needs: a page
// whose service worker cached it loads offline, and the worker's own
// requests are cut too.
func TestOfflineServiceWorker(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	p := NewPage(t, Phone)
	p.Goto(srv.URL+"/sw.html", Name("Outbox"))
	const controlled = `navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller !== null ||
		new Promise(r => navigator.serviceWorker.addEventListener("controllerchange", () => r(true))))`
	if !Eval[bool](p, controlled) {
		t.Fatal("the service worker does not control the page")
	}
	// Offline, the worker's fetches fail, and the page sees its requests
	// that the worker could not answer fail with ERR_FAILED.
	p.ExpectConsoleError("net::ERR_FAILED")
	p.SetOffline(true)
	load := p.Reload(Name("Outbox"))
	t.Logf("offline reload: %s", load)
	if got := p.Text(CSS("#online")); got != "offline" {
		t.Errorf("the page served by its worker says %q, want offline", got)
	}
	if load.Status != http.StatusOK {
		t.Errorf("offline reload status = %d, want 200 from the worker's cache", load.Status)
	}
	if got := Eval[string](p, `fetch("/ping").then(r => r.text(), e => "failed")`); got != "failed" {
		t.Errorf("offline, the worker fetched /ping from the network: %q", got)
	}
	p.SetOffline(false)
	if got := Eval[string](p, `fetch("/ping").then(r => r.text(), e => "failed")`); got != "pong" {
		t.Errorf("online again, fetch through the worker = %q, want pong", got)
	}
}

// TestTransferredBytes checks the load measurement against a page of known
// size: it must see the body and the headers, and not much else.
func TestTransferredBytes(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	p := NewPage(t, Phone)
	load := p.Goto(srv.URL+"/sized.html", CSS("h1"))
	t.Logf("load: %s", load)
	if load.Status != http.StatusOK {
		t.Errorf("status = %d, want 200", load.Status)
	}
	// Headers of the response and the favicon's 204 are a few hundred bytes.
	if load.Bytes < sizedBytes || load.Bytes > sizedBytes+2_000 {
		t.Errorf("transferred %d bytes, want between %d and %d", load.Bytes, sizedBytes, sizedBytes+2_000)
	}
	// A reload revalidates nothing (no validators), so it transfers the page
	// again; a page with assets would show its cache here.
	load = p.Goto(srv.URL+"/good.html", Name("Nieuw signaal"))
	t.Logf("load: %s", load)
	if load.Requests < 3 {
		t.Errorf("good.html load finished %d requests, want at least the page, its CSS and its script", load.Requests)
	}
}

// TestKeyboard checks the focus order a keyboard user passes through, and
// that typing and Enter submit the form.
func TestKeyboard(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	p := NewPage(t, Laptop)
	p.Goto(srv.URL+"/good.html", Name("Nieuw signaal"))
	var got []string
	for _, f := range p.TabOrder(5) {
		got = append(got, f.String())
	}
	want := []string{
		`link "Naar de inhoud"`,
		`textbox "Voornaam" #first-name`,
		`textbox "Zorg" #concern`,
		`combobox "Doel" #purpose`,
		`button "Opslaan"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("tab order:\n got %q\nwant %q", got, want)
	}
	if f := p.ShiftTab(); f.ID != "purpose" {
		t.Errorf("Shift+Tab from the button focused %s, want the purpose field", f)
	}
	p.Click(Name("Voornaam"))
	p.Type("Sam")
	p.Enter()
	if got := p.Text(CSS("#status")); got != "Opgeslagen: Sam" {
		t.Errorf("status after typing and Enter = %q, want %q", got, "Opgeslagen: Sam")
	}
}

// TestForm drives a scripted form by labels on a phone (taps), as the page
// tests will; TestFormPost does the laptop.
func TestForm(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	p := NewPage(t, Phone)
	p.Goto(srv.URL+"/good.html", Name("Nieuw signaal"))
	p.Fill(Name("Voornaam"), "Noor")
	p.Fill(Name("Voornaam"), "Sam") // replaces, does not append
	p.Fill(Name("Zorg"), "Slaapt slecht")
	p.Select(Name("Doel"), "care")
	if got := p.Value(CSS("#first-name")); got != "Sam" {
		t.Errorf("first name = %q, want Sam", got)
	}
	if got := p.Value(Name("Zorg")); got != "Slaapt slecht" {
		t.Errorf("concern = %q, want %q", got, "Slaapt slecht")
	}
	p.Click(Name("Opslaan"))
	if got := p.Text(CSS("#status")); got != "Opgeslagen: Sam (care)" {
		t.Errorf("status = %q, want %q", got, "Opgeslagen: Sam (care)")
	}
	if !p.Has(Name("Opslaan")) || p.Has(Name("Verwijderen")) {
		t.Error("Has: want the save button and no delete button")
	}
	Eval[bool](p, `setTimeout(() => document.querySelector("form").remove(), 100), true`)
	p.Gone(Name("Opslaan"))
	if p.Has(CSS("form")) {
		t.Error("Gone returned while the form is still there")
	}
}

// TestFormPost checks the flow of a server-rendered form: filled by label,
// submitted by a tap or by Enter, answered with a redirect to a new page.
func TestFormPost(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	tests := []struct {
		name   string
		device Device
		submit func(t *testing.T, p *Page)
	}{
		{"tap on a phone", Phone, func(t *testing.T, p *Page) {
			load := p.ClickAndWait(Name("Versturen"), Name("Opgeslagen"))
			t.Logf("post and redirect: %s", load)
			if load.Status != http.StatusOK || !strings.Contains(load.URL, "/done?") {
				t.Errorf("ClickAndWait's load = %s, want 200 from /done", load)
			}
			if load.Requests < 2 || load.Bytes == 0 {
				t.Errorf("ClickAndWait's load = %s, want the POST and the page it redirected to", load)
			}
		}},
		{"Enter on a laptop", Laptop, func(t *testing.T, p *Page) {
			p.Click(Name("Voornaam"))
			p.Enter()
			p.WaitFor(Name("Opgeslagen"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPage(t, tt.device)
			p.Goto(srv.URL+"/form.html", Name("Versturen"))
			p.Fill(Name("Voornaam"), "Sam <b>")
			tt.submit(t, p)
			if got := p.Text(CSS("#saved")); got != "Sam <b>" {
				t.Errorf("saved name = %q, want %q", got, "Sam <b>")
			}
		})
	}
}

// TestStorage checks that a reload keeps what the page stored and that
// ClearStorage makes the next visit a first one.
func TestStorage(t *testing.T) {
	t.Parallel()
	srv := serve(t)
	p := NewPage(t, Phone)
	p.Goto(srv.URL+"/good.html", Name("Nieuw signaal"))
	Eval[bool](p, `localStorage.setItem("outbox", "1"), true`)
	p.Reload(Name("Nieuw signaal"))
	if got := Eval[string](p, `localStorage.getItem("outbox") ?? "none"`); got != "1" {
		t.Errorf("after reload, outbox = %q, want 1", got)
	}
	p.ClearStorage()
	p.Reload(Name("Nieuw signaal"))
	if got := Eval[string](p, `localStorage.getItem("outbox") ?? "none"`); got != "none" {
		t.Errorf("after ClearStorage and reload, outbox = %q, want none", got)
	}

	// Pages are isolated: a new page in the same browser sees nothing.
	q := NewPage(t, Phone)
	Eval[bool](p, `localStorage.setItem("outbox", "2"), true`)
	q.Goto(srv.URL+"/good.html", Name("Nieuw signaal"))
	if got := Eval[string](q, `localStorage.getItem("outbox") ?? "none"`); got != "none" {
		t.Errorf("a new page sees outbox = %q, want none", got)
	}
}

// TestScreenshot checks the emulated device as the page sees it, that the
// screenshot is a PNG of the emulated width in device pixels, and that the
// full page (beyond the viewport) is in it.
func TestScreenshot(t *testing.T) { // not parallel: it sets $SIGNAAL_SCREENSHOTS
	srv := serve(t)
	tests := []struct {
		dev Device
		dir string // $SIGNAAL_SCREENSHOTS; "" for the test's temporary directory
	}{
		{Phone, t.TempDir()},
		{Laptop, ""},
	}
	for _, tt := range tests {
		t.Run(tt.dev.Name, func(t *testing.T) {
			t.Setenv("SIGNAAL_SCREENSHOTS", tt.dir)
			p := NewPage(t, tt.dev)
			// About one and a half screens of text: beyond the viewport,
			// and no bigger, as large screenshots are slow.
			p.Goto(srv.URL+fmt.Sprintf("/sized.html?bytes=%d", tt.dev.Width*tt.dev.Height/80), CSS("h1"))

			seen := Eval[string](p, `[innerWidth, innerHeight, devicePixelRatio, matchMedia("(pointer: coarse)").matches, /Mobile/.test(navigator.userAgent)].join(" ")`)
			if want := fmt.Sprintf("%d %d %g %t %t", tt.dev.Width, tt.dev.Height, tt.dev.Scale, tt.dev.Touch, tt.dev.Mobile); seen != want {
				t.Errorf("the page sees width, height, pixel ratio, coarse pointer, mobile = %s, want %s", seen, want)
			}

			path := p.Screenshot("sized")
			if tt.dir != "" && filepath.Dir(path) != tt.dir {
				t.Errorf("screenshot at %s, want it in $SIGNAAL_SCREENSHOTS %s", path, tt.dir)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("screenshot is not a PNG: %v", err)
			}
			size := img.Bounds().Size()
			if want := int(float64(tt.dev.Width) * tt.dev.Scale); size.X != want {
				t.Errorf("screenshot width = %d px, want %d (%s)", size.X, want, tt.dev)
			}
			pageHeight := Eval[float64](p, `document.documentElement.scrollHeight`)
			if want := int(pageHeight * tt.dev.Scale); size.Y < want || pageHeight <= float64(tt.dev.Height) {
				t.Errorf("screenshot height = %d px for a page %g CSS px high, want the full page (%d px) beyond the %d px viewport", size.Y, pageHeight, want, tt.dev.Height)
			}
		})
	}
}

// errorRecorder is a test that records its Errorf calls instead of failing,
// and is otherwise the real test.
type errorRecorder struct {
	testing.TB
	errors []string
}

func (r *errorRecorder) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}

// fakeTB records how a test was stopped.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()                       {}
func (f *fakeTB) Skipf(format string, a ...any) { f.skipped = fmt.Sprintf(format, a...) }
func (f *fakeTB) Fatalf(format string, a ...any) {
	f.failed = fmt.Sprintf(format, a...)
}

func TestMissingChromium(t *testing.T) {
	none := func(string) (string, error) { return "", errors.New("not found") }
	only := func(path string) func(string) (string, error) {
		return func(name string) (string, error) {
			if name == path {
				return path, nil
			}
			return "", errors.New("not found")
		}
	}
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	finds := []struct {
		name     string
		getenv   func(string) string
		lookPath func(string) (string, error)
		want     string // path, or a part of the error
	}{
		{"chromium on PATH", env(), only("chromium"), "chromium"},
		{"only /usr/bin/chromium", env(), only("/usr/bin/chromium"), "/usr/bin/chromium"},
		{"$CHROMIUM wins", env("CHROMIUM", "/opt/chrome"), only("/opt/chrome"), "/opt/chrome"},
		{"$CHROMIUM that does not exist is an error, not a fallback", env("CHROMIUM", "/opt/nope"), only("chromium"), `$CHROMIUM is "/opt/nope"`},
		{"nothing installed says how to install", env(), none, "apt-get install chromium"},
	}
	for _, tt := range finds {
		t.Run(tt.name, func(t *testing.T) {
			path, err := findChromium(tt.getenv, tt.lookPath)
			got := path
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("findChromium = %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("skips locally", func(t *testing.T) {
		f := &fakeTB{}
		missing(f, false, errNoChromium)
		if f.skipped == "" || f.failed != "" {
			t.Errorf("skipped %q, failed %q: want a skip", f.skipped, f.failed)
		}
	})
	t.Run("fails under CI", func(t *testing.T) {
		f := &fakeTB{}
		missing(f, true, errNoChromium)
		if f.failed == "" || f.skipped != "" {
			t.Errorf("skipped %q, failed %q: want a failure", f.skipped, f.failed)
		}
	})
}
