package signal

import (
	"context"
	"fmt"
	"time"
)

// The privacy officer (functionaris gegevensbescherming) supervises the
// exchange without reading what signals say: the console shows metadata,
// decisions, reasons, policy versions and pseudonyms. This file holds the
// Privacy service and its erasure and retention use cases; the console's
// other concerns have files of their own: audit_review.go, access_report.go,
// escalation.go, policy_versions.go and oversight.go.

// PrivacyStore is what the console reads of signals and organisations and
// keeps of policies and escalations.
type PrivacyStore interface {
	// CooperationOrgs returns the ids of the organisations of coop.
	CooperationOrgs(ctx context.Context, coop string) ([]string, error)
	// Signal returns a signal; CodeNotFound if there is none.
	Signal(ctx context.Context, id string) (*Signal, error)
	// SignalsOfYouth returns the signals about youth of cooperation coop
	// (every cooperation's for ""), oldest first; erased ones only with
	// erased set.
	SignalsOfYouth(ctx context.Context, youth, coop string, erased bool) ([]*Signal, error)
	// MeetingCooperation returns the cooperation of meeting id;
	// CodeNotFound if there is none.
	MeetingCooperation(ctx context.Context, id string) (string, error)
	// ErasureOf returns when and why a signal's content was erased; nil if
	// it was not.
	ErasureOf(ctx context.Context, signalID string) (*ErasureRecord, error)
}

// Privacy is the use cases of the privacy officer (functionaris
// gegevensbescherming): the audit review and its integrity, access
// requests and erasure, escalations, policy governance and oversight. Every
// view is itself audited: who looked at the log, at whom, is part of the
// record too. A privacy officer sees their own cooperation.
type Privacy struct {
	log         AuditReader
	integrity   AuditIntegrity
	recorder    AuditRecorder
	store       PrivacyStore
	policies    PolicyStore
	escalations EscalationStore
	vault       Vault // seals escalation advice and notes (escalation_sealed.go)
	dir         Directory
	retention   *Retention
	pseudonyms  Pseudonyms
	content     ContentOpener
	reqs        AccessRequestStore
	cases       YouthCases
	staff       StaffDirectory
	agreements  AgreementReader
	breaches    BreachStore
	versions    PolicyVersions
	recorded    RecordedSignals
	approvals   PolicyApprovals
	now         func() time.Time
}

// PrivacyDeps are the stores and parts of NewPrivacy. Pseudonyms, Content
// Retention and Requests may be nil: the use cases that need them answer
// CodeUnavailable.
type PrivacyDeps struct {
	Log         AuditReader
	Integrity   AuditIntegrity
	Recorder    AuditRecorder
	Store       PrivacyStore
	Policies    PolicyStore
	Escalations EscalationStore
	Directory   Directory
	Retention   *Retention
	Pseudonyms  Pseudonyms
	Content     ContentOpener
	Requests    AccessRequestStore
	Cases       YouthCases
	// Staff names the cooperation's accounts and organisations on the
	// console's pages; nil shows ids.
	Staff StaffDirectory
	// Agreements and Breaches serve the register of processing and the
	// breach log (accountability.go).
	Agreements AgreementReader
	Breaches   BreachStore
	// Versions, Recorded and Approvals serve the policy comparison's
	// effect and the approval of versions (policy_effect.go); nil answers
	// CodeUnavailable there.
	Versions  PolicyVersions
	Recorded  RecordedSignals
	Approvals PolicyApprovals
	// Vault seals the officer's advice and note on an escalation under
	// the cooperation's key; nil refuses to store them (CodeUnavailable).
	Vault Vault
	Now   func() time.Time
}

// NewPrivacy returns the privacy officer's use cases.
func NewPrivacy(d PrivacyDeps) *Privacy {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Privacy{log: d.Log, integrity: d.Integrity, recorder: d.Recorder, store: d.Store, policies: d.Policies,
		escalations: d.Escalations, dir: d.Directory, retention: d.Retention, pseudonyms: d.Pseudonyms, content: d.Content, reqs: d.Requests, cases: d.Cases, staff: d.Staff,
		agreements: d.Agreements, breaches: d.Breaches, versions: d.Versions, recorded: d.Recorded, approvals: d.Approvals, vault: d.Vault, now: d.Now}
}

// officerScope is a privacy officer's cooperation and its organisations: the
// console shows that cooperation's signals, escalations and actors (and the
// entries of no organisation: the system, failed logins).
type officerScope struct {
	Cooperation   string
	Organisations []string
}

// scope checks that actor is a privacy officer and returns their scope.
func (p *Privacy) scope(ctx context.Context, actor Actor) (officerScope, error) {
	if actor.Role != RolePrivacyOfficer {
		return officerScope{}, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	org, err := p.dir.Organisation(ctx, actor.OrgID)
	if err != nil {
		return officerScope{}, fmt.Errorf("find the privacy officer's organisation: %w", err)
	}
	orgs, err := p.store.CooperationOrgs(ctx, org.CooperationID)
	if err != nil {
		return officerScope{}, fmt.Errorf("list organisations of cooperation: %w", err)
	}
	return officerScope{Cooperation: org.CooperationID, Organisations: orgs}, nil
}

// record audits a console view by actor.
func (p *Privacy) record(ctx context.Context, actor Actor, action AuditAction, object, subject string) error {
	if err := p.recorder.Record(ctx, actor, []AuditEvent{{Action: action, Object: object, Subject: subject}}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// RetentionPeriod is the configured retention period ("" when retention is
// not available here).
func (p *Privacy) RetentionPeriod() string {
	if p.retention == nil {
		return ""
	}
	return p.retention.Period().String()
}

// RetentionDue returns the retention period and what a run now in actor's
// cooperation would erase, and why it would stop (a dry run), and audits
// the viewing.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeUnavailable.
func (p *Privacy) RetentionDue(ctx context.Context, actor Actor) (Period, RetentionRun, error) {
	if actor.Role != RolePrivacyOfficer {
		return Period{}, RetentionRun{}, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	if p.retention == nil {
		return Period{}, RetentionRun{}, Errorf(CodeUnavailable, "retention is not available on this server")
	}
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return Period{}, RetentionRun{}, err
	}
	runs, err := p.retention.Run(ctx, actor, RetentionRequest{Cooperation: sc.Cooperation, DryRun: true})
	if err != nil {
		return Period{}, RetentionRun{}, err
	}
	if len(runs) == 0 {
		return Period{}, RetentionRun{}, Errorf(CodeNotFound, "no cooperation %s", sc.Cooperation)
	}
	return p.retention.Period(), runs[0], p.record(ctx, actor, ActionPolicyView, "retention", "")
}

// RunRetention erases what has expired now in actor's cooperation, rather
// than wait for the hourly job; the run and each erasure are audited under
// actor. confirm is the officer's word past a hold (RetentionRequest).
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeUnavailable, CodeConflict (the run stopped
// before erasing anything: the run says why).
func (p *Privacy) RunRetention(ctx context.Context, actor Actor, confirm bool) (RetentionRun, error) {
	if actor.Role != RolePrivacyOfficer {
		return RetentionRun{}, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	if p.retention == nil {
		return RetentionRun{}, Errorf(CodeUnavailable, "retention is not available on this server")
	}
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return RetentionRun{}, err
	}
	runs, err := p.retention.Run(ctx, actor, RetentionRequest{Cooperation: sc.Cooperation, Confirm: confirm})
	if len(runs) == 0 {
		return RetentionRun{}, err
	}
	return runs[0], err
}

// Dashboard is the privacy officer's start page: the oversight of the last
// seven days, the number of open escalations, how many escalations are
// overdue (not done EscalationDue after the policy escalated, open or in
// progress) and the retention period.
type Dashboard struct {
	Oversight Oversight
	Open      int
	Overdue   int
	Period    string
}

// Dashboard returns the start page's figures, the oversight over w, and
// audits the viewing (as the oversight's).
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (w out of range).
func (p *Privacy) Dashboard(ctx context.Context, actor Actor, w OversightWindow) (Dashboard, error) {
	o, err := p.Oversight(ctx, actor, w)
	if err != nil {
		return Dashboard{}, err
	}
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return Dashboard{}, err
	}
	all, err := p.queue(ctx, sc.Cooperation, "")
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Oversight: o, Period: p.RetentionPeriod()}
	now := p.now()
	for i := range all {
		all[i].aged(now)
		if all[i].Status == EscalationOpen {
			d.Open++
		}
		if all[i].Overdue {
			d.Overdue++
		}
	}
	return d, nil
}
