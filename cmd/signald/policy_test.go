package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
)

const contractExample = "../../policy/testdata/contract-example.json"

// runSignald runs signald in-process with stdin and returns the exit status,
// stdout and stderr.
func runSignald(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, stdio{in: strings.NewReader(stdin), out: &out, err: &errOut})
	return code, out.String(), errOut.String()
}

func TestPolicyEvalContractExample(t *testing.T) {
	doc, err := os.ReadFile(contractExample)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"from a file", "", []string{"policy", "eval", "--input", contractExample}},
		{"from stdin", string(doc), []string{"policy", "eval"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runSignald(t, tc.stdin, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			var d signal.Decision
			dec := json.NewDecoder(strings.NewReader(out))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&d); err != nil {
				t.Fatalf("output is not a decision: %v\n%s", err, out)
			}
			if d.Outcome != signal.OutcomeAskConsent || d.Level != signal.LevelAnonymous || d.Rule != signal.RuleAskConsent {
				t.Errorf("decision %s/%s/%s, want ask_consent/anonymous/R8", d.Outcome, d.Level, d.Rule)
			}
			if len(d.Fields) != 1 || d.Fields[0] != signal.FieldFacts {
				t.Errorf("fields %v, want [facts]", d.Fields)
			}
			if !strings.HasPrefix(d.PolicyVersion, "sha256:") {
				t.Errorf("policy_version %q", d.PolicyVersion)
			}
			// The contract's output always has these, even when empty.
			for _, key := range []string{`"missing": []`, `"obligations": [`, `"reasons": [`} {
				if !strings.Contains(out, key) {
					t.Errorf("output lacks %s:\n%s", key, out)
				}
			}
		})
	}
}

func TestPolicyEvalIncomplete(t *testing.T) {
	code, out, _ := runSignald(t, `{"risk": {"acute_danger": false}}`, "policy", "eval")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var d signal.Decision
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.Outcome != signal.OutcomeIncomplete || strings.Join(d.Missing, ",") != "legal_duty,purpose,recipient.role" {
		t.Errorf("outcome %s missing %v, want incomplete asking legal_duty, purpose, recipient.role", d.Outcome, d.Missing)
	}
}

func TestPolicyEvalBadInput(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		want  []string
	}{
		{"unknown enum value", `{"consent": {"parents": "maybe"}}`,
			[]string{`consent.parents: unknown value "maybe"; allowed: given, refused, not_asked, impossible, not_applicable`}},
		{"wrong type", `{"legal_duty": "no"}`, []string{`legal_duty: must be true or false, not the string "no"`}},
		{"age out of range", `{"youth": {"age": 30}}`, []string{"youth.age: must be a whole number from 0 to 23, not 30"}},
		{"unknown field", `{"youth": {"name": "x"}}`, []string{"youth.name: unknown field"}},
		{"every problem, one per line", `{"purpose": "fun", "youth": {"age": -2}}`,
			[]string{"\n  youth.age: must be a whole number", "\n  purpose: unknown value \"fun\""}},
		{"not JSON", `{"purpose"`, []string{"not valid JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runSignald(t, tt.stdin, "policy", "eval")
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if out != "" {
				t.Errorf("printed a decision for bad input: %s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not contain %q", errOut, w)
				}
			}
		})
	}
}

func TestPolicyUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr, or stdout for -h
	}{
		{"no subcommand", []string{"policy"}, 2, "missing subcommand"},
		{"unknown subcommand", []string{"policy", "lint"}, 2, `unknown subcommand "lint"`},
		{"unknown flag", []string{"policy", "eval", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{"stray argument", []string{"policy", "questions", "extra"}, 2, `unexpected argument "extra"`},
		{"missing input file", []string{"policy", "eval", "--input", "/nonexistent/in.json"}, 2, "--input"},
		{"policy dir that does not exist", []string{"policy", "questions", "--policy", "/nonexistent"}, 2, "--policy"},
		{"help", []string{"policy", "-h"}, 0, "signald policy eval"},
		{"subcommand help", []string{"policy", "eval", "-h"}, 0, "-input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runSignald(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.Contains(out+errOut, tt.want) {
				t.Errorf("output %q does not mention %q", out+errOut, tt.want)
			}
		})
	}
}

func TestPolicyQuestions(t *testing.T) {
	code, out, errOut := runSignald(t, "", "policy", "questions")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var catalogue struct {
		PolicyVersion string            `json:"policy_version"`
		Questions     []signal.Question `json:"questions"`
	}
	if err := json.Unmarshal([]byte(out), &catalogue); err != nil {
		t.Fatal(err)
	}
	if len(catalogue.Questions) == 0 || catalogue.Questions[0].ID != "risk.acute_danger" {
		t.Errorf("catalogue starts with %v, want risk.acute_danger first", catalogue.Questions)
	}
	if !strings.HasPrefix(catalogue.PolicyVersion, "sha256:") {
		t.Errorf("policy_version %q", catalogue.PolicyVersion)
	}
}

// writePolicy copies the built-in policy to a directory, as a privacy
// officer would before adjusting it, and applies changes.
func writePolicy(t *testing.T, changes map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(rego.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(rego.FS, p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range changes {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPolicyTest(t *testing.T) {
	t.Run("built-in policy passes", func(t *testing.T) {
		code, out, errOut := runSignald(t, "", "policy", "test")
		if code != 0 {
			t.Fatalf("exit %d: %s%s", code, out, errOut)
		}
		if !strings.Contains(out, " 0 failed") {
			t.Errorf("summary %q", out)
		}
	})
	t.Run("a failing Rego test exits 1 and is named", func(t *testing.T) {
		dir := writePolicy(t, map[string]string{"wrong_test.rego": `package signaal_test

import data.signaal

test_acute_danger_is_shared if {
	d := signaal.decision with input as {"risk": {"acute_danger": true}}
	d.outcome == "share_full"
}
`})
		code, out, _ := runSignald(t, "", "policy", "test", "--policy", dir)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if !strings.Contains(out, "FAIL data.signaal_test.test_acute_danger_is_shared") {
			t.Errorf("output does not name the failing test:\n%s", out)
		}
	})
	t.Run("an adjusted policy is evaluated with its own version", func(t *testing.T) {
		dir := writePolicy(t, map[string]string{"extra.rego": "package signaal\n\n# adjusted by the privacy officer\n"})
		_, builtin, _ := runSignald(t, "", "policy", "questions")
		code, adjusted, errOut := runSignald(t, "", "policy", "questions", "--policy", dir)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if versionOf(t, adjusted) == versionOf(t, builtin) {
			t.Error("an adjusted policy reports the built-in version")
		}
	})
	t.Run("a policy that does not compile names file and line", func(t *testing.T) {
		dir := writePolicy(t, map[string]string{"rules.rego": "package signaal\n\nacute_danger if input.risk.acute_danger ==\n"})
		code, _, errOut := runSignald(t, "", "policy", "eval", "--policy", dir)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if !strings.Contains(errOut, "rules.rego:") {
			t.Errorf("stderr %q does not name the file", errOut)
		}
	})
}

func versionOf(t *testing.T, out string) string {
	t.Helper()
	var v struct {
		PolicyVersion string `json:"policy_version"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	return v.PolicyVersion
}
