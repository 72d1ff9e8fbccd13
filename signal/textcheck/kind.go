package textcheck

// Kind is what a finding is. Its value is a stable code: store it, put it in
// a message key, compare it; never show it to a user as it is.
type Kind string

const (
	// KindOwnName is a part of the young person's own name (first names,
	// family name with its infix, or the initials).
	KindOwnName Kind = "own_name"
	// KindOwnBirthDate is the young person's own birth date, in any common
	// Dutch or English notation.
	KindOwnBirthDate Kind = "own_birth_date"
	// KindBirthDate is a date written as someone's birth date ("geboren op
	// 3 mei 2011"), whoever's it is.
	KindBirthDate Kind = "birth_date"
	// KindKnownName is the name of another young person the text's context
	// knows (Subject.KnownNames): for a meeting, the young people on its agenda.
	KindKnownName Kind = "known_name"
	// KindPersonName is a personal name: a Dutch given or family name from
	// the name list, or a capitalised word after a title or initials
	// ("mevrouw Yilmaz", "J. Smit").
	KindPersonName Kind = "person_name"
	// KindBSN is a citizen service number: nine digits that pass the 11-check.
	KindBSN Kind = "bsn"
	// KindPhone is a Dutch phone number (mobile or landline, +31 or 0).
	KindPhone Kind = "phone"
	// KindEmail is an e-mail address.
	KindEmail Kind = "email"
	// KindHandle is a social media account name ("@sanne_2011").
	KindHandle Kind = "handle"
	// KindAddress is a postcode (with or without a house number) or a street
	// with a house number.
	KindAddress Kind = "address"
	// KindHealth is a special category (AVG art. 9): health, including
	// mental health, self-harm and suicide, diagnoses, medication, care.
	KindHealth Kind = "health"
	// KindReligionEthnicity is a special category (AVG art. 9): religion,
	// belief, ethnic origin.
	KindReligionEthnicity Kind = "religion_ethnicity"
	// KindCriminal is criminal data (AVG art. 10): arrests, suspicions,
	// convictions, sanctions such as HALT.
	KindCriminal Kind = "criminal"
)

// Kinds lists every Kind, the ones that identify first.
var Kinds = []Kind{
	KindOwnName, KindOwnBirthDate, KindBirthDate, KindKnownName, KindPersonName,
	KindBSN, KindPhone, KindEmail, KindHandle, KindAddress,
	KindHealth, KindReligionEthnicity, KindCriminal,
}

// Special reports whether k is a special category of personal data (AVG
// art. 9 and 10): it goes only at level full and only when the decision
// lists it, and its sharing is reported to the privacy officer (R10).
func (k Kind) Special() bool {
	return k == KindHealth || k == KindReligionEthnicity || k == KindCriminal
}

// Identifies reports whether k can tell who someone is: it may not go at
// level anonymous.
func (k Kind) Identifies() bool { return !k.Special() && k != "" }

// Field is the code of the decision field (signal.Field) a finding of kind k
// belongs to: identity, contact, bsn, health, religion_ethnicity or
// criminal. The code is a string with the values of signal.Field;
// signal.FindingKind.Field says the same (TestDomainKindsAreTheSameCodes).
func (k Kind) Field() string {
	switch k {
	case KindOwnName, KindOwnBirthDate, KindBirthDate, KindKnownName, KindPersonName:
		return "identity"
	case KindPhone, KindEmail, KindHandle, KindAddress:
		return "contact"
	case KindBSN:
		return "bsn"
	}
	return string(k)
}

// Explanation is what the reporter reads next to a finding, in plain
// language (B1), in Dutch and English. The web layer may use these or its
// own catalogue keyed by "textcheck." + Kind.
type Explanation struct{ NL, EN string }

// Explanations holds one Explanation per Kind.
var Explanations = map[Kind]Explanation{
	KindOwnName: {
		"Hier staat (een deel van) de naam van de jongere. Wie deze tekst krijgt, mag niet weten om wie het gaat. Haal de naam weg of schrijf 'de jongere'.",
		"This is (part of) the young person's name. The recipient of this text may not know who it is about. Remove the name or write 'the young person'."},
	KindOwnBirthDate: {
		"Hier staat de geboortedatum van de jongere. Daarmee is de jongere te herkennen. Haal de datum weg of noem alleen de leeftijd als dat nodig is.",
		"This is the young person's date of birth, which tells who they are. Remove it, or give only the age if that is needed."},
	KindBirthDate: {
		"Hier staat een geboortedatum. Daarmee is iemand te herkennen. Haal de datum weg.",
		"This is a date of birth, which tells who someone is. Remove it."},
	KindKnownName: {
		"Hier staat de naam van een andere jongere die in het overleg besproken wordt. Schrijf niet over hem of haar in deze tekst.",
		"This is the name of another young person discussed in the meeting. Do not write about them in this text."},
	KindPersonName: {
		"Dit lijkt een naam van een persoon. Schrijf liever wie het is ('moeder', 'een klasgenoot') dan de naam. Is het geen naam? Bevestig dat dan.",
		"This looks like a person's name. Write who it is ('mother', 'a classmate') rather than the name. Not a name? Then confirm that."},
	KindBSN: {
		"Dit is een burgerservicenummer (BSN). Een BSN mag alleen mee als de wet dat vraagt. Haal het nummer weg.",
		"This is a citizen service number (BSN). It may only be shared when the law requires it. Remove the number."},
	KindPhone: {
		"Dit is een telefoonnummer. Daarmee is iemand te vinden. Haal het nummer weg.",
		"This is a phone number, by which someone can be found. Remove it."},
	KindEmail: {
		"Dit is een e-mailadres. Daarmee is iemand te vinden. Haal het adres weg.",
		"This is an e-mail address, by which someone can be found. Remove it."},
	KindHandle: {
		"Dit is een account op sociale media. Daarmee is iemand te vinden. Haal het weg of schrijf 'een account'.",
		"This is a social media account, by which someone can be found. Remove it or write 'an account'."},
	KindAddress: {
		"Dit is een adres of postcode. Daarmee is iemand te vinden. Noem alleen de buurt als dat nodig is.",
		"This is an address or postcode, by which someone can be found. Name only the neighbourhood if that is needed."},
	KindHealth: {
		"Dit gaat over gezondheid (ook psychisch). Dat is een bijzonder persoonsgegeven: het mag alleen mee als het besluit dat toestaat. Haal het weg of beschrijf wat je zag.",
		"This is about health (mental health too). That is a special category of personal data: it may only go when the decision allows it. Remove it or describe what you saw."},
	KindReligionEthnicity: {
		"Dit gaat over geloof of afkomst. Dat is een bijzonder persoonsgegeven: het mag alleen mee als het besluit dat toestaat. Haal het weg als het niet nodig is.",
		"This is about religion or ethnic origin. That is a special category of personal data: it may only go when the decision allows it. Remove it if it is not needed."},
	KindCriminal: {
		"Dit gaat over politie of justitie (strafrechtelijke gegevens). Dat mag alleen mee als het besluit dat toestaat. Haal het weg als het niet nodig is.",
		"This is about police or justice (criminal data). It may only go when the decision allows it. Remove it if it is not needed."},
}
