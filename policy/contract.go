package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/signaal-nl/signaal/signal"
)

// inputValue builds the policy's input document straight as an OPA value,
// without a JSON round trip: only answered questions become keys, so the
// policy sees an unanswered one as absent.
func inputValue(in signal.DecisionInput) ast.Value {
	root := ast.NewObject()
	putString(root, "purpose", in.Purpose)

	recipient := ast.NewObject()
	putString(recipient, "role", in.Recipient.Role)
	putBool(recipient, "directly_involved", in.Recipient.DirectlyInvolved)
	putBool(recipient, "in_agreement", in.Recipient.InAgreement)
	putObject(root, "recipient", recipient)

	youth := ast.NewObject()
	if in.Youth.Age != nil {
		youth.Insert(ast.InternedTerm("age"), ast.InternedTerm(*in.Youth.Age))
	}
	putBool(youth, "capable", in.Youth.Capable)
	putObject(root, "youth", youth)

	consent := ast.NewObject()
	putString(consent, "youth", in.Consent.Youth)
	putString(consent, "parents", in.Consent.Parents)
	putBool(consent, "recorded", in.Consent.Recorded)
	putObject(root, "consent", consent)

	risk := ast.NewObject()
	putBool(risk, "acute_danger", in.Risk.AcuteDanger)
	putString(risk, "harm", in.Risk.Harm)
	putBool(risk, "asking_endangers", in.Risk.AskingEndangers)
	putObject(root, "risk", risk)

	abuse := ast.NewObject()
	putBool(abuse, "suspected", in.Abuse.Suspected)
	putBool(abuse, "unsafe", in.Abuse.Unsafe)
	putBool(abuse, "help_possible", in.Abuse.HelpPossible)
	putBool(abuse, "help_accepted", in.Abuse.HelpAccepted)
	putString(abuse, "help_effective", in.Abuse.HelpEffective)
	putObject(root, "abuse", abuse)

	conflict := ast.NewObject()
	putBool(conflict, "no_other_way", in.DutyConflict.NoOtherWay)
	putBool(conflict, "prevents_harm", in.DutyConflict.PreventsHarm)
	putBool(conflict, "expert_consulted", in.DutyConflict.ExpertConsulted)
	putObject(root, "duty_conflict", conflict)

	putBool(root, "legal_duty", in.LegalDuty)
	if in.Fields != nil {
		terms := make([]*ast.Term, len(in.Fields))
		for i, f := range in.Fields {
			terms[i] = ast.InternedTerm(string(f))
		}
		root.Insert(ast.InternedTerm("fields"), ast.ArrayTerm(terms...))
	}
	putBool(root, "facts_opinions_separated", in.FactsOpinionsSeparated)
	return root
}

func putString[T ~string](o ast.Object, key string, v *T) {
	if v != nil {
		o.Insert(ast.InternedTerm(key), ast.InternedTerm(string(*v)))
	}
}

func putBool(o ast.Object, key string, v *bool) {
	if v != nil {
		o.Insert(ast.InternedTerm(key), ast.InternedTerm(*v))
	}
}

func putObject(o ast.Object, key string, v ast.Object) {
	if v.Len() > 0 {
		o.Insert(ast.InternedTerm(key), ast.NewTerm(v))
	}
}

// keepValue is the prepared queries' result converter: it hands the
// result over as the OPA value it is, so decisionFrom reads it straight
// into a Decision instead of through a map[string]any built by OPA.
func keepValue(t *ast.Term, _ *rego.EvalContext) (any, error) { return t.Value, nil }

// decisionKeys are the keys of a decision document (policy_version is the
// engine's), as interned terms for the lookups of decisionFrom.
var decisionKeys = map[string]*ast.Term{}

func init() {
	for _, k := range []string{"outcome", "level", "rule", "fields", "obligations", "missing", "reasons", "code", "nl", "en"} {
		decisionKeys[k] = ast.StringTerm(k)
	}
}

// decisionFrom reads the policy's result into a Decision, refusing any key
// or type the contract does not have.
func decisionFrom(v any) (signal.Decision, error) {
	var d signal.Decision
	m, ok := v.(ast.Object)
	if !ok {
		return d, fmt.Errorf("decision is %s, not an object", valueName(v))
	}
	var problems []string
	get := func(o ast.Object, key string) ast.Value {
		if t := o.Get(decisionKeys[key]); t != nil {
			return t.Value
		}
		return nil
	}
	str := func(key string) string {
		s, ok := get(m, key).(ast.String)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s is %s, not a string", key, valueName(get(m, key))))
		}
		return string(s)
	}
	strs := func(key string) []string {
		list, ok := get(m, key).(*ast.Array)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s is %s, not a list", key, valueName(get(m, key))))
			return nil
		}
		out := make([]string, 0, list.Len())
		for i := range list.Len() {
			s, ok := list.Elem(i).Value.(ast.String)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s holds %s, not a string", key, valueName(list.Elem(i).Value)))
				continue
			}
			out = append(out, string(s))
		}
		return out
	}
	if m.Len() != 7 {
		for _, k := range m.Keys() {
			switch k.Value {
			case ast.String("outcome"), ast.String("level"), ast.String("rule"), ast.String("fields"),
				ast.String("obligations"), ast.String("missing"), ast.String("reasons"):
			default:
				problems = append(problems, fmt.Sprintf("unknown key %v", k))
			}
		}
	}
	d.Outcome = signal.Outcome(str("outcome"))
	d.Level = signal.Level(str("level"))
	d.Rule = signal.Rule(str("rule"))
	d.Fields = convert[signal.Field](strs("fields"))
	d.Obligations = convert[signal.Obligation](strs("obligations"))
	d.Missing = strs("missing")
	reasons, ok := get(m, "reasons").(*ast.Array)
	if !ok {
		problems = append(problems, fmt.Sprintf("reasons is %s, not a list", valueName(get(m, "reasons"))))
		reasons = ast.NewArray()
	}
	d.Reasons = make([]signal.Reason, 0, reasons.Len())
	for i := range reasons.Len() {
		r := reasons.Elem(i).Value
		rm, ok := r.(ast.Object)
		if !ok || rm.Len() != 3 {
			problems = append(problems, fmt.Sprintf("reason %v is not {code, nl, en}", r))
			continue
		}
		code, okc := get(rm, "code").(ast.String)
		nl, okn := get(rm, "nl").(ast.String)
		en, oke := get(rm, "en").(ast.String)
		if !okc || !okn || !oke {
			problems = append(problems, fmt.Sprintf("reason %v is not {code, nl, en}", r))
			continue
		}
		d.Reasons = append(d.Reasons, signal.Reason{Code: string(code), NL: string(nl), EN: string(en)})
	}
	if len(problems) > 0 {
		return d, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return d, nil
}

// valueName names the type of a policy value for a contract error.
func valueName(v any) string {
	if v, ok := v.(ast.Value); ok && v != nil {
		return ast.ValueName(v)
	}
	return "undefined"
}

func convert[T ~string](ss []string) []T {
	out := make([]T, len(ss))
	for i, s := range ss {
		out[i] = T(s)
	}
	return out
}

// identifying are the fields that identify a young person by themselves.
var identifying = []signal.Field{signal.FieldIdentity, signal.FieldContact, signal.FieldBSN}

// checkDecision holds a decision to the output contract and to the
// invariants no adjusted policy may break: nothing goes that was not
// proposed, nothing identifying goes anonymously, the BSN only under R2 or
// R3, special categories only with the privacy officer notified, and an
// incomplete decision shares nothing. It names every violation.
func (e *Engine) checkDecision(in signal.DecisionInput, d signal.Decision) error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if !d.Outcome.Valid() {
		bad("unknown outcome %q", d.Outcome)
	}
	if !d.Level.Valid() {
		bad("unknown level %q", d.Level)
	}
	incomplete := d.Outcome == signal.OutcomeIncomplete
	switch {
	case incomplete && d.Rule != signal.RuleNoneYet:
		bad("an incomplete decision names rule %q; it must name none", d.Rule)
	case !incomplete && !d.Rule.Valid():
		bad("unknown rule %q", d.Rule)
	}
	if incomplete != (len(d.Missing) > 0) {
		bad("outcome %q with %d missing answers: missing must be non-empty exactly when the outcome is incomplete", d.Outcome, len(d.Missing))
	}
	for _, m := range d.Missing {
		if !e.asked[m] {
			bad("missing %q is not a question of the catalogue", m)
		}
	}
	if hasDuplicates(d.Missing) {
		bad("missing lists a question twice")
	}

	for _, f := range d.Fields {
		if !f.Valid() {
			bad("unknown field %q", f)
		} else if !slices.Contains(in.Fields, f) {
			bad("field %q was not proposed", f)
		}
	}
	if hasDuplicates(d.Fields) {
		bad("fields lists a field twice")
	}
	if (incomplete || d.Level == signal.LevelNone) && len(d.Fields) > 0 {
		bad("level %q with outcome %q shares fields %v", d.Level, d.Outcome, d.Fields)
	}
	if d.Level == signal.LevelAnonymous {
		for _, f := range identifying {
			if slices.Contains(d.Fields, f) {
				bad("level anonymous shares identifying field %q", f)
			}
		}
	}
	if slices.Contains(d.Fields, signal.FieldBSN) && d.Rule != signal.RuleLegalDuty && d.Rule != signal.RuleReportVeiligThuis {
		bad("the BSN goes under rule %q; only R2 or R3 allow it", d.Rule)
	}
	if slices.ContainsFunc(d.Fields, signal.Field.Special) && !slices.Contains(d.Obligations, signal.ObligationNotifyPrivacyOfficer) {
		bad("special-category fields go without notify_privacy_officer")
	}

	for _, o := range d.Obligations {
		if !o.Valid() {
			bad("unknown obligation %q", o)
		}
	}
	if hasDuplicates(d.Obligations) {
		bad("obligations lists one twice")
	}
	if d.Outcome == signal.OutcomeEmergency && !slices.Contains(d.Obligations, signal.ObligationCallEmergency) {
		bad("an emergency without call_emergency")
	}
	if d.Outcome == signal.OutcomeReportVeiligThuis && !slices.Contains(d.Obligations, signal.ObligationReportVeiligThuis) {
		bad("a report to Veilig Thuis without report_veilig_thuis")
	}

	if len(d.Reasons) == 0 {
		bad("no reasons")
	}
	for _, r := range d.Reasons {
		if r.Code == "" || r.NL == "" || r.EN == "" {
			bad("reason %q lacks a code or its Dutch or English text", r.Code)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

func hasDuplicates[T comparable](list []T) bool {
	seen := make(map[T]bool, len(list))
	for _, v := range list {
		if seen[v] {
			return true
		}
		seen[v] = true
	}
	return false
}
