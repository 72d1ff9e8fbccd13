package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/signaal-nl/signaal/policy"
	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
)

var policyCommand = command{
	name:    "policy",
	summary: "evaluate the sharing policy, list its questions, run its tests",
	run:     runPolicy,
}

const policyUsage = `Usage:
  signald policy eval [--input FILE] [--policy DIR]   decide one input document (stdin by default)
  signald policy questions [--policy DIR]            print the question catalogue
  signald policy test [--policy DIR] [-v]            run the policy's Rego tests

--policy DIR uses the .rego files in DIR instead of the built-in policy.`

func runPolicy(ctx context.Context, args []string, std stdio) error {
	if len(args) == 0 {
		return usageError("missing subcommand\n%s", policyUsage)
	}
	switch args[0] {
	case "eval":
		return policyEval(ctx, args[1:], std)
	case "questions":
		return policyQuestions(ctx, args[1:], std)
	case "test":
		return policyTest(ctx, args[1:], std)
	case "-h", "--help", "help":
		fmt.Fprintln(std.out, policyUsage)
		return nil
	default:
		return usageError("unknown subcommand %q\n%s", args[0], policyUsage)
	}
}

// policyFlags parses a subcommand's flags; every one takes --policy DIR.
type policyFlags struct {
	*flag.FlagSet
	dir string
}

func newPolicyFlags(name string, std stdio) *policyFlags {
	f := &policyFlags{FlagSet: flag.NewFlagSet("signald policy "+name, flag.ContinueOnError)}
	f.SetOutput(std.err)
	f.StringVar(&f.dir, "policy", "", "use the `DIR`ectory's .rego files instead of the built-in policy")
	return f
}

// parse reports -h as done (nil, true) and any other problem as a usage error.
func (f *policyFlags) parse(args []string) (done bool, err error) {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usageError("%v", err)
	}
	if f.NArg() > 0 {
		return false, usageError("unexpected argument %q", f.Arg(0))
	}
	return false, nil
}

func (f *policyFlags) fs() (fs.FS, error) {
	if f.dir == "" {
		return rego.FS, nil
	}
	st, err := os.Stat(f.dir)
	if err != nil {
		return nil, usageError("--policy: %v", err)
	}
	if !st.IsDir() {
		return nil, usageError("--policy: %s is not a directory", f.dir)
	}
	return os.DirFS(f.dir), nil
}

func (f *policyFlags) load(ctx context.Context) (*policy.Engine, error) {
	fsys, err := f.fs()
	if err != nil {
		return nil, err
	}
	return policy.Load(ctx, fsys)
}

func policyEval(ctx context.Context, args []string, std stdio) error {
	f := newPolicyFlags("eval", std)
	input := f.String("input", "", "read the input document from `FILE` instead of stdin")
	if done, err := f.parse(args); done || err != nil {
		return err
	}
	var r io.Reader = std.in
	if *input != "" && *input != "-" {
		file, err := os.Open(*input)
		if err != nil {
			return usageError("--input: %v", err)
		}
		defer file.Close()
		r = file
	}
	// The policy first: a broken policy is reported before stdin is read.
	engine, err := f.load(ctx)
	if err != nil {
		return err
	}
	in, err := signal.DecodeDecisionInput(r)
	if err != nil {
		return inputError(err)
	}
	d, err := engine.Decide(ctx, in)
	if err != nil {
		return err
	}
	return writeJSON(std.out, d)
}

// inputError lays out an invalid input one field per line, so a long list
// of problems stays readable in a terminal.
func inputError(err error) error {
	var e *signal.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	msg := "invalid input:"
	for _, fe := range e.Fields {
		msg += "\n  " + fe.Field + ": " + fe.Problem
	}
	return errors.New(msg)
}

func policyQuestions(ctx context.Context, args []string, std stdio) error {
	f := newPolicyFlags("questions", std)
	if done, err := f.parse(args); done || err != nil {
		return err
	}
	engine, err := f.load(ctx)
	if err != nil {
		return err
	}
	return writeJSON(std.out, struct {
		PolicyVersion string            `json:"policy_version"`
		Questions     []signal.Question `json:"questions"`
	}{engine.Version(), engine.Questions()})
}

func policyTest(ctx context.Context, args []string, std stdio) error {
	f := newPolicyFlags("test", std)
	verbose := f.Bool("v", false, "list every test, not only the failing ones")
	if done, err := f.parse(args); done || err != nil {
		return err
	}
	fsys, err := f.fs()
	if err != nil {
		return err
	}
	engine, err := policy.Load(ctx, fsys)
	if err != nil {
		return err
	}
	results, err := policy.RunTests(ctx, fsys)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if !r.Passed {
			failed++
			fmt.Fprintf(std.out, "FAIL %s (%s): %s\n", r.Name, r.File, r.Problem)
			if r.Output != "" {
				fmt.Fprintf(std.out, "     output: %s\n", r.Output)
			}
		} else if *verbose {
			fmt.Fprintf(std.out, "ok   %s (%s)\n", r.Name, r.File)
		}
	}
	fmt.Fprintf(std.out, "policy %s: %d tests, %d passed, %d failed\n", engine.Version(), len(results), len(results)-failed, failed)
	switch {
	case len(results) == 0:
		return errors.New("no Rego tests found (test_* rules in *_test.rego files)")
	case failed > 0:
		return fmt.Errorf("%d of %d Rego tests failed", failed, len(results))
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
