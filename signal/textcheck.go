package signal

// TextChecker finds in a free text what a disclosure level may forbid: the
// young person's own name and birth date, the names of other young people
// the context knows, other personal names, a BSN, contact details and the
// special categories (issue 14, item 3). Package signal/textcheck
// implements it (its Checker's CheckText); the domain depends only on this
// interface, because signal imports the standard library only.
//
// Defined here by the meeting's texts (Meetings.AddAction, Decide, AddRisk,
// Plan); the signal's versions per level use the same interface.
type TextChecker interface {
	// CheckText returns the findings in text about the subject, in the
	// order of the text. No findings does not make a text safe: the check
	// is an aid, see signal/textcheck's package comment.
	CheckText(text string, about TextSubject) []TextFinding
}

// TextSubject is whom a text is about, and whom else its context knows.
type TextSubject struct {
	// Name is the young person's full name.
	Name string
	// BirthDate is YYYY-MM-DD, or "".
	BirthDate string
	// KnownNames are the full names of other young people the text must not
	// name: for a meeting text, those the meeting may see by name.
	KnownNames []string
}

// TextFinding is one thing a TextChecker found.
type TextFinding struct {
	Kind FindingKind
	// Start and End are byte offsets into the text; Text is text[Start:End].
	Start, End int
	Text       string
	// Term is the word-list entry that matched, for a special category;
	// for a person's name, TermUnlistedName when it is a guess.
	Term string
}

// TermUnlistedName is the Term of a person_name finding that is no known
// name, only a capitalised word where a name stands or that is no Dutch
// word ("bij Xiomara thuis"): it may be a place or a shop as well.
const TermUnlistedName = "unlisted"

// FindingKind is what a finding is; the codes are those of
// signal/textcheck's Kind.
type FindingKind string

const (
	FindingOwnName           FindingKind = "own_name"
	FindingOwnBirthDate      FindingKind = "own_birth_date"
	FindingBirthDate         FindingKind = "birth_date"
	FindingKnownName         FindingKind = "known_name"
	FindingPersonName        FindingKind = "person_name"
	FindingBSN               FindingKind = "bsn"
	FindingPhone             FindingKind = "phone"
	FindingEmail             FindingKind = "email"
	FindingHandle            FindingKind = "handle"
	FindingAddress           FindingKind = "address"
	FindingHealth            FindingKind = "health"
	FindingReligionEthnicity FindingKind = "religion_ethnicity"
	FindingCriminal          FindingKind = "criminal"
)

// Field is the decision field a finding of kind k needs before it may be
// shown: identity, contact, bsn or a special category. An unknown kind
// needs identity, the field most levels withhold (fail closed).
func (k FindingKind) Field() Field {
	switch k {
	case FindingPhone, FindingEmail, FindingHandle, FindingAddress:
		return FieldContact
	case FindingBSN:
		return FieldBSN
	case FindingHealth:
		return FieldHealth
	case FindingReligionEthnicity:
		return FieldReligionEthnicity
	case FindingCriminal:
		return FieldCriminal
	}
	return FieldIdentity
}
