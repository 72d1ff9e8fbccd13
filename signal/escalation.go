package signal

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Escalations are the privacy officer's work queue: the decisions the policy
// escalated, found in the audit log, each with where the officer is with it.

// EscalationStatus is where an escalation is in the privacy officer's
// work queue.
type EscalationStatus string

const (
	EscalationOpen       EscalationStatus = "open"
	EscalationInProgress EscalationStatus = "in_progress"
	EscalationDone       EscalationStatus = "done"
)

// EscalationStatuses lists every status in queue order.
var EscalationStatuses = []EscalationStatus{EscalationOpen, EscalationInProgress, EscalationDone}

// Valid reports whether s is one of EscalationStatuses.
func (s EscalationStatus) Valid() bool { return oneOf(s, EscalationStatuses) }

// Escalation is one decision that needs the privacy officer: the policy
// said "escalate" (R6, R9b) or attached "notify_privacy_officer" (R10,
// special categories). It is found in the audit log, so nothing the policy
// escalated can be missing from the queue.
type Escalation struct {
	// Seq is the audit entry of the decision (share.decide).
	Seq       int64            `json:"seq"`
	Object    string           `json:"object"`  // "signal/<id>"
	Subject   string           `json:"subject"` // the young person's pseudonym
	Why       string           `json:"why"`     // "escalate" or "notify_privacy_officer"
	Outcome   string           `json:"outcome"`
	Rule      string           `json:"rule"`
	Reasons   []string         `json:"reasons"`
	Policy    string           `json:"policy_version"`
	Org       string           `json:"org"` // the deciding actor's organisation
	OrgName   string           `json:"org_name,omitempty"`
	DecidedAt time.Time        `json:"decided_at"`
	Status    EscalationStatus `json:"status"`
	UpdatedAt *time.Time       `json:"updated_at,omitempty"`
	UpdatedBy string           `json:"updated_by,omitempty"`
	// UpdatedByName is the name of the account that last updated it.
	UpdatedByName string `json:"updated_by_name,omitempty"`
	// The officer's work on it (issue 17 item 5): who owns it, the advice
	// given to the reporter, the decision and a note. Advice and note are
	// free text: kept here, never in the audit log, and wiped with the
	// young person's erasure.
	Owner     string             `json:"owner,omitempty"`
	OwnerName string             `json:"owner_name,omitempty"`
	Advice    string             `json:"advice,omitempty"`
	Decision  EscalationDecision `json:"decision,omitempty"`
	Note      string             `json:"note,omitempty"`
	// SealedAdvice and SealedNote are Advice and Note sealed under the
	// cooperation's key, as the store keeps them (nil for none, or for a
	// text from before they were sealed, which the store returns as is).
	SealedAdvice []byte `json:"-"`
	SealedNote   []byte `json:"-"`
	// AgeDays is how many whole days ago the policy escalated; Overdue is
	// set when it is not done after EscalationDue.
	AgeDays int  `json:"age_days"`
	Overdue bool `json:"overdue"`
}

// EscalationDue is how long an escalation may wait for the privacy
// officer's decision before it shows as overdue.
const EscalationDue = 3 * 24 * time.Hour

// EscalationDecision is what the privacy officer decided about an
// escalation.
type EscalationDecision string

const (
	EscalationAgreed   EscalationDecision = "agreed"    // the decision stands
	EscalationChanged  EscalationDecision = "changed"   // shared otherwise on the officer's advice
	EscalationReferred EscalationDecision = "referred"  // referred on (Veilig Thuis, legal advice)
	EscalationNoAction EscalationDecision = "no_action" // nothing needed
)

// EscalationDecisions lists every decision.
var EscalationDecisions = []EscalationDecision{EscalationAgreed, EscalationChanged, EscalationReferred, EscalationNoAction}

// EscalationChange is the officer's work on one escalation; a nil or empty
// field is left as it is.
type EscalationChange struct {
	Status   EscalationStatus    `json:"status"`
	Owner    *string             `json:"owner"` // a privacy officer's account of the cooperation; "" for nobody
	Advice   *string             `json:"advice"`
	Decision *EscalationDecision `json:"decision"` // "" withdraws it
	Note     *string             `json:"note"`
}

// maxEscalationText bounds the advice and the note.
const maxEscalationText = 2000

// aged sets the age and the overdue flag of e at now.
func (e *Escalation) aged(now time.Time) {
	e.AgeDays = int(now.Sub(e.DecidedAt) / (24 * time.Hour))
	if e.AgeDays < 0 {
		e.AgeDays = 0
	}
	e.Overdue = e.Status != EscalationDone && now.Sub(e.DecidedAt) > EscalationDue
}

// EscalationStore keeps the privacy officer's queue of escalations.
type EscalationStore interface {
	// EscalationsScanned is the last audit sequence number already scanned
	// for escalations.
	EscalationsScanned(ctx context.Context) (int64, error)
	// QueueEscalations adds found to the queue (once per Seq) and records
	// that the log was scanned up to scannedTo, in one unit.
	QueueEscalations(ctx context.Context, found []Escalation, scannedTo int64) error
	// Escalations returns the queue of decisions made in cooperation coop
	// with status (every status for ""), oldest first.
	Escalations(ctx context.Context, coop string, status EscalationStatus) ([]Escalation, error)
	// SetEscalation stores the status, owner, advice, decision and note of
	// escalation e.Seq with events, in one unit.
	SetEscalation(ctx context.Context, actor Actor, e Escalation, at time.Time, events []AuditEvent) error
	// PlainEscalationTexts lists the escalations whose advice or note is
	// kept in the clear; SealEscalationTexts replaces them by their sealed
	// forms (nil for an empty one), false when they changed meanwhile.
	PlainEscalationTexts(ctx context.Context) ([]PlainEscalationText, error)
	SealEscalationTexts(ctx context.Context, p PlainEscalationText, advice, note []byte) (bool, error)
}

// EscalationOf reports whether a sharing decision (a share.decide entry)
// needs the privacy officer, and why: the policy said "escalate" (R6,
// R9b), or it attached "notify_privacy_officer" (R10, special categories).
func EscalationOf(r AuditRecord) (Escalation, bool) {
	d := r.Decision
	if r.Action != ActionShareDecide || d == nil {
		return Escalation{}, false
	}
	var why string
	switch {
	case d.Outcome == string(OutcomeEscalate):
		why = string(OutcomeEscalate)
	case slices.Contains(d.Obligations, string(ObligationNotifyPrivacyOfficer)):
		why = string(ObligationNotifyPrivacyOfficer)
	default:
		return Escalation{}, false
	}
	return Escalation{Seq: r.Seq, Object: r.Object, Subject: r.Subject, Why: why, Outcome: d.Outcome, Rule: d.Rule,
		Reasons: d.Reasons, Policy: d.PolicyVersion, Org: r.Actor.OrgID, DecidedAt: r.Time, Status: EscalationOpen}, true
}

// scanEscalations adds to the queue every escalating decision appended to
// the audit log since the last scan: nothing the policy escalated can be
// missing from the queue.
func (p *Privacy) scanEscalations(ctx context.Context) error {
	last, err := p.escalations.EscalationsScanned(ctx)
	if err != nil {
		return fmt.Errorf("read escalation scan: %w", err)
	}
	size, err := p.log.AuditSize(ctx)
	if err != nil {
		return err
	}
	if size <= last {
		return nil
	}
	var found []Escalation
	for r, err := range p.log.AuditEntries(ctx, AuditFilter{FromSeq: last + 1, ToSeq: size, Action: ActionShareDecide}) {
		if err != nil {
			return err
		}
		if e, ok := EscalationOf(r); ok {
			found = append(found, e)
		}
	}
	return p.escalations.QueueEscalations(ctx, found, size)
}

// queue returns coop's escalations with status, brought up to date with
// the audit log.
func (p *Privacy) queue(ctx context.Context, coop string, status EscalationStatus) ([]Escalation, error) {
	if err := p.scanEscalations(ctx); err != nil {
		return nil, fmt.Errorf("update escalation queue: %w", err)
	}
	list, err := p.escalations.Escalations(ctx, coop, status)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if err := p.openEscalation(ctx, coop, &list[i]); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// ParseEscalationStatus reads a status filter or a new status; "" is no
// filter (and, for an update, missing).
func ParseEscalationStatus(v string) (EscalationStatus, error) {
	st := EscalationStatus(v)
	if v != "" && !st.Valid() {
		return "", Invalid(FieldError{Field: "status", Problem: "must be open, in_progress or done"})
	}
	return st, nil
}

// ParseEscalationSeq reads the number of an escalation, as a door gets it
// (a path segment).
func ParseEscalationSeq(v string) (int64, error) {
	seq, err := strconv.ParseInt(v, 10, 64)
	if err != nil || seq < 1 {
		return 0, Invalid(FieldError{Field: "seq", Problem: "must be the number of an escalation"})
	}
	return seq, nil
}

// Escalations returns the escalations of decisions made in actor's
// cooperation with status (every status for ""), oldest first, and audits
// the viewing.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (an unknown status).
func (p *Privacy) Escalations(ctx context.Context, actor Actor, status EscalationStatus) ([]Escalation, error) {
	if status != "" && !status.Valid() {
		return nil, Invalid(FieldError{Field: "status", Problem: "must be open, in_progress or done"})
	}
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return nil, err
	}
	list, err := p.queue(ctx, sc.Cooperation, status)
	if err != nil {
		return nil, err
	}
	if err := p.nameEscalations(ctx, sc, list); err != nil {
		return nil, err
	}
	return list, p.record(ctx, actor, ActionEscalationView, "escalations", "")
}

// UpdateEscalation records the officer's work on escalation seq of actor's
// cooperation (status, owner, advice, decision, note; what change leaves
// out stays) and audits it with codes only (object
// "escalation/<seq>/<status>[/<decision>]", the owner's account id beside
// it as "owner/<id>"); the advice and the note are never in the log. It
// returns the escalation as it is now.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (nothing to change, an unknown status
// or decision, an owner who is no privacy officer of the cooperation,
// "done" without a decision, a text over 2000 characters, a seq that is no
// escalation number), CodeNotFound (no such escalation in the
// cooperation).
func (p *Privacy) UpdateEscalation(ctx context.Context, actor Actor, seq int64, change EscalationChange) (Escalation, error) {
	var fe FieldErrors
	if seq < 1 {
		fe.Add("seq", "must be the number of an escalation")
	}
	switch {
	case change.Status == "" && change.Owner == nil && change.Advice == nil && change.Decision == nil && change.Note == nil:
		fe.Add("status", "is required: open, in_progress or done")
	case change.Status != "" && !change.Status.Valid():
		fe.Add("status", "must be open, in_progress or done")
	}
	if d := change.Decision; d != nil && *d != "" && !oneOf(*d, EscalationDecisions) {
		fe.Add("decision", "must be agreed, changed, referred or no_action")
	}
	for name, v := range map[string]*string{"advice": change.Advice, "note": change.Note} {
		if v != nil && len([]rune(*v)) > maxEscalationText {
			fe.Add(name, fmt.Sprintf("must be at most %d characters", maxEscalationText))
		}
	}
	if err := fe.Err(); err != nil {
		return Escalation{}, err
	}
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return Escalation{}, err
	}
	find := func() (Escalation, error) {
		all, err := p.queue(ctx, sc.Cooperation, "")
		if err != nil {
			return Escalation{}, err
		}
		for _, e := range all {
			if e.Seq == seq {
				one := []Escalation{e}
				err := p.nameEscalations(ctx, sc, one)
				return one[0], err
			}
		}
		return Escalation{}, Errorf(CodeNotFound, "no escalation %d", seq)
	}
	e, err := find()
	if err != nil {
		return Escalation{}, err
	}
	if change.Status != "" {
		e.Status = change.Status
	}
	if change.Owner != nil {
		e.Owner = *change.Owner
	}
	if change.Advice != nil {
		e.Advice = strings.TrimSpace(*change.Advice)
	}
	if change.Decision != nil {
		e.Decision = *change.Decision
	}
	if change.Note != nil {
		e.Note = strings.TrimSpace(*change.Note)
	}
	if e.Owner != "" {
		names, err := p.names(ctx, sc)
		if err != nil {
			return Escalation{}, err
		}
		if m, ok := names.Users[e.Owner]; !ok || m.Role != RolePrivacyOfficer {
			fe.Add("owner", "must be a privacy officer of the cooperation")
		}
	}
	if e.Status == EscalationDone && e.Decision == "" {
		fe.Add("decision", "is required to close an escalation: agreed, changed, referred or no_action")
	}
	if err := fe.Err(); err != nil {
		return Escalation{}, err
	}
	object := "escalation/" + strconv.FormatInt(seq, 10) + "/" + string(e.Status)
	if e.Decision != "" {
		object += "/" + string(e.Decision)
	}
	events := []AuditEvent{{Action: ActionEscalationUpdate, Object: object, Subject: e.Subject}}
	if change.Owner != nil {
		events = append(events, AuditEvent{Action: ActionEscalationUpdate, Object: "escalation/" + strconv.FormatInt(seq, 10) + "/owner/" + e.Owner, Subject: e.Subject})
	}
	if err := p.sealEscalation(ctx, sc.Cooperation, &e); err != nil {
		return Escalation{}, err
	}
	if err := p.escalations.SetEscalation(ctx, actor, e, p.now().UTC(), events); err != nil {
		return Escalation{}, err
	}
	return find()
}

// ScanEscalations brings the escalation queue up to date with the audit
// log, so the notices job sees every escalation without the privacy
// officer opening the console first.
//
// Callers: the notices job of signal/app. Errors: CodeInternal.
func (p *Privacy) ScanEscalations(ctx context.Context) error { return p.scanEscalations(ctx) }

// nameEscalations fills in the names of the organisations and accounts.
func (p *Privacy) nameEscalations(ctx context.Context, sc officerScope, list []Escalation) error {
	n, err := p.names(ctx, sc)
	if err != nil {
		return err
	}
	now := p.now()
	for i := range list {
		list[i].OrgName = n.Orgs[list[i].Org]
		list[i].UpdatedByName = n.Users[list[i].UpdatedBy].Name
		list[i].OwnerName = n.Users[list[i].Owner].Name
		list[i].aged(now)
	}
	return nil
}
