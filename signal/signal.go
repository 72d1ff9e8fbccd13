package signal

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Category is what a signal is about.
type Category string

const (
	CategorySchoolAbsence  Category = "school_absence"
	CategoryBehaviour      Category = "behaviour"
	CategoryWellbeing      Category = "wellbeing"
	CategoryHomeSituation  Category = "home_situation"
	CategorySubstanceUse   Category = "substance_use"
	CategoryOnline         Category = "online"
	CategorySafety         Category = "safety"
	CategoryRadicalisation Category = "radicalisation"
	CategoryOther          Category = "other"
)

// Categories lists every Category in the order a form offers them.
var Categories = []Category{
	CategorySchoolAbsence, CategoryBehaviour, CategoryWellbeing, CategoryHomeSituation,
	CategorySubstanceUse, CategoryOnline, CategorySafety, CategoryRadicalisation, CategoryOther,
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { return oneOf(c, Categories) }

// Status is where a signal is in its life.
type Status string

const (
	// StatusDraft: the policy could not decide yet (outcome incomplete);
	// only the reporter sees it, until they answer the missing questions.
	StatusDraft Status = "draft"
	// StatusDecided: the policy decided; readers see it at the level the
	// decision allows them.
	StatusDecided Status = "decided"
)

// Limits on what a signal may hold. A signal is a dated observation, not a
// case file: a few paragraphs of facts, a shorter opinion.
const (
	MaxNameLength     = 200    // characters
	MaxFactsLength    = 10_000 // characters
	MaxOpinionsLength = 5_000  // characters
)

// ContainedFields are the kinds of information the reporter can mark as
// present in what they wrote, besides identity, facts and opinions (which the
// service derives itself). The policy needs them: special categories (AVG
// art. 9, 10) oblige notifying the privacy officer, a BSN may only go under
// R2/R3, and contact details are a field of their own.
var ContainedFields = []Field{FieldContact, FieldHealth, FieldReligionEthnicity, FieldCriminal, FieldBSN}

// NewSignal is a signal as a reporter submits it (the POST body of
// /api/v1/signals). Name, birth date, facts and opinions are the sensitive
// content: the service seals them before they are stored and never logs or
// audits them.
type NewSignal struct {
	Youth      NewYouth `json:"youth"`
	Category   Category `json:"category"`
	Facts      string   `json:"facts"`
	Opinions   string   `json:"opinions,omitempty"`
	ObservedOn string   `json:"observed_on"`
	// Contains extends the body: what else the text holds (see
	// ContainedFields), so the policy can minimise and protect it.
	Contains []Field `json:"contains,omitempty"`
	Answers  Answers `json:"answers"`
	// Versions are the texts for recipients who may see less than full
	// (issue 14): without one, such a recipient gets no text.
	Versions Versions `json:"versions,omitzero"`
}

// NewYouth identifies the young person a signal is about.
type NewYouth struct {
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
	// Capable extends the body: whether the young person can weigh
	// their own interests (the contract's youth.capable; nil means true).
	Capable *bool `json:"capable,omitempty"`
}

// ValidatedSignal is a NewSignal that passed Validate, with its dates parsed
// and what the service derives from it.
type ValidatedSignal struct {
	NewSignal
	BirthDate  Date
	ObservedOn Date
	Age        int
}

// Validate checks a submitted signal against the rules of intake, reporting
// every problem by its wire path at once. today is the current date in the
// Netherlands.
func (in NewSignal) Validate(today Date) (ValidatedSignal, error) {
	var fe FieldErrors
	v := ValidatedSignal{NewSignal: in}

	switch name := strings.TrimSpace(in.Youth.Name); {
	case name == "":
		fe.Add("youth.name", "is required")
	case utf8.RuneCountInString(name) > MaxNameLength:
		fe.Add("youth.name", "must be at most "+strconv.Itoa(MaxNameLength)+" characters")
	case strings.ContainsFunc(name, unicode.IsControl):
		fe.Add("youth.name", "must not contain control characters")
	case !strings.ContainsFunc(name, func(r rune) bool { return unicode.IsLetter(r) }):
		fe.Add("youth.name", "must contain letters")
	}

	var birthOK, observedOK bool
	if in.Youth.BirthDate == "" {
		fe.Add("youth.birth_date", "is required")
	} else if d, err := ParseDate(in.Youth.BirthDate); err != nil {
		fe.Add("youth.birth_date", err.Error())
	} else if today.Before(d) {
		fe.Add("youth.birth_date", "must not be in the future")
	} else {
		v.BirthDate, birthOK = d, true
	}

	if in.ObservedOn == "" {
		fe.Add("observed_on", "is required")
	} else if d, err := ParseDate(in.ObservedOn); err != nil {
		fe.Add("observed_on", err.Error())
	} else if today.Before(d) {
		fe.Add("observed_on", "must not be in the future")
	} else if d.Time().Before(today.Time().Add(-SignalActivePeriod)) {
		fe.Add("observed_on", "must be within the last two years (older signals have expired)")
	} else {
		v.ObservedOn, observedOK = d, true
	}
	if birthOK && observedOK {
		switch {
		case v.ObservedOn.Before(v.BirthDate):
			fe.Add("observed_on", "must not be before youth.birth_date")
		case AgeOn(v.BirthDate, v.ObservedOn) > MaxYouthAge:
			fe.Add("youth.birth_date", "the young person was older than "+strconv.Itoa(MaxYouthAge)+" on observed_on; Signaal holds signals about young people up to "+strconv.Itoa(MaxYouthAge))
		default:
			v.Age = AgeOn(v.BirthDate, v.ObservedOn)
		}
	}

	requireOneOf(&fe, "category", in.Category, Categories)

	switch {
	case strings.TrimSpace(in.Facts) == "":
		fe.Add("facts", "is required: describe what you observed")
	case utf8.RuneCountInString(in.Facts) > MaxFactsLength:
		fe.Add("facts", "must be at most "+strconv.Itoa(MaxFactsLength)+" characters")
	}
	if utf8.RuneCountInString(in.Opinions) > MaxOpinionsLength {
		fe.Add("opinions", "must be at most "+strconv.Itoa(MaxOpinionsLength)+" characters")
	}

	seen := make(map[Field]bool)
	for i, f := range in.Contains {
		path := "contains[" + strconv.Itoa(i) + "]"
		switch {
		case !oneOf(f, ContainedFields):
			fe.Add(path, unknownValue(f, ContainedFields))
		case seen[f]:
			fe.Add(path, strconv.Quote(string(f))+" is listed twice")
		}
		seen[f] = true
	}

	validateAnswers(&fe, in.Answers)
	validatePurpose(&fe, in.Category, in.Answers)
	validateVersions(&fe, in.Versions)
	if err := fe.Err(); err != nil {
		return ValidatedSignal{}, err
	}
	return v, nil
}

// validateAnswers checks the answers' enum values, naming each problem by
// its path under "answers.".
func validateAnswers(fe *FieldErrors, a Answers) {
	var inner FieldErrors
	a.validate(&inner)
	for _, f := range inner {
		fe.Add("answers."+f.Field, f.Problem)
	}
}

// validatePurpose checks that the category and the purpose do not
// contradict each other: a signal about radicalisation has the purpose
// radicalisation_concern (the R6 way of working), and that purpose belongs
// to that category only.
func validatePurpose(fe *FieldErrors, c Category, a Answers) {
	if a.Purpose == nil || !c.Valid() {
		return
	}
	switch {
	case c == CategoryRadicalisation && *a.Purpose != PurposeRadicalisationConcern:
		fe.Add("answers.purpose", "must be radicalisation_concern for a signal of category radicalisation")
	case c != CategoryRadicalisation && *a.Purpose == PurposeRadicalisationConcern:
		fe.Add("answers.purpose", "radicalisation_concern is the purpose of category radicalisation: choose that category, or another purpose")
	}
}

// DefaultRecipient is the recipient when the reporter names none: the
// cooperation's signal meeting, which is directly involved and a party to
// the privacy agreement by construction.
func DefaultRecipient() Recipient {
	role, yes := RecipientSignalMeeting, true
	return Recipient{Role: &role, DirectlyInvolved: &yes, InAgreement: &yes}
}

// DecisionInput derives the policy's input from a validated signal and the
// answers given so far: the age in whole years on the day of observation,
// the fields the signal actually holds, whether facts and opinions are kept
// apart, and the default recipient. It never carries free text.
func (v ValidatedSignal) DecisionInput(answers Answers) DecisionInput {
	return decisionInput(answers, v.Category, v.Age, v.Youth.Capable, SignalFields(v.Opinions != "", v.Contains), v.Opinions != "")
}

func decisionInput(answers Answers, category Category, age int, capable *bool, fields []Field, opinions bool) DecisionInput {
	if answers.Recipient == (Recipient{}) {
		answers.Recipient = DefaultRecipient()
	}
	if r := &answers.Recipient; r.Role != nil && *r.Role == RecipientSignalMeeting {
		// The cooperation's own signal meeting chosen by name (the phone
		// shows the recipient changeable, with the meeting checked) is the
		// default recipient: those who work with the young person, under
		// the agreement (withAgreement then says whether it covers this
		// purpose).
		def := DefaultRecipient()
		if r.DirectlyInvolved == nil {
			r.DirectlyInvolved = def.DirectlyInvolved
		}
		if r.InAgreement == nil {
			r.InAgreement = def.InAgreement
		}
	}
	if answers.Purpose == nil && category == CategoryRadicalisation {
		// The category feeds the policy (issue 15 item 5): a signal about
		// radicalisation has that purpose, so the purpose question is not
		// asked and cannot say otherwise (validatePurpose).
		p := PurposeRadicalisationConcern
		answers.Purpose = &p
	}
	separated := opinions
	return DecisionInput{
		Answers:                answers,
		Youth:                  Youth{Age: &age, Capable: capable},
		Fields:                 fields,
		FactsOpinionsSeparated: &separated,
	}
}

// SignalFields returns what a signal holds, in the contract's order:
// identity always (a signal is about a named young person), facts always
// (they are required), opinions when written, and what the reporter marked.
func SignalFields(opinions bool, contains []Field) []Field {
	var out []Field
	for _, f := range Fields {
		switch {
		case f == FieldIdentity, f == FieldFacts,
			f == FieldOpinions && opinions,
			slices.Contains(contains, f):
			out = append(out, f)
		}
	}
	return out
}

// MergeAnswers returns base with every answer given in more applied on top:
// a later answer replaces an earlier one, an unanswered (nil) one keeps it.
func MergeAnswers(base, more Answers) Answers {
	set := func(dst **bool, src *bool) {
		if src != nil {
			*dst = src
		}
	}
	if more.Purpose != nil {
		base.Purpose = more.Purpose
	}
	if more.Recipient.Role != nil {
		base.Recipient.Role = more.Recipient.Role
	}
	set(&base.Recipient.DirectlyInvolved, more.Recipient.DirectlyInvolved)
	set(&base.Recipient.InAgreement, more.Recipient.InAgreement)
	if more.Consent.Youth != nil {
		base.Consent.Youth = more.Consent.Youth
	}
	if more.Consent.Parents != nil {
		base.Consent.Parents = more.Consent.Parents
	}
	set(&base.Consent.Recorded, more.Consent.Recorded)
	set(&base.Risk.AcuteDanger, more.Risk.AcuteDanger)
	if more.Risk.Harm != nil {
		base.Risk.Harm = more.Risk.Harm
	}
	set(&base.Risk.AskingEndangers, more.Risk.AskingEndangers)
	set(&base.Abuse.Suspected, more.Abuse.Suspected)
	set(&base.Abuse.Unsafe, more.Abuse.Unsafe)
	set(&base.Abuse.HelpPossible, more.Abuse.HelpPossible)
	set(&base.Abuse.HelpAccepted, more.Abuse.HelpAccepted)
	if more.Abuse.HelpEffective != nil {
		base.Abuse.HelpEffective = more.Abuse.HelpEffective
	}
	set(&base.DutyConflict.NoOtherWay, more.DutyConflict.NoOtherWay)
	set(&base.DutyConflict.PreventsHarm, more.DutyConflict.PreventsHarm)
	set(&base.DutyConflict.ExpertConsulted, more.DutyConflict.ExpertConsulted)
	set(&base.LegalDuty, more.LegalDuty)
	return base
}

// Signal is a stored signal: its metadata in the clear, its content sealed
// per young person. Youth is the keyed pseudonym of the young person.
//
// Answers are in the clear only in memory: the store keeps them sealed
// (Sealed.Answers) and hands them back empty; answersOf reads them. Only a
// signal stored before answers were sealed comes back with Answers and no
// Sealed.Answers.
type Signal struct {
	ID            string
	Youth         string // keyed pseudonym; the audit Subject
	OrgID         string // the reporting organisation
	ReporterID    string
	CooperationID string
	Category      Category
	ObservedOn    Date
	Age           int
	Capable       *bool
	Contains      []Field
	HasOpinions   bool
	Status        Status
	Answers       Answers
	Decision      Decision
	// MeetingLevel is what the signal meeting may see under Decision: the
	// decision's level when the decision is about the meeting, none otherwise
	// (and none while a draft).
	MeetingLevel Level
	Sealed       SealedContent
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Cursor is the store's position of the signal in a newest-first list.
	Cursor string
	// Version increases with every change, so a completion based on a stale
	// read is refused instead of overwriting a newer decision.
	Version int
}

// SealedContent holds the ciphertexts of a signal's sensitive content.
type SealedContent struct {
	Name, BirthDate, Facts, Opinions []byte
	// Versions are the texts for the levels below full (Versions as JSON),
	// nil when the reporter wrote none.
	Versions []byte
	// Answers are Signal.Answers as JSON (see answers_sealed.go), nil for
	// none; the store then keeps no answers in the clear.
	Answers []byte
}

// Content is a signal's sensitive content in the clear, only ever in memory.
type Content struct {
	Name, BirthDate, Facts, Opinions string
	Versions                         Versions
}

// DecisionInput rebuilds the policy input of a stored signal with answers.
func (s *Signal) DecisionInput(answers Answers) DecisionInput {
	return decisionInput(answers, s.Category, s.Age, s.Capable, SignalFields(s.HasOpinions, s.Contains), s.HasOpinions)
}

// meetingLevel is what the signal meeting sees of a signal decided by d
// for recipient: d's level if d is about the meeting, else nothing.
func meetingLevel(status Status, answers Answers, d Decision) Level {
	if status != StatusDecided {
		return LevelNone
	}
	if r := answers.Recipient.Role; r != nil && *r != RecipientSignalMeeting {
		return LevelNone
	}
	if !d.Level.Valid() {
		return LevelNone
	}
	return d.Level
}
