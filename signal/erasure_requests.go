package signal

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Erasure on request (AVG art. 17) as the answer to a registered request
// (issue 17 item 3): the officer first sees what will go, counted per kind
// for the request's young person in the officer's cooperation (never what
// it says), confirms those counts, and the erasure runs through the one
// erasure machinery (Retention.erase: signals, their texts per level, the
// data key when nothing is left) plus what the meetings recorded about the
// young person in this cooperation. What remains is a receipt for the file:
// the request, the day, the counts, who, and the audit entry; no name.
// Or the officer declines, with a recorded ground (a code: the free-text
// reasoning stays in the officer's own letter to the requester, never in
// Signaal or the audit).
//
// What the receipt keeps of the young person: nothing but the request's
// keyed pseudonym (the request record already holds it, and it is how the
// audit log refers to them). Neither name nor birth date is stored, shown
// or printed: the receipt identifies the erasure by the request's number,
// which the officer's file links to the requester's letter.

// ErasureCounts is what an erasure takes away, counted per kind, for one
// young person in one cooperation.
type ErasureCounts struct {
	// Signals with content (name, birth date, facts, opinions, answers,
	// the decision's details).
	Signals int `json:"signals"`
	// Versions: signals with their text per level (what each recipient
	// was shown, issue 14).
	Versions int `json:"versions"`
	// Cases of the signal meeting (their rows stay: opened, closed; the
	// meeting's texts in them go).
	Cases int `json:"cases"`
	// Leads: lead professionals named over time.
	Leads int `json:"leads"`
	// Actions and Decisions with text.
	Actions   int `json:"actions"`
	Decisions int `json:"decisions"`
	// Matches: the meeting's answers whether two items were this person.
	Matches int `json:"matches"`
	// Minutes: meetings whose minutes mention the young person (they then
	// show the item as erased).
	Minutes int `json:"minutes"`
	// Notices: e-mails about the young person's actions (fixed texts and
	// a link, no name): reminders still to come stop.
	Notices int `json:"notices"`
}

// Total is the number of things with content that go.
func (c ErasureCounts) Total() int {
	return c.Signals + c.Versions + c.Actions + c.Decisions + c.Matches
}

// Fingerprint is the counts as one short string: the confirmation carries
// it back, so the erasure runs on what the officer saw, or not at all.
func (c ErasureCounts) Fingerprint() string {
	return fmt.Sprintf("s%d.v%d.c%d.l%d.a%d.d%d.m%d.n%d.t%d", c.Signals, c.Versions, c.Cases, c.Leads, c.Actions,
		c.Decisions, c.Matches, c.Minutes, c.Notices)
}

// ErasurePlan is the confirmation step: what an erasure inside a request
// would take away, and what stays.
type ErasurePlan struct {
	Request string        `json:"request"`
	Goes    ErasureCounts `json:"goes"`
	// AuditEntries about the young person stay: the log is the lawful
	// record (art. 17(3)(b), 5(2)); it holds the pseudonym, never content.
	AuditEntries int `json:"audit_entries"`
	// Fingerprint confirms Goes (ErasureCounts.Fingerprint).
	Fingerprint string `json:"fingerprint"`
}

// RefusalGround is why the officer declines to erase (art. 17(3)), a code.
type RefusalGround string

const (
	// RefusalLegalObligation: a legal obligation to keep it (17(3)(b)).
	RefusalLegalObligation RefusalGround = "legal_obligation"
	// RefusalChildProtection: an ongoing Veilig Thuis or child-protection
	// matter needs it (a task in the public interest, 17(3)(b)).
	RefusalChildProtection RefusalGround = "child_protection"
	// RefusalLegalClaims: needed for legal claims (17(3)(e)).
	RefusalLegalClaims RefusalGround = "legal_claims"
	// RefusalRetentionDuty: a retention duty still runs (archive law).
	RefusalRetentionDuty RefusalGround = "retention_duty"
	// RefusalNoGround: none of the grounds of art. 17(1) applies (the
	// data is still needed for the purpose).
	RefusalNoGround RefusalGround = "no_ground"
)

// RefusalGrounds are the allowed grounds.
var RefusalGrounds = []RefusalGround{RefusalLegalObligation, RefusalChildProtection, RefusalLegalClaims, RefusalRetentionDuty, RefusalNoGround}

// AnswerKind is how an erasure request was answered.
type AnswerKind string

const (
	AnswerErased  AnswerKind = "erased"
	AnswerRefused AnswerKind = "refused"
)

// ErasureAnswer is the recorded answer to an erasure request: the receipt
// for the file. It holds no name, no birth date and nothing a signal said.
type ErasureAnswer struct {
	Request string     `json:"request"`
	Kind    AnswerKind `json:"kind"`
	// Ground is the erasure reason (ErasureReason) or the refusal ground
	// (RefusalGround).
	Ground    string    `json:"ground"`
	DecidedAt time.Time `json:"decided_at"`
	DecidedBy string    `json:"decided_by"`
	// DecidedByName and Organisation are the officer's name and
	// organisation, as the accounts have them now (read, not stored).
	DecidedByName string        `json:"decided_by_name,omitempty"`
	Organisation  string        `json:"organisation,omitempty"`
	Counts        ErasureCounts `json:"counts"`
	// AuditSeq is the audit entry of the answer (access.erasure or
	// access.erasure_refuse).
	AuditSeq int64 `json:"audit_seq"`
	// CompletedAt is when the erasure finished (nil while it has not:
	// erasing again completes it).
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

// ErasureReceipt is the receipt with the request's facts and the names of
// who decided, for the printed page and its JSON.
type ErasureReceipt struct {
	Answer     ErasureAnswer `json:"answer"`
	ReceivedOn Date          `json:"received_on"`
	Requester  Requester     `json:"requester"`
	// Left is what the young person still has here, counted now: zero
	// after a completed erasure.
	Left ErasureCounts `json:"left"`
}

// ErasureStore is what erasure on request needs beyond the request store.
type ErasureStore interface {
	// ErasureInventory counts what cooperation coop holds about youth.
	ErasureInventory(ctx context.Context, coop, youth string) (ErasureCounts, error)
	// RecordAnswer stores the answer to request a.Request with its audit
	// event, in one unit, and returns the audit entry's sequence number;
	// CodeConflict when the request is closed or was answered already.
	RecordAnswer(ctx context.Context, actor Actor, a ErasureAnswer, event AuditEvent) (int64, error)
	// Answer returns the answer to request id with its decider's name and
	// organisation; nil if none.
	Answer(ctx context.Context, id string) (*ErasureAnswer, error)
	// EraseYouthRecords overwrites the texts the meetings of cooperation
	// coop recorded about youth (actions, decisions) and forgets the
	// coop's match decisions about youth, and marks the answer of request
	// id completed at at, with event, in one unit.
	EraseYouthRecords(ctx context.Context, actor Actor, coop, youth, id string, at time.Time, event AuditEvent) error
}

// erasures returns the erasure store or CodeUnavailable.
func (p *Privacy) erasures() (ErasureStore, error) {
	if p.reqs == nil || p.retention == nil {
		return nil, Errorf(CodeUnavailable, "erasure is not available on this server")
	}
	st, ok := p.reqs.(ErasureStore)
	if !ok {
		return nil, Errorf(CodeUnavailable, "erasure is not available on this server")
	}
	return st, nil
}

// erasureRequest finds request id for an erasure: a privacy officer's
// of their own cooperation, or, for the operator at the server's shell
// (RoleSystem: signald youth erase --request), any cooperation's. There is
// no erasure on request outside a registered request.
func (p *Privacy) erasureRequest(ctx context.Context, actor Actor, id string) (officerScope, AccessRequest, error) {
	if actor.Role != RoleSystem {
		return p.officerRequest(ctx, actor, id)
	}
	store, err := p.requests()
	if err != nil {
		return officerScope{}, AccessRequest{}, err
	}
	r, err := store.Request(ctx, id)
	if err != nil {
		return officerScope{}, AccessRequest{}, err
	}
	orgs, err := p.store.CooperationOrgs(ctx, r.Cooperation)
	if err != nil {
		return officerScope{}, AccessRequest{}, fmt.Errorf("list organisations of cooperation: %w", err)
	}
	return officerScope{Cooperation: r.Cooperation, Organisations: orgs}, r, nil
}

// requestCase finds request id as find does for actor (officerRequest, or
// erasureRequest for what the operator may do too) and the store the use
// case needs, or the first error.
func requestCase[S any](ctx context.Context, find func(context.Context, Actor, string) (officerScope, AccessRequest, error), actor Actor, id string, store func() (S, error)) (officerScope, AccessRequest, S, error) {
	var st S
	sc, r, err := find(ctx, actor, id)
	if err != nil {
		return sc, r, st, err
	}
	st, err = store()
	return sc, r, st, err
}

// ErasurePlan is the confirmation step of an erasure inside request id:
// what would go, counted per kind for its young person in the request's
// cooperation, and what stays. Audited as access_request.view (object
// ".../erasure-plan").
//
// Callers: a privacy officer (their cooperation's requests); the operator
// at the server's shell (RoleSystem, signald youth erase --request), any
// registered request.
// Errors: CodeForbidden, CodeNotFound, CodeConflict (closed, or answered
// already), CodeUnavailable.
func (p *Privacy) ErasurePlan(ctx context.Context, actor Actor, id string) (ErasurePlan, error) {
	sc, r, st, err := requestCase(ctx, p.erasureRequest, actor, id, p.erasures)
	if err != nil {
		return ErasurePlan{}, err
	}
	if err := p.answerable(ctx, st, r); err != nil {
		return ErasurePlan{}, err
	}
	goes, err := st.ErasureInventory(ctx, sc.Cooperation, r.Subject)
	if err != nil {
		return ErasurePlan{}, err
	}
	plan := ErasurePlan{Request: r.ID, Goes: goes, Fingerprint: goes.Fingerprint()}
	for rec, err := range p.log.AuditEntries(ctx, AuditFilter{Subject: r.Subject}) {
		if err != nil {
			return ErasurePlan{}, err
		}
		if rec.Actor.OrgID == "" || slices.Contains(sc.Organisations, rec.Actor.OrgID) {
			plan.AuditEntries++
		}
	}
	return plan, p.record(ctx, actor, ActionAccessRequestView, requestObject(r.ID)+"/erasure-plan", r.Subject)
}

// answerable fails with CodeConflict unless request r may still be
// answered: not closed, and no answer recorded (an erasure not completed
// may be run again: EraseOnRequest).
func (p *Privacy) answerable(ctx context.Context, st ErasureStore, r AccessRequest) error {
	if r.Status == RequestClosed {
		return Errorf(CodeConflict, "the request is closed")
	}
	a, err := st.Answer(ctx, r.ID)
	if err != nil {
		return err
	}
	if a != nil && (a.Kind == AnswerRefused || a.CompletedAt != nil) {
		return Errorf(CodeConflict, "the request was answered on %s (%s)", a.DecidedAt.Format("2006-01-02"), a.Kind)
	}
	return nil
}

// EraseOnRequest erases, inside request id, everything the officer's
// cooperation holds about its young person with content: the signals'
// content and texts per level (and the data key once nothing is left
// anywhere), the meetings' texts about them and the match answers. The
// officer confirms the counts of the plan (fingerprint, from ErasurePlan):
// if anything changed since, nothing is erased (CodeConflict, look
// again). The answer is recorded first (audited access.erasure, with the
// counts), then each signal's erasure is audited (signal.erase,
// youth.key_erase), then the meetings' records (access.erasure_complete).
// Interrupted, the receipt says so and running it again completes it.
//
// This is the only erasure on request: neither the API nor signald erases
// a young person outside a registered request.
//
// Callers: a privacy officer (their cooperation's requests); the operator
// at the server's shell (RoleSystem, signald youth erase --request
// --confirm), any registered request.
// Errors: CodeForbidden, CodeInvalid (reason, fingerprint), CodeNotFound,
// CodeConflict (closed, answered, or changed since the plan),
// CodeUnavailable.
func (p *Privacy) EraseOnRequest(ctx context.Context, actor Actor, id string, reason ErasureReason, fingerprint string) (ErasureAnswer, error) {
	sc, r, st, err := requestCase(ctx, p.erasureRequest, actor, id, p.erasures)
	if err != nil {
		return ErasureAnswer{}, err
	}
	var fe FieldErrors
	requireCode(&fe, "reason", reason, RequestErasureReasons, "the ground of art. 17(1) the request rests on")
	if fingerprint == "" {
		fe.Add("fingerprint", "is required: confirm the counts of the erasure plan")
	}
	if err := fe.Err(); err != nil {
		return ErasureAnswer{}, err
	}
	if err := p.answerable(ctx, st, r); err != nil {
		return ErasureAnswer{}, err
	}
	prev, err := st.Answer(ctx, r.ID)
	if err != nil {
		return ErasureAnswer{}, err
	}
	goes, err := st.ErasureInventory(ctx, sc.Cooperation, r.Subject)
	if err != nil {
		return ErasureAnswer{}, err
	}
	a := ErasureAnswer{Request: r.ID, Kind: AnswerErased, Ground: string(reason), DecidedAt: p.now().UTC(),
		DecidedBy: actor.UserID, Counts: goes}
	if prev != nil {
		// An erasure that was interrupted: complete it under its answer.
		a = *prev
	} else {
		if goes.Fingerprint() != fingerprint {
			return ErasureAnswer{}, Errorf(CodeConflict, "what would be erased changed since the plan was shown: look at it again")
		}
		ev := AuditEvent{Action: ActionAccessErasure, Object: requestObject(r.ID) + "/" + string(reason), Subject: r.Subject}
		if a.AuditSeq, err = st.RecordAnswer(ctx, actor, a, ev); err != nil {
			return ErasureAnswer{}, err
		}
	}
	sigs, err := p.store.SignalsOfYouth(ctx, r.Subject, sc.Cooperation, false)
	if err != nil {
		return ErasureAnswer{}, fmt.Errorf("find signals of young person: %w", err)
	}
	var es []Erasure
	for _, s := range sigs {
		es = append(es, Erasure{SignalID: s.ID, Youth: r.Subject, Reason: ErasureReason(a.Ground)})
	}
	if _, err := p.retention.erase(ctx, actor, es); err != nil {
		return a, err
	}
	now := p.now().UTC()
	ev := AuditEvent{Action: ActionAccessErasureComplete, Object: requestObject(r.ID), Subject: r.Subject}
	if err := st.EraseYouthRecords(ctx, actor, sc.Cooperation, r.Subject, r.ID, now, ev); err != nil {
		return a, fmt.Errorf("erase the meetings' records: %w", err)
	}
	a.CompletedAt = &now
	return a, nil
}

// RefuseErasure records that the officer declines to erase, inside
// request id, on ground (art. 17(3)). Only the code is kept; the officer's
// reasons go in their letter to the requester, not into Signaal. Audited
// as access.erasure_refuse.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (ground), CodeNotFound, CodeConflict
// (closed or answered), CodeUnavailable.
func (p *Privacy) RefuseErasure(ctx context.Context, actor Actor, id string, ground RefusalGround) (ErasureAnswer, error) {
	_, r, st, err := requestCase(ctx, p.officerRequest, actor, id, p.erasures)
	if err != nil {
		return ErasureAnswer{}, err
	}
	var fe FieldErrors
	requireCode(&fe, "ground", ground, RefusalGrounds, "why the data may not be erased (art. 17(3))")
	if err := fe.Err(); err != nil {
		return ErasureAnswer{}, err
	}
	if err := p.answerable(ctx, st, r); err != nil {
		return ErasureAnswer{}, err
	}
	if prev, err := st.Answer(ctx, r.ID); err != nil {
		return ErasureAnswer{}, err
	} else if prev != nil {
		return ErasureAnswer{}, Errorf(CodeConflict, "an erasure was started under this request: complete it")
	}
	now := p.now().UTC()
	a := ErasureAnswer{Request: r.ID, Kind: AnswerRefused, Ground: string(ground), DecidedAt: now, DecidedBy: actor.UserID, CompletedAt: &now}
	ev := AuditEvent{Action: ActionAccessErasureRefuse, Object: requestObject(r.ID) + "/" + string(ground), Subject: r.Subject}
	if a.AuditSeq, err = st.RecordAnswer(ctx, actor, a, ev); err != nil {
		return ErasureAnswer{}, err
	}
	return a, nil
}

// ErasureReceipt returns the receipt of the answer to request id, for the
// file: printable and as JSON, also after the erasure (it holds no
// content and no name). Audited as access_request.view (object
// ".../receipt").
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeNotFound (no request, or not answered),
// CodeUnavailable.
func (p *Privacy) ErasureReceipt(ctx context.Context, actor Actor, id string) (ErasureReceipt, error) {
	sc, r, st, err := requestCase(ctx, p.officerRequest, actor, id, p.erasures)
	if err != nil {
		return ErasureReceipt{}, err
	}
	a, err := st.Answer(ctx, r.ID)
	if err != nil {
		return ErasureReceipt{}, err
	}
	if a == nil {
		return ErasureReceipt{}, Errorf(CodeNotFound, "request %s has no answer to an erasure yet", r.ID)
	}
	rc := ErasureReceipt{Answer: *a, ReceivedOn: r.ReceivedOn, Requester: r.Requester}
	if rc.Left, err = st.ErasureInventory(ctx, sc.Cooperation, r.Subject); err != nil {
		return ErasureReceipt{}, err
	}
	return rc, p.record(ctx, actor, ActionAccessRequestView, requestObject(r.ID)+"/receipt", r.Subject)
}

// Answer returns the recorded answer to an erasure inside request id (nil
// when there is none), for the request's page; not audited on its own (the
// page's Request is).
//
// Callers: a privacy officer or an administrator of the cooperation.
// Errors: CodeForbidden, CodeNotFound, CodeUnavailable.
func (p *Privacy) ErasureAnswer(ctx context.Context, actor Actor, id string) (*ErasureAnswer, error) {
	_, r, st, err := requestCase(ctx, p.approverRequest, actor, id, p.erasures)
	if err != nil {
		return nil, err
	}
	return st.Answer(ctx, r.ID)
}

// approverRequest finds request id of the cooperation of actor, a privacy
// officer or an administrator (the second pair of eyes); the scope holds
// the cooperation only.
func (p *Privacy) approverRequest(ctx context.Context, actor Actor, id string) (officerScope, AccessRequest, error) {
	coop, err := p.approverScope(ctx, actor)
	if err != nil {
		return officerScope{}, AccessRequest{}, err
	}
	r, err := p.request(ctx, coop, id)
	return officerScope{Cooperation: coop}, r, err
}
