package signal

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// This file holds the sharing decision's contract (shared/policy-contract.md,
// v1) as Go types: the input the policy reads, the decision it returns and the
// catalogue of questions it can ask. The JSON names are the contract's;
// partners' tooling relies on them, so they are extended, never renamed.
//
// Every answer a professional gives may still be missing, so answers are
// pointers (nil = not answered) and lists are nil slices; the policy then
// lists the missing input paths in Decision.Missing instead of guessing.

// Purpose is why information would be shared.
type Purpose string

const (
	PurposeCoordinateSupport     Purpose = "coordinate_support"
	PurposeSafetyRisk            Purpose = "safety_risk"
	PurposeRadicalisationConcern Purpose = "radicalisation_concern"
	PurposeOther                 Purpose = "other" // outside the cooperation's agreement
)

// Purposes lists every Purpose in the order a form offers them.
var Purposes = []Purpose{PurposeCoordinateSupport, PurposeSafetyRisk, PurposeRadicalisationConcern, PurposeOther}

// Valid reports whether p is one of Purposes.
func (p Purpose) Valid() bool { return oneOf(p, Purposes) }

// RecipientRole is who would receive the information.
type RecipientRole string

const (
	RecipientSignalMeeting   RecipientRole = "signal_meeting"
	RecipientPartnerContact  RecipientRole = "partner_contact"
	RecipientOwnOrganisation RecipientRole = "own_organisation"
	RecipientVeiligThuis     RecipientRole = "veilig_thuis"
	RecipientCourtSupervisor RecipientRole = "court_supervisor"
	RecipientPolice          RecipientRole = "police"
	RecipientParent          RecipientRole = "parent"
	RecipientOther           RecipientRole = "other"
)

// RecipientRoles lists every RecipientRole in the order a form offers them.
var RecipientRoles = []RecipientRole{
	RecipientSignalMeeting, RecipientPartnerContact, RecipientOwnOrganisation, RecipientVeiligThuis,
	RecipientCourtSupervisor, RecipientPolice, RecipientParent, RecipientOther,
}

// Valid reports whether r is one of RecipientRoles.
func (r RecipientRole) Valid() bool { return oneOf(r, RecipientRoles) }

// ConsentAnswer is the recorded state of one party's consent.
type ConsentAnswer string

const (
	ConsentGiven         ConsentAnswer = "given"
	ConsentRefused       ConsentAnswer = "refused"
	ConsentNotAsked      ConsentAnswer = "not_asked"
	ConsentImpossible    ConsentAnswer = "impossible"     // the party cannot be reached or cannot consent
	ConsentNotApplicable ConsentAnswer = "not_applicable" // parents only: no parent with authority
)

// ConsentAnswers lists every ConsentAnswer; YouthConsentAnswers those valid
// for the young person (not_applicable is for parents only).
var (
	ConsentAnswers      = []ConsentAnswer{ConsentGiven, ConsentRefused, ConsentNotAsked, ConsentImpossible, ConsentNotApplicable}
	YouthConsentAnswers = []ConsentAnswer{ConsentGiven, ConsentRefused, ConsentNotAsked, ConsentImpossible}
)

// Valid reports whether c is one of ConsentAnswers.
func (c ConsentAnswer) Valid() bool { return oneOf(c, ConsentAnswers) }

// Harm is the risk of serious harm if nothing is shared.
type Harm string

const (
	HarmNone     Harm = "none"
	HarmPossible Harm = "possible"
	HarmLikely   Harm = "likely"
)

// Harms lists every Harm from least to most serious.
var Harms = []Harm{HarmNone, HarmPossible, HarmLikely}

// Valid reports whether h is one of Harms.
func (h Harm) Valid() bool { return oneOf(h, Harms) }

// HelpEffective answers the reporting code's question whether the help that
// was organised works in time.
type HelpEffective string

const (
	HelpEffectiveYes     HelpEffective = "yes"
	HelpEffectiveNo      HelpEffective = "no"
	HelpEffectivePending HelpEffective = "pending" // too early to tell
)

// HelpEffectives lists every HelpEffective.
var HelpEffectives = []HelpEffective{HelpEffectiveYes, HelpEffectiveNo, HelpEffectivePending}

// Valid reports whether h is one of HelpEffectives.
func (h HelpEffective) Valid() bool { return oneOf(h, HelpEffectives) }

// Field is a kind of information a signal holds and a share may include.
type Field string

const (
	FieldIdentity          Field = "identity"
	FieldContact           Field = "contact"
	FieldFacts             Field = "facts"
	FieldOpinions          Field = "opinions"
	FieldHealth            Field = "health"             // special category (AVG art. 9)
	FieldReligionEthnicity Field = "religion_ethnicity" // special category (AVG art. 9)
	FieldCriminal          Field = "criminal"           // criminal data (AVG art. 10)
	FieldBSN               Field = "bsn"                // citizen service number (Wabb)
)

// Fields lists every Field in the contract's order.
var Fields = []Field{
	FieldIdentity, FieldContact, FieldFacts, FieldOpinions,
	FieldHealth, FieldReligionEthnicity, FieldCriminal, FieldBSN,
}

// Valid reports whether f is one of Fields.
func (f Field) Valid() bool { return oneOf(f, Fields) }

// Special reports whether f is a special category of personal data (AVG
// art. 9 and 10), whose sharing the privacy officer is told about.
func (f Field) Special() bool {
	return f == FieldHealth || f == FieldReligionEthnicity || f == FieldCriminal
}

// Outcome is what the policy decided.
type Outcome string

const (
	OutcomeEmergency         Outcome = "emergency"
	OutcomeReportVeiligThuis Outcome = "report_veilig_thuis"
	OutcomeShareFull         Outcome = "share_full"
	OutcomeShareMinimal      Outcome = "share_minimal"
	OutcomeAskConsent        Outcome = "ask_consent"
	OutcomeDoNotShare        Outcome = "do_not_share"
	OutcomeEscalate          Outcome = "escalate"
	OutcomeIncomplete        Outcome = "incomplete" // answers are missing; see Decision.Missing
)

// Outcomes lists every Outcome.
var Outcomes = []Outcome{
	OutcomeEmergency, OutcomeReportVeiligThuis, OutcomeShareFull, OutcomeShareMinimal,
	OutcomeAskConsent, OutcomeDoNotShare, OutcomeEscalate, OutcomeIncomplete,
}

// Valid reports whether o is one of Outcomes.
func (o Outcome) Valid() bool { return oneOf(o, Outcomes) }

// Level is what the recipient may see now.
type Level string

const (
	LevelFull      Level = "full"      // the allowed fields, identified
	LevelMinimal   Level = "minimal"   // identified, strictly necessary facts only
	LevelExistence Level = "existence" // only that a signal exists and whom to contact
	LevelAnonymous Level = "anonymous" // content without identity
	LevelNone      Level = "none"
)

// Levels lists every Level from most to least shared.
var Levels = []Level{LevelFull, LevelMinimal, LevelExistence, LevelAnonymous, LevelNone}

// Valid reports whether l is one of Levels.
func (l Level) Valid() bool { return oneOf(l, Levels) }

// Rule is the id of a rule of the reference rule set (shared/domain.md).
type Rule string

const (
	RuleAcuteDanger        Rule = "R1"
	RuleLegalDuty          Rule = "R2"
	RuleReportVeiligThuis  Rule = "R3"
	RuleAbuseAdvice        Rule = "R4"
	RuleOutsideAgreement   Rule = "R5"
	RuleRadicalisation     Rule = "R6"
	RuleConsent            Rule = "R7"
	RuleAskConsent         Rule = "R8"
	RuleConflictOfDuties   Rule = "R9a"
	RuleConflictUnresolved Rule = "R9b"
	RuleNoConsentNoHarm    Rule = "R9c"
	RuleNoneYet            Rule = "" // an incomplete decision has no decisive rule
)

// Rules lists every decisive rule id, in the order the policy tries them.
// R10 (minimisation) and R11 (the audit record) apply to every decision and
// are never the decisive rule.
var Rules = []Rule{
	RuleAcuteDanger, RuleLegalDuty, RuleReportVeiligThuis, RuleAbuseAdvice, RuleOutsideAgreement,
	RuleRadicalisation, RuleConsent, RuleAskConsent, RuleConflictOfDuties, RuleConflictUnresolved,
	RuleNoConsentNoHarm,
}

// Valid reports whether r is one of Rules.
func (r Rule) Valid() bool { return oneOf(r, Rules) }

// Obligation is something the professional must do because of a decision.
type Obligation string

const (
	ObligationInformYouthParents   Obligation = "inform_youth_parents" // or record why it is postponed
	ObligationRecordJustification  Obligation = "record_justification"
	ObligationNotifyPrivacyOfficer Obligation = "notify_privacy_officer"
	ObligationAnonymise            Obligation = "anonymise"
	ObligationReportVeiligThuis    Obligation = "report_veilig_thuis"
	ObligationCallEmergency        Obligation = "call_emergency"
)

// Obligations lists every Obligation.
var Obligations = []Obligation{
	ObligationInformYouthParents, ObligationRecordJustification, ObligationNotifyPrivacyOfficer,
	ObligationAnonymise, ObligationReportVeiligThuis, ObligationCallEmergency,
}

// Valid reports whether o is one of Obligations.
func (o Obligation) Valid() bool { return oneOf(o, Obligations) }

// Recipient describes who would receive the information.
type Recipient struct {
	Role             *RecipientRole `json:"role,omitempty"`
	DirectlyInvolved *bool          `json:"directly_involved,omitempty"` // needs it for their own work with this young person
	InAgreement      *bool          `json:"in_agreement,omitempty"`      // a party to the cooperation's privacy agreement
}

// Youth is what the policy knows about the young person: never a name or a
// birth date, only the age in whole years.
type Youth struct {
	Age     *int  `json:"age,omitempty"`     // 0..23
	Capable *bool `json:"capable,omitempty"` // able to weigh their own interests; nil means true
}

// Consent is the consent as recorded.
type Consent struct {
	Youth    *ConsentAnswer `json:"youth,omitempty"`
	Parents  *ConsentAnswer `json:"parents,omitempty"`
	Recorded *bool          `json:"recorded,omitempty"` // when, by whom, for what
}

// Risk is the professional's judgement of danger and harm.
type Risk struct {
	AcuteDanger     *bool `json:"acute_danger,omitempty"`
	Harm            *Harm `json:"harm,omitempty"` // of serious harm without sharing
	AskingEndangers *bool `json:"asking_endangers,omitempty"`
}

// Abuse holds the reporting code's questions (Meldcode huiselijk geweld en
// kindermishandeling).
type Abuse struct {
	Suspected     *bool          `json:"suspected,omitempty"`
	Unsafe        *bool          `json:"unsafe,omitempty"` // acute or structural unsafety
	HelpPossible  *bool          `json:"help_possible,omitempty"`
	HelpAccepted  *bool          `json:"help_accepted,omitempty"`
	HelpEffective *HelpEffective `json:"help_effective,omitempty"`
}

// DutyConflict holds the conditions of a conflict of duties besides consent.
type DutyConflict struct {
	NoOtherWay      *bool `json:"no_other_way,omitempty"`
	PreventsHarm    *bool `json:"prevents_harm,omitempty"`
	ExpertConsulted *bool `json:"expert_consulted,omitempty"`
}

// Answers are the questions a professional answers about one intended share.
// The signal form sends exactly these (as "answers"); the service adds what
// it derives itself (the age from the birth date, the fields from the
// signal) to make a DecisionInput.
type Answers struct {
	Purpose      *Purpose     `json:"purpose,omitempty"`
	Recipient    Recipient    `json:"recipient,omitzero"`
	Consent      Consent      `json:"consent,omitzero"`
	Risk         Risk         `json:"risk,omitzero"`
	Abuse        Abuse        `json:"abuse,omitzero"`
	DutyConflict DutyConflict `json:"duty_conflict,omitzero"`
	LegalDuty    *bool        `json:"legal_duty,omitempty"`
}

// DecisionInput is the policy's input document (contract v1). Answers is
// embedded, so its fields sit at the top level of the JSON as the contract
// has them.
type DecisionInput struct {
	Answers
	Youth                  Youth   `json:"youth,omitzero"`
	Fields                 []Field `json:"fields,omitzero"` // proposed by the sender; nil = not yet chosen, empty = nothing
	FactsOpinionsSeparated *bool   `json:"facts_opinions_separated,omitempty"`
}

// Reason explains one rule that fired, for people, in Dutch and English.
type Reason struct {
	Code string `json:"code"`
	NL   string `json:"nl"`
	EN   string `json:"en"`
}

// Decision is the policy's answer (contract v1).
type Decision struct {
	Outcome       Outcome      `json:"outcome"`
	Level         Level        `json:"level"`
	Rule          Rule         `json:"rule"` // "" when Outcome is incomplete
	Fields        []Field      `json:"fields"`
	Obligations   []Obligation `json:"obligations"`
	Missing       []string     `json:"missing"` // input paths, in the order a form asks them
	Reasons       []Reason     `json:"reasons"`
	PolicyVersion string       `json:"policy_version"`
}

// ReasonCodes returns the codes of d's reasons, as the audit log keeps them.
func (d Decision) ReasonCodes() []string {
	codes := make([]string, len(d.Reasons))
	for i, r := range d.Reasons {
		codes[i] = r.Code
	}
	return codes
}

// Text is a sentence for people in Dutch and English.
type Text struct {
	NL string `json:"nl"`
	EN string `json:"en"`
}

// AnswerType says how a question is answered.
type AnswerType string

const (
	AnswerBoolean     AnswerType = "boolean"      // true or false
	AnswerChoice      AnswerType = "choice"       // one of Question.Answers
	AnswerMultiChoice AnswerType = "multi_choice" // a subset of Question.Answers
	AnswerWholeNumber AnswerType = "whole_number" // from Question.Min to Question.Max
)

// AnswerOption is one allowed answer with its label.
type AnswerOption struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
}

// Question is one question the policy can ask. ID is the input path the
// answer goes to (e.g. "consent.parents"), the same spelling Decision.Missing
// and FieldError.Field use. Which questions matter for a case is decided by
// the policy: ask exactly those in Decision.Missing, in that order; Relevant
// documents the condition for people.
type Question struct {
	ID       string         `json:"id"`
	Type     AnswerType     `json:"type"`
	Text     Text           `json:"text"`
	Help     Text           `json:"help"`
	Answers  []AnswerOption `json:"answers,omitempty"`
	Min      *int           `json:"min,omitempty"`
	Max      *int           `json:"max,omitempty"`
	Default  any            `json:"default,omitempty"` // the answer assumed when none is given, if any
	Relevant Text           `json:"relevant"`
}

// MaxYouthAge is the highest age Signaal holds data about: everything is
// gone when a young person turns 23 (the reference index's limit).
const MaxYouthAge = 23

// Validate checks an input built in Go (e.g. from a signal form) against the
// contract: enum values, the age range, consent values per party, and
// duplicate fields. Unanswered (nil) answers are fine; the policy lists
// them in Decision.Missing. Every problem is reported, named by its path.
func (in DecisionInput) Validate() error {
	var fe FieldErrors
	in.Answers.validate(&fe)
	if a := in.Youth.Age; a != nil && (*a < 0 || *a > MaxYouthAge) {
		fe.Add("youth.age", ageProblem)
	}
	seen := make(map[Field]bool, len(in.Fields))
	for i, f := range in.Fields {
		path := "fields[" + strconv.Itoa(i) + "]"
		switch {
		case !f.Valid():
			fe.Add(path, unknownValue(f, Fields))
		case seen[f]:
			fe.Add(path, "\""+string(f)+"\" is listed twice")
		}
		seen[f] = true
	}
	return fe.Err()
}

// Validate checks the answers' enum values; nil answers are fine.
func (a Answers) Validate() error {
	var fe FieldErrors
	a.validate(&fe)
	return fe.Err()
}

func (a Answers) validate(fe *FieldErrors) {
	checkEnum(fe, "purpose", a.Purpose, Purposes)
	checkEnum(fe, "recipient.role", a.Recipient.Role, RecipientRoles)
	checkEnum(fe, "consent.youth", a.Consent.Youth, YouthConsentAnswers)
	checkEnum(fe, "consent.parents", a.Consent.Parents, ConsentAnswers)
	checkEnum(fe, "risk.harm", a.Risk.Harm, Harms)
	checkEnum(fe, "abuse.help_effective", a.Abuse.HelpEffective, HelpEffectives)
}

const ageProblem = "must be a whole number from 0 to 23"

// MaxDecisionInputBytes bounds the input document DecodeDecisionInput reads;
// a real one is well under 1 KiB.
const MaxDecisionInputBytes = 64 << 10

// DecodeDecisionInput reads one input document (contract v1) strictly:
// unknown fields, wrong types, unknown enum values and an age out of range
// are refused, each named by its path ("consent.parents", "youth.age"), all
// at once. JSON null counts as not answered. The result is valid (Validate
// returns nil for it).
func DecodeDecisionInput(r io.Reader) (DecisionInput, error) {
	doc, err := decodeDocument(r, "decision input")
	if err != nil {
		return DecisionInput{}, err
	}
	var d inputDecoder
	in := d.input(doc)
	// Values of the wrong type were left nil, so validation reports the
	// remaining problems without repeating those.
	var verr *Error
	if err := in.Validate(); errors.As(err, &verr) {
		d.errs = append(d.errs, verr.Fields...)
	}
	if err := d.errs.Err(); err != nil {
		return DecisionInput{}, err
	}
	return in, nil
}

// DecodeAnswers reads the "answers" object of a signal form as strictly as
// DecodeDecisionInput reads a whole input, naming each problem by its path
// under "answers." (e.g. "answers.consent.parents"). Only the answer keys
// are allowed; the service adds the age and the fields itself.
func DecodeAnswers(r io.Reader) (Answers, error) {
	doc, err := decodeDocument(r, "answers")
	if err != nil {
		return Answers{}, err
	}
	var d inputDecoder
	var a Answers
	if root := d.object("", doc, answerKeys...); root != nil {
		a = d.answers(root)
	}
	var verr *Error
	if err := a.Validate(); errors.As(err, &verr) {
		d.errs = append(d.errs, verr.Fields...)
	}
	if len(d.errs) > 0 {
		for i := range d.errs {
			d.errs[i].Field = strings.TrimSuffix("answers."+d.errs[i].Field, ".(input)")
		}
		return Answers{}, d.errs.Err()
	}
	return a, nil
}

// decodeDocument reads one bounded JSON document with numbers kept exact.
func decodeDocument(r io.Reader, what string) (any, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDecisionInputBytes+1))
	if err != nil {
		return nil, Errorf(CodeInvalid, "read %s: %v", what, err)
	}
	if len(data) > MaxDecisionInputBytes {
		return nil, Errorf(CodeTooLarge, "%s is larger than %d bytes", what, MaxDecisionInputBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, Errorf(CodeInvalid, "%s is not valid JSON: %s", what, jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, Errorf(CodeInvalid, "%s must be one JSON object with nothing after it", what)
	}
	return doc, nil
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return err.Error() + " (at byte " + strconv.FormatInt(syn.Offset, 10) + ")"
	}
	if errors.Is(err, io.EOF) {
		return "empty input"
	}
	return err.Error()
}

// inputDecoder turns a generic JSON document into a DecisionInput, noting
// every problem by path. Enum values are checked afterwards by Validate, so
// Go-built and decoded inputs get the same messages.
type inputDecoder struct{ errs FieldErrors }

// answerKeys are the top-level keys of Answers.
var answerKeys = []string{"purpose", "recipient", "consent", "risk", "abuse", "duty_conflict", "legal_duty"}

func (d *inputDecoder) input(doc any) DecisionInput {
	var in DecisionInput
	root := d.object("", doc, "purpose", "recipient", "youth", "consent", "risk", "abuse",
		"duty_conflict", "legal_duty", "fields", "facts_opinions_separated")
	if root == nil {
		return in
	}
	in.Answers = d.answers(root)
	if o := d.object("youth", root["youth"], "age", "capable"); o != nil {
		in.Youth.Age = d.age("youth.age", o["age"])
		in.Youth.Capable = d.boolean("youth.capable", o["capable"])
	}
	in.Fields = d.fields("fields", root["fields"])
	in.FactsOpinionsSeparated = d.boolean("facts_opinions_separated", root["facts_opinions_separated"])
	return in
}

func (d *inputDecoder) answers(root map[string]any) Answers {
	var a Answers
	a.Purpose = enumValue[Purpose](d, "purpose", root["purpose"])
	if o := d.object("recipient", root["recipient"], "role", "directly_involved", "in_agreement"); o != nil {
		a.Recipient.Role = enumValue[RecipientRole](d, "recipient.role", o["role"])
		a.Recipient.DirectlyInvolved = d.boolean("recipient.directly_involved", o["directly_involved"])
		a.Recipient.InAgreement = d.boolean("recipient.in_agreement", o["in_agreement"])
	}
	if o := d.object("consent", root["consent"], "youth", "parents", "recorded"); o != nil {
		a.Consent.Youth = enumValue[ConsentAnswer](d, "consent.youth", o["youth"])
		a.Consent.Parents = enumValue[ConsentAnswer](d, "consent.parents", o["parents"])
		a.Consent.Recorded = d.boolean("consent.recorded", o["recorded"])
	}
	if o := d.object("risk", root["risk"], "acute_danger", "harm", "asking_endangers"); o != nil {
		a.Risk.AcuteDanger = d.boolean("risk.acute_danger", o["acute_danger"])
		a.Risk.Harm = enumValue[Harm](d, "risk.harm", o["harm"])
		a.Risk.AskingEndangers = d.boolean("risk.asking_endangers", o["asking_endangers"])
	}
	if o := d.object("abuse", root["abuse"], "suspected", "unsafe", "help_possible", "help_accepted", "help_effective"); o != nil {
		a.Abuse.Suspected = d.boolean("abuse.suspected", o["suspected"])
		a.Abuse.Unsafe = d.boolean("abuse.unsafe", o["unsafe"])
		a.Abuse.HelpPossible = d.boolean("abuse.help_possible", o["help_possible"])
		a.Abuse.HelpAccepted = d.boolean("abuse.help_accepted", o["help_accepted"])
		a.Abuse.HelpEffective = enumValue[HelpEffective](d, "abuse.help_effective", o["help_effective"])
	}
	if o := d.object("duty_conflict", root["duty_conflict"], "no_other_way", "prevents_harm", "expert_consulted"); o != nil {
		a.DutyConflict.NoOtherWay = d.boolean("duty_conflict.no_other_way", o["no_other_way"])
		a.DutyConflict.PreventsHarm = d.boolean("duty_conflict.prevents_harm", o["prevents_harm"])
		a.DutyConflict.ExpertConsulted = d.boolean("duty_conflict.expert_consulted", o["expert_consulted"])
	}
	a.LegalDuty = d.boolean("legal_duty", root["legal_duty"])
	return a
}

// object returns v as an object, reporting a wrong type and any key not in
// known. An absent or null object is nil without a problem.
func (d *inputDecoder) object(path string, v any, known ...string) map[string]any {
	if v == nil {
		return nil
	}
	o, ok := v.(map[string]any)
	if !ok {
		d.errs.Add(pathOrRoot(path), "must be an object, not "+jsonKind(v))
		return nil
	}
	unknown := make([]string, 0)
	for k := range o {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		p := k
		if path != "" {
			p = path + "." + k
		}
		d.errs.Add(p, "unknown field; allowed here: "+strings.Join(known, ", "))
	}
	return o
}

func pathOrRoot(path string) string {
	if path == "" {
		return "(input)"
	}
	return path
}

func (d *inputDecoder) boolean(path string, v any) *bool {
	if v == nil {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		d.errs.Add(path, "must be true or false, not "+jsonKind(v))
		return nil
	}
	return &b
}

func (d *inputDecoder) age(path string, v any) *int {
	if v == nil {
		return nil
	}
	n, ok := v.(json.Number)
	if !ok {
		d.errs.Add(path, ageProblem+", not "+jsonKind(v))
		return nil
	}
	a, err := strconv.Atoi(n.String())
	if err != nil || a < 0 || a > MaxYouthAge {
		d.errs.Add(path, ageProblem+", not "+n.String())
		return nil
	}
	return &a
}

func enumValue[T ~string](d *inputDecoder, path string, v any) *T {
	if v == nil {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		d.errs.Add(path, "must be a string, not "+jsonKind(v))
		return nil
	}
	t := T(s)
	return &t
}

func (d *inputDecoder) fields(path string, v any) []Field {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		d.errs.Add(path, "must be a list of field names, not "+jsonKind(v))
		return nil
	}
	fields := make([]Field, len(list))
	wrong := false
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			d.errs.Add(path+"["+strconv.Itoa(i)+"]", "must be a string, not "+jsonKind(e))
			wrong = true
			continue
		}
		fields[i] = Field(s)
	}
	if wrong {
		// Validation would report the blanks again; the problems are noted.
		return nil
	}
	return fields
}

// jsonKind names the JSON type of a decoded value for error messages.
func jsonKind(v any) string {
	switch v := v.(type) {
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return "the number " + v.String()
	case string:
		return "the string " + strconv.Quote(v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	default:
		return "null"
	}
}
