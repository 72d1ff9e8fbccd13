package policy

import (
	"context"
	"os"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	regofs "github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
)

// trivialPolicy is the baseline: one rule reading one input field,
// prepared and evaluated the way Engine prepares the real decision.
const trivialPolicy = `package signaal

decision := {"outcome": "do_not_share"} if input.risk.acute_danger == false
`

func prepareTrivial(tb testing.TB) rego.PreparedEvalQuery {
	tb.Helper()
	m, err := ast.ParseModuleWithOpts("trivial.rego", trivialPolicy, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		tb.Fatal(err)
	}
	pq, err := rego.New(rego.Query(decisionQuery), rego.ParsedModule(m)).PrepareForEval(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return pq
}

func benchInput(tb testing.TB, name string) signal.DecisionInput {
	tb.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	in, err := signal.DecodeDecisionInput(f)
	if err != nil {
		tb.Fatal(err)
	}
	return in
}

// BenchmarkDecide measures a full decision (validation, evaluation, contract
// check) against the baseline of the same prepared query on a one-rule
// policy with the same input, measured in the same run. ns/op and
// allocs/op are the full decision's; x-baseline is the ratio of the median
// CPU time per evaluation of the two, measured in alternating rounds. CPU
// time rather than wall time, because this machine is shared and noisy:
// waiting for a core is not the policy's cost. Target: x-baseline <= 2.
func BenchmarkDecide(b *testing.B) {
	ctx := context.Background()
	e, err := Load(ctx, regofs.FS)
	if err != nil {
		b.Fatal(err)
	}
	trivial := prepareTrivial(b)
	for _, tc := range []struct{ name, file string }{
		{"contract_example", "contract-example.json"},     // R8: ask consent, through the age rule
		{"conflict_of_duties", "conflict-of-duties.json"}, // R9a: the longest path through the rules
	} {
		in := benchInput(b, tc.file)
		if _, err := e.Decide(ctx, in); err != nil {
			b.Fatal(err)
		}
		input := inputValue(in)
		full := func() {
			if _, err := e.Decide(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		baseline := func() {
			if _, err := trivial.Eval(ctx, rego.EvalParsedInput(input)); err != nil {
				b.Fatal(err)
			}
		}

		b.Run(tc.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				full()
			}
			b.ReportMetric(medianRatio(full, baseline, 1), "x-baseline")
		})
		b.Run(tc.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					full()
				}
			})
			b.StopTimer()
			b.ReportMetric(medianRatio(full, baseline, runtime.GOMAXPROCS(0)), "x-baseline")
		})
	}
}

// medianRatio runs rounds of full and baseline evaluations, alternating,
// each round on the given number of goroutines and about 20ms long, and
// returns the ratio of the median CPU time per evaluation.
func medianRatio(full, baseline func(), goroutines int) float64 {
	const rounds = 11
	perOp := func(f func(), n int) float64 {
		start := cpuTime()
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for range n {
					f()
				}
			})
		}
		wg.Wait()
		return float64(cpuTime()-start) / float64(n*goroutines)
	}
	size := func(f func()) int {
		per := perOp(f, 5)
		return max(5, int(float64(20*time.Millisecond)/max(per, 1)))
	}
	nf, nb := size(full), size(baseline)
	var fs, bs []float64
	for range rounds {
		bs = append(bs, perOp(baseline, nb))
		fs = append(fs, perOp(full, nf))
	}
	slices.Sort(fs)
	slices.Sort(bs)
	return fs[rounds/2] / bs[rounds/2]
}

// cpuTime is the CPU time this process has used, in user and system mode.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
