package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/signaal-nl/signaal/signal"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

// One Chromium for the package's browser tests (it starts only when one
// runs).
func TestMain(m *testing.M) { bt.Main(m) }

// sdkPath is the vendored @open-policy-agent/opa-wasm, as the app serves it.
var sdkPath = filepath.Join("..", "signal", "web", "static", "vendor", "opa-wasm-browser.esm.js")

// flowInput is one input of the question-flow walk with the server's
// decision for it.
type flowInput struct {
	input    signal.DecisionInput
	decision signal.Decision
}

// flowInputs walks the question flow (walkQuestionFlow) with the Go engine:
// every input a form decides on the way, incomplete ones too, since those
// decide which question the phone shows next.
func flowInputs(t testing.TB) []flowInput {
	t.Helper()
	var out []flowInput
	walkQuestionFlow(t, engine(t), func(in signal.DecisionInput, d signal.Decision) {
		out = append(out, flowInput{in, d})
	})
	return out
}

// wasmPage serves the test page, the vendored SDK, the engine's
// policy.wasm, the question catalogue and the inputs on a loopback server,
// and opens the page on a phone once the policy is loaded.
func wasmPage(t testing.TB, inputs []flowInput) *bt.Page {
	t.Helper()
	w := wasmPolicy(t)
	page, err := os.ReadFile(filepath.Join("testdata", "wasm-page.html"))
	if err != nil {
		t.Fatal(err)
	}
	sdk, err := os.ReadFile(sdkPath)
	if err != nil {
		t.Fatal(err)
	}
	questions, err := json.Marshal(engine(t).Questions())
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]signal.DecisionInput, len(inputs))
	for i, in := range inputs {
		docs[i] = in.input
	}
	// The contract's JSON of each input, as the page will build it from the
	// answers and as the API receives it.
	inputsJSON, err := json.Marshal(docs)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]struct {
		contentType string
		body        []byte
	}{
		"/":                               {"text/html; charset=utf-8", []byte(strings.Replace(string(page), "__POLICY_VERSION__", w.Version, 1))},
		"/vendor/opa-wasm-browser.esm.js": {"text/javascript; charset=utf-8", sdk},
		"/policy.wasm":                    {"application/wasm", w.Module},
		"/questions.json":                 {"application/json", questions},
		"/inputs.json":                    {"application/json", inputsJSON},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", f.contentType)
		rw.Write(f.body)
	}))
	t.Cleanup(srv.Close)
	p := bt.NewPage(t, bt.Phone)
	p.Goto(srv.URL+"/", bt.CSS("body[data-ready]"))
	return p
}

// TestWasmDecidesAsTheServer runs every input of the question flow (every
// complete path and every step on the way) through policy.wasm with OPA's
// JavaScript SDK in Chromium, as the phone will, and compares each decision
// document, policy_version included, with the Go engine's. The phone may
// show a decision before sending only if it is the one the server makes.
func TestWasmDecidesAsTheServer(t *testing.T) {
	t.Parallel()
	inputs := flowInputs(t)
	p := wasmPage(t, inputs)
	if n := bt.Eval[int](p, "window.decideAll()"); n != len(inputs) {
		t.Fatalf("the page decided %d inputs, want %d", n, len(inputs))
	}
	const batch = 500 // decisions per DevTools message (~0.7 MB)
	complete, bad := 0, 0
	for start := 0; start < len(inputs); start += batch {
		end := min(start+batch, len(inputs))
		got := bt.Eval[[]json.RawMessage](p, fmt.Sprintf("window.decisions.slice(%d, %d)", start, end))
		if len(got) != end-start {
			t.Fatalf("decisions %d to %d: the page returned %d", start, end, len(got))
		}
		for i, raw := range got {
			in := inputs[start+i]
			if in.decision.Outcome != signal.OutcomeIncomplete {
				complete++
			}
			want, err := json.Marshal(in.decision)
			if err != nil {
				t.Fatal(err)
			}
			if !sameJSON(t, raw, want) {
				if bad++; bad <= 5 {
					input, _ := json.Marshal(in.input)
					t.Errorf("input %s:\n wasm %s\n   go %s", input, raw, want)
				}
			}
		}
	}
	t.Logf("%d inputs compared (%d complete paths, %d steps on the way), %d differ", len(inputs), complete, len(inputs)-complete, bad)
	if bad > 0 {
		t.Errorf("%d of %d wasm decisions differ from the server's", bad, len(inputs))
	}
	if complete < 1000 {
		t.Errorf("only %d complete paths compared; the walk has thousands", complete)
	}
}

// sameJSON compares two JSON documents as values: key order aside, equal.
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("decode %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

// BenchmarkWasmDecisionOnPhone measures what a youth worker waits for on a
// mid-range phone (Chromium's CPU throttled 4x, as DevTools' "mid-tier
// mobile"): from a changed answer to the frame showing the updated decision.
// Each iteration changes the answer as a tap does; the page's handler
// decides the next input of the question-flow walk with policy.wasm and
// renders the outcome, the reasons and the next question, and the clock
// stops when the next frame is done.
//
// The baseline, measured in the same run on the same throttled page, is the
// same change answered by a handler that only writes the answer: what any
// input costs before the policy does anything, including the wait for the
// next frame (at 60 Hz up to 16.7 ms). x-baseline is the ratio of the
// medians: 1 means the decision costs the user no extra frame.
//
// Reported: ms/decision (median, target < 50), ms/handler (the decision and
// its rendering, without the frame), ms/baseline, x-baseline and ms/first
// (the first decision after the module loaded, before the engine warmed up),
// and ms/handler-1x, the handler without the throttle.
// ns/op is CDP's round trip and not reported.
func BenchmarkWasmDecisionOnPhone(b *testing.B) {
	p := wasmPage(b, flowInputs(b))
	if n := bt.Eval[int](p, "window.loadInputs()"); n == 0 {
		b.Fatal("no inputs on the page")
	}
	throttle := func(rate float64) {
		b.Helper()
		err := chromedp.Do(p.Context(), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: rate})
			return err
		}))
		if err != nil {
			b.Fatalf("throttle the CPU %gx: %v", rate, err)
		}
	}
	measure := func(mode string) (handler, frame float64) {
		ms := bt.Eval[[]float64](p, fmt.Sprintf("window.measure(%q)", mode))
		return ms[0], ms[1]
	}

	throttle(4)
	_, first := measure("decide")
	for range 50 { // let the engine tier the module up, as a form's first answers do
		measure("decide")
		measure("baseline")
	}
	var handlers, frames, baselines []float64
	b.ResetTimer()
	for b.Loop() {
		h, f := measure("decide")
		handlers, frames = append(handlers, h), append(frames, f)
		_, base := measure("baseline")
		baselines = append(baselines, base)
	}
	b.StopTimer()

	// The handler unthrottled, to show the throttle at work (about 4x).
	throttle(1)
	var unthrottled []float64
	for range 50 {
		h, _ := measure("decide")
		unthrottled = append(unthrottled, h)
	}

	decision, baseline := median(frames), median(baselines)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(decision, "ms/decision")
	b.ReportMetric(median(handlers), "ms/handler")
	b.ReportMetric(baseline, "ms/baseline")
	b.ReportMetric(decision/baseline, "x-baseline")
	b.ReportMetric(first, "ms/first")
	b.ReportMetric(median(unthrottled), "ms/handler-1x")
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
