// Package policy evaluates Signaal's sharing policy (the Rego modules of
// package rego, or a privacy officer's adjusted copy) in-process with OPA. It
// is the only package that imports OPA: it loads and compiles the policy
// once, prepares the query once, and then decides concurrently, returning
// the domain's signal.Decision. A policy that does not compile, or a decision
// that breaks the output contract, is an error, never a silent "allow".
//
// The same files also compile to WebAssembly (Engine.Wasm), under the same
// policy_version, so a phone decides as the server does without a network.
package policy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/signaal-nl/signaal/signal"
)

// The policy's entry points: the decision for the input document, and the
// question catalogue.
const (
	decisionQuery  = "data.signaal.decision"
	questionsQuery = "data.signaal.questions"
)

// ErrContract marks a decision or catalogue that breaks the output contract
// (shared/policy-contract.md): the policy is wrong, not the input.
var ErrContract = errors.New("policy breaks the decision contract")

// Engine decides with one loaded policy. It is safe for concurrent use: the
// prepared query is shared by every call.
type Engine struct {
	version   string
	decision  rego.PreparedEvalQuery
	questions []signal.Question
	asked     map[string]bool // question ids, for checking Decision.Missing
	// reasonTexts are the sentences of the reason codes (reasons.go).
	reasonTexts map[string]signal.Text
	// wasm compiles the same files to WebAssembly, once, when first asked
	// (wasm.go).
	wasm func() (WasmPolicy, error)
}

// Load reads every *.rego file of fsys (files ending in _test.rego are the
// policy's tests and are left out), compiles them, prepares the decision
// query and reads the question catalogue. fsys is rego.FS for the built-in
// policy or os.DirFS(dir) for an adjusted one. Every compile error is
// reported with its file and line.
func Load(ctx context.Context, fsys fs.FS) (*Engine, error) {
	files, err := readPolicy(fsys)
	if err != nil {
		return nil, err
	}
	var policy []policyFile
	for _, f := range files {
		if !f.test {
			policy = append(policy, f)
		}
	}
	if len(policy) == 0 {
		return nil, fmt.Errorf("load policy: no .rego files (other than tests) found")
	}
	modules, err := parse(policy)
	if err != nil {
		return nil, err
	}
	compiler := ast.NewCompiler().WithDefaultRegoVersion(ast.RegoV1)
	if compiler.Compile(modules); compiler.Failed() {
		return nil, fmt.Errorf("compile policy: %w", compiler.Errors)
	}
	for _, q := range []string{decisionQuery, questionsQuery} {
		if len(compiler.GetRulesForVirtualDocument(ast.MustParseRef(q))) == 0 {
			return nil, fmt.Errorf("load policy: it defines no %s", q)
		}
	}

	e := &Engine{version: digest(policy)}
	e.wasm = sync.OnceValues(func() (WasmPolicy, error) { return compileWasm(context.Background(), policy, e.version) })
	e.decision, err = rego.New(rego.Query(decisionQuery), rego.Compiler(compiler), rego.GenerateJSON(keepValue)).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare decision query: %w", err)
	}
	if e.questions, err = readQuestions(ctx, compiler); err != nil {
		return nil, err
	}
	if e.reasonTexts, err = readReasonTexts(ctx, compiler); err != nil {
		return nil, err
	}
	e.asked = make(map[string]bool, len(e.questions))
	for _, q := range e.questions {
		e.asked[q.ID] = true
	}
	// A policy that cannot answer the empty input (everything unanswered)
	// is broken in a way every request would hit; refuse it now.
	if _, err := e.Decide(ctx, signal.DecisionInput{}); err != nil {
		return nil, fmt.Errorf("load policy: deciding an unanswered input: %w", err)
	}
	return e, nil
}

// Version is the digest of the exact policy files evaluated ("sha256:…"),
// the policy_version of every decision.
func (e *Engine) Version() string { return e.version }

// Questions returns the policy's question catalogue, in the order a form
// asks them. The caller must not modify it.
func (e *Engine) Questions() []signal.Question { return e.questions }

// Decide evaluates the policy for one input. The input is validated first
// (an invalid one gives a signal.Invalid error naming the field); the
// decision is checked against the output contract (a violation is an error
// wrapping ErrContract). Unanswered questions give outcome incomplete with
// Missing listing them.
func (e *Engine) Decide(ctx context.Context, in signal.DecisionInput) (signal.Decision, error) {
	if err := in.Validate(); err != nil {
		return signal.Decision{}, err
	}
	rs, err := e.decision.Eval(ctx, rego.EvalParsedInput(inputValue(in)))
	if err != nil {
		return signal.Decision{}, fmt.Errorf("evaluate policy %s: %w", e.version, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return signal.Decision{}, fmt.Errorf("%w: policy %s gives no decision for this input (a rule is undefined or conflicting)", ErrContract, e.version)
	}
	d, err := decisionFrom(rs[0].Expressions[0].Value)
	if err != nil {
		return signal.Decision{}, fmt.Errorf("%w: policy %s: %v", ErrContract, e.version, err)
	}
	if err := e.checkDecision(in, d); err != nil {
		return signal.Decision{}, fmt.Errorf("%w: policy %s: %v", ErrContract, e.version, err)
	}
	d.PolicyVersion = e.version
	return d, nil
}

// policyFile is one .rego file as read.
type policyFile struct {
	path    string
	content []byte
	test    bool
}

// readPolicy returns every .rego file under fsys, sorted by path so the
// digest and the compile order do not depend on the file system.
func readPolicy(fsys fs.FS) ([]policyFile, error) {
	var files []policyFile
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".rego" {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, policyFile{path: p, content: b, test: strings.HasSuffix(p, "_test.rego")})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read policy files: %w", err)
	}
	slices.SortFunc(files, func(a, b policyFile) int { return strings.Compare(a.path, b.path) })
	return files, nil
}

// digest is "sha256:" and the hex SHA-256 over each file's path and content,
// length-prefixed so no two different sets of files hash alike.
func digest(files []policyFile) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%d:%s\n%d:", len(f.path), f.path, len(f.content))
		h.Write(f.content)
		h.Write([]byte{'\n'})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func parse(files []policyFile) (map[string]*ast.Module, error) {
	modules := make(map[string]*ast.Module, len(files))
	var errs ast.Errors
	for _, f := range files {
		m, err := ast.ParseModuleWithOpts(f.path, string(f.content), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			var astErrs ast.Errors
			if errors.As(err, &astErrs) {
				errs = append(errs, astErrs...)
				continue
			}
			return nil, fmt.Errorf("parse %s: %w", f.path, err)
		}
		modules[f.path] = m
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("parse policy: %w", errs)
	}
	return modules, nil
}

// readQuestions evaluates the catalogue once and checks it: every question
// has an id, a known answer type, texts in both languages, and the answers
// its type needs.
func readQuestions(ctx context.Context, compiler *ast.Compiler) ([]signal.Question, error) {
	rs, err := rego.New(rego.Query(questionsQuery), rego.Compiler(compiler)).Eval(ctx)
	if err != nil {
		return nil, fmt.Errorf("read question catalogue: %w", err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("%w: %s is undefined", ErrContract, questionsQuery)
	}
	raw, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		return nil, fmt.Errorf("read question catalogue: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var qs []signal.Question
	if err := dec.Decode(&qs); err != nil {
		return nil, fmt.Errorf("%w: question catalogue: %v", ErrContract, err)
	}
	var problems []string
	seen := map[string]bool{}
	for i, q := range qs {
		where := "question " + strconv.Itoa(i)
		if q.ID != "" {
			where = "question " + q.ID
		}
		switch {
		case q.ID == "":
			problems = append(problems, where+": no id")
		case seen[q.ID]:
			problems = append(problems, where+": listed twice")
		}
		seen[q.ID] = true
		if q.Text.NL == "" || q.Text.EN == "" || q.Help.NL == "" || q.Help.EN == "" || q.Relevant.NL == "" || q.Relevant.EN == "" {
			problems = append(problems, where+": text, help and relevant need both nl and en")
		}
		switch q.Type {
		case signal.AnswerBoolean, signal.AnswerWholeNumber:
		case signal.AnswerChoice, signal.AnswerMultiChoice:
			if len(q.Answers) == 0 {
				problems = append(problems, where+": a "+string(q.Type)+" question needs answers")
			}
			for _, a := range q.Answers {
				if a.Value == "" || a.Label.NL == "" || a.Label.EN == "" {
					problems = append(problems, where+": every answer needs a value and labels in nl and en")
				}
			}
		default:
			problems = append(problems, where+": unknown type "+strconv.Quote(string(q.Type)))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: question catalogue: %s", ErrContract, strings.Join(problems, "; "))
	}
	return qs, nil
}
