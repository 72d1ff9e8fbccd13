package policy_test

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/signaal-nl/signaal/policy"
	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
)

// TestRegoPolicies runs the policy's own Rego tests (rego/*_test.rego), so
// `go test ./...` fails when a rule stops doing what its test says.
func TestRegoPolicies(t *testing.T) {
	results, err := policy.RunTests(context.Background(), rego.FS)
	if err != nil {
		t.Fatalf("run Rego tests: %v", err)
	}
	if len(results) < 50 {
		t.Fatalf("found %d Rego tests; the rule set has more than that", len(results))
	}
	for _, r := range results {
		t.Run(strings.TrimPrefix(r.Name, "data.signaal_test."), func(t *testing.T) {
			if !r.Passed {
				t.Errorf("%s: %s %s", r.File, r.Problem, r.Output)
			}
		})
	}
}

// TestRegoFormatted keeps the policy in `opa fmt` form, so a privacy
// officer's diff of an adjusted copy shows only what changed.
func TestRegoFormatted(t *testing.T) {
	err := fs.WalkDir(rego.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".rego" {
			return err
		}
		src, err := fs.ReadFile(rego.FS, p)
		if err != nil {
			return err
		}
		out, err := format.SourceWithOpts(p, src, format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		if string(out) != string(src) {
			t.Errorf("%s is not formatted as opa fmt would", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func load(t testing.TB, fsys fs.FS) *policy.Engine {
	t.Helper()
	e, err := policy.Load(context.Background(), fsys)
	if err != nil {
		t.Fatalf("load policy: %v", err)
	}
	return e
}

// builtin is the embedded policy, loaded once for the tests that only read it.
var builtin = sync.OnceValues(func() (*policy.Engine, error) {
	return policy.Load(context.Background(), rego.FS)
})

func engine(t testing.TB) *policy.Engine {
	t.Helper()
	e, err := builtin()
	if err != nil {
		t.Fatalf("load built-in policy: %v", err)
	}
	return e
}

func decodeFile(t testing.TB, name string) signal.DecisionInput {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := signal.DecodeDecisionInput(f)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return in
}

// copyFS returns the embedded policy as a MapFS to change files in.
func copyFS(t testing.TB) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(rego.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(rego.FS, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDecideContractExample(t *testing.T) {
	e := engine(t)
	d, err := e.Decide(context.Background(), decodeFile(t, "contract-example.json"))
	if err != nil {
		t.Fatalf("decide: %v", err)
	}
	// The contract's example output for its example input.
	if d.Outcome != signal.OutcomeAskConsent || d.Level != signal.LevelAnonymous || d.Rule != signal.RuleAskConsent {
		t.Errorf("outcome, level, rule = %s, %s, %s; want ask_consent, anonymous, R8", d.Outcome, d.Level, d.Rule)
	}
	if !reflect.DeepEqual(d.Fields, []signal.Field{signal.FieldFacts}) {
		t.Errorf("fields = %v, want [facts]", d.Fields)
	}
	if !reflect.DeepEqual(d.Obligations, []signal.Obligation{signal.ObligationRecordJustification}) {
		t.Errorf("obligations = %v, want [record_justification]", d.Obligations)
	}
	if d.Missing == nil || len(d.Missing) != 0 {
		t.Errorf("missing = %#v, want an empty list", d.Missing)
	}
	if !slices.Contains(d.ReasonCodes(), "parents_not_asked") {
		t.Errorf("reasons %v lack parents_not_asked", d.ReasonCodes())
	}
	if d.PolicyVersion != e.Version() {
		t.Errorf("policy_version = %q, want the engine's %q", d.PolicyVersion, e.Version())
	}
}

func TestDecideRejectsInvalidInput(t *testing.T) {
	age := 30
	maybe := signal.ConsentAnswer("maybe")
	in := signal.DecisionInput{Youth: signal.Youth{Age: &age}}
	in.Consent.Parents = &maybe
	_, err := engine(t).Decide(context.Background(), in)
	var e *signal.Error
	if !errors.As(err, &e) || e.Code != signal.CodeInvalid {
		t.Fatalf("err = %v, want signal.Invalid", err)
	}
	want := []signal.FieldError{
		{Field: "consent.parents", Problem: `unknown value "maybe"; allowed: given, refused, not_asked, impossible, not_applicable`},
		{Field: "youth.age", Problem: "must be a whole number from 0 to 23"},
	}
	if !reflect.DeepEqual(e.Fields, want) {
		t.Errorf("fields = %v, want %v", e.Fields, want)
	}
}

func TestVersion(t *testing.T) {
	base := copyFS(t)
	v := load(t, base).Version()
	if !strings.HasPrefix(v, "sha256:") || len(v) != len("sha256:")+64 {
		t.Fatalf("version %q is not sha256:<64 hex>", v)
	}
	if got := engine(t).Version(); got != v {
		t.Errorf("the same files give version %q and %q", got, v)
	}

	withTest := maps.Clone(base)
	withTest["extra_test.rego"] = &fstest.MapFile{Data: []byte("package signaal_test\n\ntest_extra if true\n")}
	if got := load(t, withTest).Version(); got != v {
		t.Errorf("adding a test file changed the version: %q, want %q", got, v)
	}

	changed := maps.Clone(base)
	changed["reasons.rego"] = &fstest.MapFile{Data: append(slices.Clone(base["reasons.rego"].Data), "\n# reviewed by the privacy officer\n"...)}
	if got := load(t, changed).Version(); got == v {
		t.Errorf("a changed policy file kept version %q", v)
	}

	renamed := maps.Clone(base)
	renamed["zz_reasons.rego"] = renamed["reasons.rego"]
	delete(renamed, "reasons.rego")
	if got := load(t, renamed).Version(); got == v {
		t.Errorf("a renamed policy file kept version %q", v)
	}
}

// TestLoadDirectory loads the policy from a directory, as --policy DIR does
// for a privacy officer's adjusted copy: same files, same version.
func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	for name, f := range copyFS(t) {
		if err := os.WriteFile(filepath.Join(dir, name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := load(t, os.DirFS(dir))
	if e.Version() != engine(t).Version() {
		t.Errorf("directory version %s differs from the embedded %s", e.Version(), engine(t).Version())
	}
	if len(e.Questions()) != len(engine(t).Questions()) {
		t.Errorf("directory policy has %d questions, embedded %d", len(e.Questions()), len(engine(t).Questions()))
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name   string
		change map[string]string // file -> new content; "" deletes it
		only   bool              // start from no files instead of the built-in policy
		want   string            // in the error message
	}{
		{"no policy files", map[string]string{
			"rules.rego": "", "decision.rego": "", "flow.rego": "", "minimisation.rego": "", "questions.rego": "", "reasons.rego": "",
		}, false, "no .rego files"},
		{"syntax error names file and line", map[string]string{"rules.rego": "package signaal\n\nacute_danger if {\n\tinput.risk.acute_danger ==\n}\n"}, false, "rules.rego:5"},
		{"Rego v0 syntax is refused", map[string]string{"extra.rego": "package signaal\n\nold_style { true }\n"}, false, "extra.rego:3"},
		{"undefined reference", map[string]string{"extra.rego": "package signaal\n\nx if no_such_rule\n"}, false, "no_such_rule"},
		{"no decision rule", map[string]string{"x.rego": "package signaal\n\nquestions := []\n"}, true, "defines no data.signaal.decision"},
		{"no question catalogue", map[string]string{"x.rego": "package signaal\n\ndecision := {}\n"}, true, "defines no data.signaal.questions"},
		{"question with an unknown type", map[string]string{"extra.rego": `package signaal

questions_extra := 1
`, "questions.rego": `package signaal

questions := [{"id": "risk.acute_danger", "type": "slider", "text": {"nl": "a", "en": "a"}, "help": {"nl": "a", "en": "a"}, "relevant": {"nl": "a", "en": "a"}}]
`}, false, `unknown type "slider"`},
		{"a decision that breaks the contract", map[string]string{"rules.rego": "", "flow.rego": "", "minimisation.rego": "", "decision.rego": `package signaal

decision := {"outcome": "allow", "level": "full", "rule": "R0", "fields": [], "obligations": [], "missing": [], "reasons": []}
`}, false, `unknown outcome "allow"`},
		{"an undefined decision", map[string]string{"rules.rego": "", "flow.rego": "", "minimisation.rego": "", "decision.rego": `package signaal

decision := {"outcome": "incomplete"} if input.never
`}, false, "gives no decision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := copyFS(t)
			if tt.only {
				fsys = fstest.MapFS{}
			}
			for name, content := range tt.change {
				if content == "" {
					delete(fsys, name)
					continue
				}
				fsys[name] = &fstest.MapFile{Data: []byte(content)}
			}
			_, err := policy.Load(context.Background(), fsys)
			if err == nil {
				t.Fatal("loaded a broken policy")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// TestDecideRefusesUnsafeDecisions loads policies that compile and answer
// the empty input correctly but share what no policy may, and checks that
// Decide refuses their decisions instead of passing them on.
func TestDecideRefusesUnsafeDecisions(t *testing.T) {
	allow := func(level, rule, fields string) string {
		return `package signaal

decision := {"outcome": "share_full", "level": "` + level + `", "rule": "` + rule + `", "fields": ` + fields + `, "obligations": [], "missing": [], "reasons": [{"code": "x", "nl": "x", "en": "x"}]} if input.risk.acute_danger == false

decision := {"outcome": "incomplete", "level": "none", "rule": "", "fields": [], "obligations": [], "missing": ["risk.acute_danger"], "reasons": [{"code": "x", "nl": "x", "en": "x"}]} if not input.risk.acute_danger == false
`
	}
	tests := []struct {
		name   string
		policy string
		fields []signal.Field
		want   string
	}{
		{"the BSN on consent", allow("full", "R7", "input.fields"), []signal.Field{signal.FieldBSN}, "the BSN goes under rule \"R7\""},
		{"identity at level anonymous", allow("anonymous", "R8", "input.fields"), []signal.Field{signal.FieldIdentity}, "level anonymous shares identifying field \"identity\""},
		{"a field not proposed", allow("full", "R7", `["facts", "health"]`), []signal.Field{signal.FieldFacts}, "field \"health\" was not proposed"},
		{"special category without notification", allow("full", "R7", "input.fields"), []signal.Field{signal.FieldHealth}, "without notify_privacy_officer"},
		{"fields at level none", allow("none", "R5", "input.fields"), []signal.Field{signal.FieldFacts}, "level \"none\" with outcome \"share_full\" shares fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Only the catalogue of the real policy, and the unsafe decision.
			fsys := fstest.MapFS{
				"questions.rego": copyFS(t)["questions.rego"],
				"decision.rego":  &fstest.MapFile{Data: []byte(tt.policy)},
			}
			e := load(t, fsys)
			no := false
			in := signal.DecisionInput{Fields: tt.fields}
			in.Risk.AcuteDanger = &no
			_, err := e.Decide(context.Background(), in)
			if !errors.Is(err, policy.ErrContract) {
				t.Fatalf("err = %v, want ErrContract", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestQuestions(t *testing.T) {
	qs := engine(t).Questions()
	byID := map[string]signal.Question{}
	for _, q := range qs {
		byID[q.ID] = q
	}
	// Every answer of the contract's input is a question.
	for _, id := range []string{
		"purpose", "recipient.role", "recipient.directly_involved", "recipient.in_agreement",
		"youth.age", "youth.capable", "consent.youth", "consent.parents", "consent.recorded",
		"risk.acute_danger", "risk.harm", "risk.asking_endangers",
		"abuse.suspected", "abuse.unsafe", "abuse.help_possible", "abuse.help_accepted", "abuse.help_effective",
		"duty_conflict.no_other_way", "duty_conflict.prevents_harm", "duty_conflict.expert_consulted",
		"legal_duty", "fields", "facts_opinions_separated",
	} {
		if _, ok := byID[id]; !ok {
			t.Errorf("no question for %s", id)
		}
	}
	if qs[0].ID != "risk.acute_danger" {
		t.Errorf("first question is %s; acute danger must come first", qs[0].ID)
	}
	// The allowed answers of each choice are exactly the domain's enum.
	enum := map[string][]string{
		"purpose":              strs(signal.Purposes),
		"recipient.role":       strs(signal.RecipientRoles),
		"consent.youth":        strs(signal.YouthConsentAnswers),
		"consent.parents":      strs(signal.ConsentAnswers),
		"risk.harm":            strs(signal.Harms),
		"abuse.help_effective": strs(signal.HelpEffectives),
		"fields":               strs(signal.Fields),
	}
	for id, want := range enum {
		var got []string
		for _, a := range byID[id].Answers {
			got = append(got, a.Value)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s answers = %v, want %v", id, got, want)
		}
	}
	age := byID["youth.age"]
	if age.Type != signal.AnswerWholeNumber || age.Min == nil || *age.Min != 0 || age.Max == nil || *age.Max != signal.MaxYouthAge {
		t.Errorf("youth.age question = %+v, want a whole number 0..23", age)
	}
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// TestQuestionFlowReachesADecision answers the form the way a user would,
// always the first missing question, trying every answer, and checks that
// every path ends in a complete decision, never lists an answered question,
// and never errors. It walks the whole tree the policy can ask.
func TestQuestionFlowReachesADecision(t *testing.T) {
	t.Parallel()
	outcomes := map[signal.Outcome]int{}
	rules := map[signal.Rule]int{}
	paths := 0
	walkQuestionFlow(t, engine(t), func(_ signal.DecisionInput, d signal.Decision) {
		if d.Outcome != signal.OutcomeIncomplete {
			paths++
			outcomes[d.Outcome]++
			rules[d.Rule]++
		}
	})
	t.Logf("%d complete paths; outcomes %v; rules %v", paths, outcomes, rules)
	for _, r := range signal.Rules {
		if r != signal.RuleAbuseAdvice && rules[r] == 0 { // R4 is never decisive
			t.Errorf("no path of the question flow ends in rule %s", r)
		}
	}
}

// walkQuestionFlow answers the questions of the flow the way a form does,
// always the first of decision.missing, branching on the answers, from the
// empty input until every path ends in a complete decision. It calls visit
// with every input decided on the way (incomplete ones too) and its decision.
func walkQuestionFlow(t testing.TB, e *policy.Engine, visit func(signal.DecisionInput, signal.Decision)) {
	t.Helper()
	ctx := context.Background()
	qs := map[string]signal.Question{}
	for _, q := range e.Questions() {
		qs[q.ID] = q
	}
	// One answer per case the rules tell apart keeps the tree small enough
	// to walk whole: an age per band, a recipient per kind (can act and sees
	// existence; can act; Veilig Thuis; cannot act), a purpose per rule. The
	// reporting code's branches are walked for the meeting and Veilig Thuis.
	answers := func(in signal.DecisionInput, q signal.Question) []any {
		switch q.ID {
		case "abuse.suspected":
			if r := *in.Recipient.Role; r != signal.RecipientSignalMeeting && r != signal.RecipientVeiligThuis {
				return []any{false}
			}
		case "abuse.help_effective":
			return []any{"no", "pending"} // yes decides as pending does
		case "youth.age":
			return []any{11, 15, 16}
		case "recipient.role":
			return []any{"signal_meeting", "own_organisation", "veilig_thuis", "parent"}
		case "purpose":
			return []any{"coordinate_support", "radicalisation_concern", "other"}
		case "fields":
			return []any{[]string{"identity", "facts", "opinions", "health", "bsn"}}
		}
		switch q.Type {
		case signal.AnswerBoolean:
			return []any{true, false}
		default:
			var vs []any
			for _, a := range q.Answers {
				vs = append(vs, a.Value)
			}
			return vs
		}
	}
	var walk func(in signal.DecisionInput, answered []string)
	walk = func(in signal.DecisionInput, answered []string) {
		d, err := e.Decide(ctx, in)
		if err != nil {
			t.Fatalf("after answering %v: %v", answered, err)
		}
		visit(in, d)
		if d.Outcome != signal.OutcomeIncomplete {
			return
		}
		next := d.Missing[0]
		if slices.Contains(answered, next) {
			t.Fatalf("after answering %v the policy asks %s again", answered, next)
		}
		if len(answered) > len(qs) {
			t.Fatalf("the flow does not end: %v", answered)
		}
		for _, a := range answers(in, qs[next]) {
			walk(set(t, in, next, a), append(slices.Clip(answered), next))
		}
	}
	walk(signal.DecisionInput{}, nil)
}

// set answers one question of in by its input path.
func set(t testing.TB, in signal.DecisionInput, path string, v any) signal.DecisionInput {
	b := func() *bool { x := v.(bool); return &x }
	s := func() string { return v.(string) }
	switch path {
	case "purpose":
		p := signal.Purpose(s())
		in.Purpose = &p
	case "recipient.role":
		r := signal.RecipientRole(s())
		in.Recipient.Role = &r
	case "recipient.directly_involved":
		in.Recipient.DirectlyInvolved = b()
	case "recipient.in_agreement":
		in.Recipient.InAgreement = b()
	case "youth.age":
		a := v.(int)
		in.Youth.Age = &a
	case "youth.capable":
		in.Youth.Capable = b()
	case "consent.youth":
		c := signal.ConsentAnswer(s())
		in.Consent.Youth = &c
	case "consent.parents":
		c := signal.ConsentAnswer(s())
		in.Consent.Parents = &c
	case "consent.recorded":
		in.Consent.Recorded = b()
	case "risk.acute_danger":
		in.Risk.AcuteDanger = b()
	case "risk.harm":
		h := signal.Harm(s())
		in.Risk.Harm = &h
	case "risk.asking_endangers":
		in.Risk.AskingEndangers = b()
	case "abuse.suspected":
		in.Abuse.Suspected = b()
	case "abuse.unsafe":
		in.Abuse.Unsafe = b()
	case "abuse.help_possible":
		in.Abuse.HelpPossible = b()
	case "abuse.help_accepted":
		in.Abuse.HelpAccepted = b()
	case "abuse.help_effective":
		h := signal.HelpEffective(s())
		in.Abuse.HelpEffective = &h
	case "duty_conflict.no_other_way":
		in.DutyConflict.NoOtherWay = b()
	case "duty_conflict.prevents_harm":
		in.DutyConflict.PreventsHarm = b()
	case "duty_conflict.expert_consulted":
		in.DutyConflict.ExpertConsulted = b()
	case "legal_duty":
		in.LegalDuty = b()
	case "fields":
		var fs []signal.Field
		for _, f := range v.([]string) {
			fs = append(fs, signal.Field(f))
		}
		if fs == nil {
			fs = []signal.Field{}
		}
		in.Fields = fs
	case "facts_opinions_separated":
		in.FactsOpinionsSeparated = b()
	default:
		t.Fatalf("the policy asks %q, which is no input path", path)
	}
	return in
}

// TestDecideConcurrently shares one engine between goroutines, as the
// service does, and expects the same decisions as one at a time.
func TestDecideConcurrently(t *testing.T) {
	e := engine(t)
	ctx := context.Background()
	in := decodeFile(t, "contract-example.json")
	want, err := e.Decide(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				got, err := e.Decide(ctx, in)
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("concurrent decision %+v differs from %+v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
