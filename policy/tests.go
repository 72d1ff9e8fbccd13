package policy

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is the outcome of one Rego test (a rule named test_* in a
// *_test.rego file).
type TestResult struct {
	Name     string // package and rule, e.g. "data.signaal_test.test_r1_fires_on_acute_danger"
	File     string // file and line
	row      int
	Passed   bool
	Problem  string // why it failed or errored; "" when passed
	Output   string // what the test printed
	Duration time.Duration
}

// RunTests runs every Rego test in fsys against the policy in fsys, with
// OPA's tester: the same tests `opa test` would run. A policy or test file
// that does not compile is an error; failing tests are results.
func RunTests(ctx context.Context, fsys fs.FS) ([]TestResult, error) {
	files, err := readPolicy(fsys)
	if err != nil {
		return nil, err
	}
	modules, err := parse(files)
	if err != nil {
		return nil, err
	}
	ch, err := tester.NewRunner().
		SetDefaultRegoVersion(ast.RegoV1).
		CapturePrintOutput(true).
		SetModules(modules).
		RunTests(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("compile policy and tests: %w", err)
	}
	var results []TestResult
	for r := range ch {
		tr := TestResult{
			Name:     r.Package + "." + r.Name,
			Passed:   r.Pass(),
			Output:   string(r.Output),
			Duration: r.Duration,
		}
		if r.Location != nil {
			tr.File = fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
			tr.row = r.Location.Row
		}
		switch {
		case r.Error != nil:
			tr.Problem = r.Error.Error()
		case r.Fail && r.FailedAt != nil:
			tr.Problem = "failed at " + r.FailedAt.String()
		case r.Fail:
			tr.Problem = "failed"
		case r.Skip:
			tr.Problem = "skipped"
			tr.Passed = false
		}
		results = append(results, tr)
	}
	if err := ctx.Err(); err != nil {
		return results, fmt.Errorf("run policy tests: %w", err)
	}
	// In file order, as a reader of the test files expects.
	slices.SortFunc(results, func(a, b TestResult) int {
		fa, _, _ := strings.Cut(a.File, ":")
		fb, _, _ := strings.Cut(b.File, ":")
		if c := strings.Compare(fa, fb); c != 0 {
			return c
		}
		return a.row - b.row
	})
	return results, nil
}
