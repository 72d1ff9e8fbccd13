package signal

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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
	// SetEscalationStatus stores the status of escalation seq with events,
	// in one unit.
	SetEscalationStatus(ctx context.Context, actor Actor, seq int64, status EscalationStatus, at time.Time, events []AuditEvent) error
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
	return p.escalations.Escalations(ctx, coop, status)
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

// UpdateEscalation sets the status of escalation seq of actor's
// cooperation and audits the change; it returns the escalation as it is
// now.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (a missing or unknown status, a seq
// that is no escalation number), CodeNotFound (no such escalation in the
// cooperation).
func (p *Privacy) UpdateEscalation(ctx context.Context, actor Actor, seq int64, status EscalationStatus) (Escalation, error) {
	var fe FieldErrors
	if seq < 1 {
		fe.Add("seq", "must be the number of an escalation")
	}
	switch {
	case status == "":
		fe.Add("status", "is required: open, in_progress or done")
	case !status.Valid():
		fe.Add("status", "must be open, in_progress or done")
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
	ev := AuditEvent{Action: ActionEscalationUpdate, Object: "escalation/" + strconv.FormatInt(seq, 10) + "/" + string(status), Subject: e.Subject}
	if err := p.escalations.SetEscalationStatus(ctx, actor, seq, status, p.now().UTC(), []AuditEvent{ev}); err != nil {
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
	for i := range list {
		list[i].OrgName = n.Orgs[list[i].Org]
		list[i].UpdatedByName = n.Users[list[i].UpdatedBy].Name
	}
	return nil
}
