package signal

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Accountability (AVG art. 5(2)) for the privacy officer: the register of
// processing (art. 30), generated from what the product knows rather than
// kept by hand beside it, and the breach log (art. 33) with its 72-hour
// notification to the Autoriteit Persoonsgegevens. Neither holds free text:
// an incident is recorded in fixed categories, so no name of a young person
// can end up in the log, the audit or the database.

// DataSubject is a category of people the cooperation processes data of.
type DataSubject string

const (
	SubjectYoungPeople   DataSubject = "young_people"  // the young people signalled (0 to 23)
	SubjectParents       DataSubject = "parents"       // their parents, in consent and contact
	SubjectProfessionals DataSubject = "professionals" // reporters, coordinators, contact persons
)

// DataSubjects lists every category, as the register shows them.
var DataSubjects = []DataSubject{SubjectYoungPeople, SubjectParents, SubjectProfessionals}

// LegalGround is a ground on which the policy lets a signal be shared; a
// decision names the one it used (its reasons).
type LegalGround string

const (
	GroundConsent          LegalGround = "consent"            // AVG art. 6(1)(a), rules R7, R8
	GroundLegalDuty        LegalGround = "legal_duty"         // art. 6(1)(c), rule R2
	GroundReportRight      LegalGround = "report_right"       // meldrecht, Wet verplichte meldcode, R3-R5
	GroundConflictOfDuties LegalGround = "conflict_of_duties" // art. 6(1)(d), rule R9
)

// LegalGrounds lists the grounds the policy knows.
var LegalGrounds = []LegalGround{GroundConsent, GroundLegalDuty, GroundReportRight, GroundConflictOfDuties}

// SecurityMeasure is a technical measure the product itself takes (art.
// 30(1)(g), art. 32); the register names them so that the officer does not
// have to describe them from memory.
type SecurityMeasure string

const (
	MeasureEncryptedPerYoungPerson SecurityMeasure = "encrypted_per_young_person"
	MeasureErasureByKey            SecurityMeasure = "erasure_by_key"
	MeasurePseudonymisedAudit      SecurityMeasure = "pseudonymised_audit"
	MeasureTamperEvidentLog        SecurityMeasure = "tamper_evident_log"
	MeasureSecondFactor            SecurityMeasure = "second_factor"
	MeasureDecisionPerRecipient    SecurityMeasure = "decision_per_recipient"
)

// SecurityMeasures lists the measures the register names.
var SecurityMeasures = []SecurityMeasure{MeasureEncryptedPerYoungPerson, MeasureErasureByKey, MeasurePseudonymisedAudit,
	MeasureTamperEvidentLog, MeasureSecondFactor, MeasureDecisionPerRecipient}

// RegisterGap is something the register cannot state, or states with a
// warning, from what the product knows.
type RegisterGap string

const (
	// No agreement is recorded: purposes, parties and retention are unknown.
	GapNoAgreement RegisterGap = "no_agreement"
	// The retention the server applies differs from the agreed one.
	GapRetentionDiffers RegisterGap = "retention_differs"
)

// RegisterPurpose is one purpose with the data categories the agreement
// lets be shared for it.
type RegisterPurpose struct {
	Purpose Purpose `json:"purpose"`
	Fields  []Field `json:"fields"`
	// Special is true when special or criminal categories (AVG art. 9, 10)
	// or the BSN are among the fields.
	Special bool `json:"special"`
}

// RegisterRecipient is who receives data: a party to the agreement, the
// signal meeting, or Veilig Thuis (a report under the reporting code).
type RegisterRecipient struct {
	Recipient RecipientRole `json:"recipient"`
	Name      string        `json:"name,omitempty"` // a party's name
	Kind      OrgKind       `json:"kind,omitempty"` // a party's kind
}

// ProcessingRegister is the register of processing (AVG art. 30) of one
// cooperation, made from its agreement, the policy's grounds and the
// server's retention at the moment it is asked for.
type ProcessingRegister struct {
	Cooperation string    `json:"cooperation"`
	Generated   time.Time `json:"generated_at"`
	// Agreement version and signing day; empty when none is recorded.
	AgreementVersion string `json:"agreement_version,omitempty"`
	AgreementSigned  *Date  `json:"agreement_signed_on,omitempty"`
	// Controllers are the parties: joint controllers (art. 26).
	Controllers []AgreementParty    `json:"controllers"`
	Purposes    []RegisterPurpose   `json:"purposes"`
	Subjects    []DataSubject       `json:"data_subjects"`
	Recipients  []RegisterRecipient `json:"recipients"`
	Grounds     []LegalGround       `json:"legal_grounds"`
	// RetentionMonths is the agreed retention; RetentionApplied what the
	// server's retention job applies ("" when it runs elsewhere). A young
	// person's data is erased at 23 at the latest, whichever comes first.
	RetentionMonths  int    `json:"retention_months,omitempty"`
	RetentionApplied string `json:"retention_applied,omitempty"`
	// OutsideEEA is always false: the product transfers nothing outside
	// the European Economic Area.
	OutsideEEA bool              `json:"transfers_outside_eea"`
	Security   []SecurityMeasure `json:"security_measures"`
	Gaps       []RegisterGap     `json:"gaps"`
}

// Register generates the register of processing of actor's cooperation
// and audits the viewing (register.view).
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeUnavailable (no agreement store here).
func (p *Privacy) Register(ctx context.Context, actor Actor) (ProcessingRegister, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return ProcessingRegister{}, err
	}
	if p.agreements == nil {
		return ProcessingRegister{}, Errorf(CodeUnavailable, "the register needs the agreement, which this server does not keep")
	}
	r := ProcessingRegister{Cooperation: sc.Cooperation, Generated: p.now().UTC(), Subjects: DataSubjects,
		Grounds: LegalGrounds, Security: SecurityMeasures, RetentionApplied: p.RetentionPeriod(),
		Controllers: []AgreementParty{}, Purposes: []RegisterPurpose{}, Gaps: []RegisterGap{},
		Recipients: []RegisterRecipient{{Recipient: RecipientSignalMeeting}, {Recipient: RecipientVeiligThuis}}}
	a, err := p.agreements.Agreement(ctx, sc.Cooperation)
	switch {
	case ErrorCode(err) == CodeNotFound:
		r.Gaps = append(r.Gaps, GapNoAgreement)
	case err != nil:
		return ProcessingRegister{}, fmt.Errorf("read the agreement: %w", err)
	default:
		signed := a.SignedOn
		r.AgreementVersion, r.AgreementSigned, r.RetentionMonths = a.Version, &signed, a.RetentionMonths
		r.Controllers = a.Parties
		for _, ap := range a.Purposes {
			rp := RegisterPurpose{Purpose: ap.Purpose, Fields: ap.Fields}
			for _, f := range ap.Fields {
				if f.Special() || f == FieldBSN {
					rp.Special = true
				}
			}
			r.Purposes = append(r.Purposes, rp)
		}
		for _, party := range a.Parties {
			r.Recipients = append(r.Recipients, RegisterRecipient{Recipient: RecipientPartnerContact, Name: party.Name, Kind: party.Kind})
		}
		if p.retention != nil && !periodIsMonths(p.retention.Period(), a.RetentionMonths) {
			r.Gaps = append(r.Gaps, GapRetentionDiffers)
		}
	}
	return r, p.record(ctx, actor, ActionRegisterView, "register/"+sc.Cooperation, "")
}

// BreachKind is what a personal data breach did (the three the Autoriteit
// Persoonsgegevens asks about).
type BreachKind string

const (
	BreachConfidentiality BreachKind = "confidentiality" // someone saw what they should not
	BreachIntegrity       BreachKind = "integrity"       // data changed or damaged
	BreachAvailability    BreachKind = "availability"    // data lost or unreachable
)

// BreachKinds lists every kind.
var BreachKinds = []BreachKind{BreachConfidentiality, BreachIntegrity, BreachAvailability}

// BreachCause is how it happened.
type BreachCause string

const (
	CauseLostDevice         BreachCause = "lost_device"
	CauseWrongRecipient     BreachCause = "wrong_recipient"
	CauseUnauthorisedAccess BreachCause = "unauthorised_access"
	CauseMalware            BreachCause = "malware"
	CauseMistake            BreachCause = "mistake"
	CauseOther              BreachCause = "other"
)

// BreachCauses lists every cause.
var BreachCauses = []BreachCause{CauseLostDevice, CauseWrongRecipient, CauseUnauthorisedAccess, CauseMalware, CauseMistake, CauseOther}

// BreachRisk is the officer's assessment of the risk for the people
// concerned; it decides who must be told (art. 33, 34).
type BreachRisk string

const (
	// Unlikely to result in a risk: recorded here only (art. 33(5)).
	RiskUnlikely BreachRisk = "unlikely"
	// A risk: the Autoriteit Persoonsgegevens within 72 hours (art. 33(1)).
	RiskLikely BreachRisk = "risk"
	// A high risk: the authority and the people concerned (art. 34).
	RiskHigh BreachRisk = "high"
)

// BreachRisks lists every assessment.
var BreachRisks = []BreachRisk{RiskUnlikely, RiskLikely, RiskHigh}

// BreachAddressee is who was notified of a breach.
type BreachAddressee string

const (
	NotifyAuthority BreachAddressee = "authority" // Autoriteit Persoonsgegevens
	NotifySubjects  BreachAddressee = "subjects"  // the young people and parents concerned
)

// BreachAddressees lists every addressee.
var BreachAddressees = []BreachAddressee{NotifyAuthority, NotifySubjects}

// BreachDelay is why the authority was told after the 72 hours (art.
// 33(1) asks for the reasons).
type BreachDelay string

const (
	DelayInvestigation BreachDelay = "investigation" // the facts took longer to establish
	DelayReportedLate  BreachDelay = "reported_late" // a partner or processor reported it late
	DelayOther         BreachDelay = "other"
)

// BreachDelays lists every reason for a late notification.
var BreachDelays = []BreachDelay{DelayInvestigation, DelayReportedLate, DelayOther}

// BreachWindow is the time the authority must be told within (art. 33(1)).
const BreachWindow = 72 * time.Hour

// Breach is one incident in the breach log.
type Breach struct {
	ID           string         `json:"id"`
	Cooperation  string         `json:"cooperation"`
	DiscoveredAt time.Time      `json:"discovered_at"` // when the cooperation became aware: the 72 hours start
	Kind         BreachKind     `json:"kind"`
	Cause        BreachCause    `json:"cause"`
	Risk         BreachRisk     `json:"risk"`
	Categories   []Field        `json:"categories"`   // the data categories concerned
	YoungPeople  int            `json:"young_people"` // how many young people, as far as known
	Deadline     time.Time      `json:"notify_by"`    // DiscoveredAt + 72 hours
	RecordedBy   string         `json:"recorded_by"`  // user id
	RecordedAt   time.Time      `json:"recorded_at"`
	Notices      []BreachNotice `json:"notifications"`
}

// BreachNotice is one notification made.
type BreachNotice struct {
	To BreachAddressee `json:"to"`
	At time.Time       `json:"at"`
	// Reference is the authority's reference number, when it gave one.
	Reference string `json:"reference,omitempty"`
	// Late is why the authority was told after the deadline.
	Late       BreachDelay `json:"late_reason,omitempty"`
	RecordedBy string      `json:"recorded_by,omitempty"`
}

// Notice returns the notification to whom, nil when none was made.
func (b Breach) Notice(to BreachAddressee) *BreachNotice {
	for i := range b.Notices {
		if b.Notices[i].To == to {
			return &b.Notices[i]
		}
	}
	return nil
}

// AuthorityDue reports whether the authority must still be told.
func (b Breach) AuthorityDue() bool {
	return b.Risk != RiskUnlikely && b.Notice(NotifyAuthority) == nil
}

// SubjectsDue reports whether the people concerned must still be told
// (a high risk, art. 34).
func (b Breach) SubjectsDue() bool { return b.Risk == RiskHigh && b.Notice(NotifySubjects) == nil }

// Overdue reports whether the 72 hours passed at now and the authority
// was not told.
func (b Breach) Overdue(now time.Time) bool { return b.AuthorityDue() && now.After(b.Deadline) }

// BreachForm is what the officer records of an incident: categories and
// numbers only, no free text.
type BreachForm struct {
	DiscoveredAt time.Time   `json:"discovered_at"`
	Kind         BreachKind  `json:"kind"`
	Cause        BreachCause `json:"cause"`
	Risk         BreachRisk  `json:"risk"`
	Categories   []Field     `json:"categories"`
	YoungPeople  int         `json:"young_people"`
}

// BreachStore keeps the breach log.
type BreachStore interface {
	// CreateBreach stores b with events, in one unit.
	CreateBreach(ctx context.Context, actor Actor, b Breach, events []AuditEvent) error
	// Breaches returns cooperation coop's breaches, the latest discovered
	// first.
	Breaches(ctx context.Context, coop string) ([]Breach, error)
	// Breach returns one breach; CodeNotFound when there is none.
	Breach(ctx context.Context, id string) (Breach, error)
	// AddBreachNotice stores n for breach id with events, in one unit;
	// CodeConflict when a notice to n.To was recorded meanwhile.
	AddBreachNotice(ctx context.Context, actor Actor, id string, n BreachNotice, events []AuditEvent) error
}

// maxYoungPeople bounds the count of young people in a breach: more than
// every young person in the country is a typing error.
const maxYoungPeople = 5_000_000

func breachObject(id string) string { return "breach/" + id }

// breachStore returns the store or CodeUnavailable.
func (p *Privacy) breachStore() (BreachStore, error) {
	if p.breaches == nil {
		return nil, Errorf(CodeUnavailable, "the breach log is not available on this server")
	}
	return p.breaches, nil
}

// Breaches lists the breach log of actor's cooperation and audits the
// viewing (breaches.view).
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeUnavailable.
func (p *Privacy) Breaches(ctx context.Context, actor Actor) ([]Breach, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return nil, err
	}
	store, err := p.breachStore()
	if err != nil {
		return nil, err
	}
	bs, err := store.Breaches(ctx, sc.Cooperation)
	if err != nil {
		return nil, fmt.Errorf("read the breach log: %w", err)
	}
	return bs, p.record(ctx, actor, ActionBreachesView, "breaches/"+sc.Cooperation, "")
}

// RecordBreach records an incident in the breach log, with the deadline
// for telling the authority 72 hours after it was discovered. Audited as
// breach.record.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (naming discovered_at, kind, cause,
// risk, categories or young_people), CodeUnavailable.
func (p *Privacy) RecordBreach(ctx context.Context, actor Actor, f BreachForm) (Breach, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return Breach{}, err
	}
	store, err := p.breachStore()
	if err != nil {
		return Breach{}, err
	}
	now := p.now().UTC()
	var fe FieldErrors
	switch {
	case f.DiscoveredAt.IsZero():
		fe.Add("discovered_at", "is required: when the incident was discovered")
	case f.DiscoveredAt.After(now.Add(time.Minute)):
		fe.Add("discovered_at", "lies in the future")
	case f.DiscoveredAt.Before(now.AddDate(-5, 0, 0)):
		fe.Add("discovered_at", "lies more than five years back: check the year")
	}
	requireOneOf(&fe, "kind", f.Kind, BreachKinds)
	requireOneOf(&fe, "cause", f.Cause, BreachCauses)
	requireOneOf(&fe, "risk", f.Risk, BreachRisks)
	if len(f.Categories) == 0 {
		fe.Add("categories", "name at least one data category concerned")
	}
	seen := map[Field]bool{}
	for _, c := range f.Categories {
		if !oneOf(c, Fields) {
			fe.Add("categories", unknownValue(c, Fields))
		} else if seen[c] {
			fe.Add("categories", fmt.Sprintf("%q is listed twice", c))
		}
		seen[c] = true
	}
	if f.YoungPeople < 0 || f.YoungPeople > maxYoungPeople {
		fe.Add("young_people", fmt.Sprintf("must be a whole number from 0 to %d", maxYoungPeople))
	}
	if err := fe.Err(); err != nil {
		return Breach{}, err
	}
	at := f.DiscoveredAt.UTC().Truncate(time.Second)
	b := Breach{ID: NewID("brc"), Cooperation: sc.Cooperation, DiscoveredAt: at, Kind: f.Kind, Cause: f.Cause, Risk: f.Risk,
		Categories: slices.Clone(f.Categories), YoungPeople: f.YoungPeople, Deadline: at.Add(BreachWindow),
		RecordedBy: actor.UserID, RecordedAt: now.Truncate(time.Second), Notices: []BreachNotice{}}
	events := []AuditEvent{{Action: ActionBreachRecord, Object: breachObject(b.ID)}}
	if err := store.CreateBreach(ctx, actor, b, events); err != nil {
		return Breach{}, err
	}
	return b, nil
}

// authorityReference is the shape of a reference number the authority
// gives: letters, digits, dashes and slashes, no free text.
var authorityReference = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/-]{0,39}$`)

// NotifyBreach records that the authority or the people concerned were
// told of breach id at n.At: once per addressee. Telling the authority
// after the 72 hours needs the reason for the delay (art. 33(1)). Audited
// as breach.notify.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (naming to, at, reference or
// late_reason), CodeNotFound (none, or another cooperation's),
// CodeConflict (recorded already), CodeUnavailable.
func (p *Privacy) NotifyBreach(ctx context.Context, actor Actor, id string, n BreachNotice) (Breach, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return Breach{}, err
	}
	store, err := p.breachStore()
	if err != nil {
		return Breach{}, err
	}
	b, err := store.Breach(ctx, id)
	if err != nil {
		return Breach{}, err
	}
	if b.Cooperation != sc.Cooperation {
		return Breach{}, Errorf(CodeNotFound, "no breach %s", id)
	}
	now := p.now().UTC()
	var fe FieldErrors
	requireOneOf(&fe, "to", n.To, BreachAddressees)
	switch {
	case n.At.IsZero():
		fe.Add("at", "is required: when the notification was made")
	case n.At.After(now.Add(time.Minute)):
		fe.Add("at", "lies in the future")
	case n.At.Before(b.DiscoveredAt):
		fe.Add("at", "lies before the breach was discovered")
	}
	if n.Reference != "" && (n.To != NotifyAuthority || !authorityReference.MatchString(n.Reference)) {
		fe.Add("reference", "only the authority's reference number: letters, digits, - and /, at most 40")
	}
	late := n.To == NotifyAuthority && !n.At.IsZero() && n.At.After(b.Deadline)
	switch {
	case late && n.Late == "":
		fe.Add("late_reason", "is required: the authority was told more than 72 hours after the discovery")
	case n.Late != "" && !late:
		fe.Add("late_reason", "only for a notification to the authority after the 72 hours")
	case n.Late != "":
		requireOneOf(&fe, "late_reason", n.Late, BreachDelays)
	}
	if err := fe.Err(); err != nil {
		return Breach{}, err
	}
	if b.Notice(n.To) != nil {
		return Breach{}, Errorf(CodeConflict, "the notification to %s was recorded already", n.To)
	}
	n.At, n.RecordedBy = n.At.UTC().Truncate(time.Second), actor.UserID
	events := []AuditEvent{{Action: ActionBreachNotify, Object: breachObject(b.ID)}}
	if err := store.AddBreachNotice(ctx, actor, b.ID, n, events); err != nil {
		return Breach{}, err
	}
	b.Notices = append(b.Notices, n)
	return b, nil
}

// periodIsMonths reports whether p is exactly months calendar months.
func periodIsMonths(p Period, months int) bool { return p.Days == 0 && p.Years*12+p.Months == months }
