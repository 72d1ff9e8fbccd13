package signal

import (
	"context"
	"fmt"
	"time"
)

// Restriction of processing (AVG art. 18) on request (issue 17 item 3).
// While a young person's data is restricted in a cooperation, it is only
// stored: the signal meeting (agenda, projector, minutes, a coordinator
// reading a signal) sees each of their signals as "restricted", with no
// name, no category, no text and no reporting partner, and the meeting's
// texts about them are held back; the privacy officer still sees the
// metadata and reads content inside a registered request (the exception of
// art. 18(2): the officer answering the request, and legal claims). The
// reporter still reads what they wrote themselves (it is their own record,
// not a disclosure). Restricting and lifting are recorded under the
// request and audited; lifting tells nobody by itself: the officer informs
// the young person before (art. 18(3)).

// RestrictionGround is why the data is restricted (art. 18(1)), a code.
type RestrictionGround string

const (
	// RestrictionAccuracy: the young person contests that it is right,
	// while that is checked (18(1)(a)).
	RestrictionAccuracy RestrictionGround = "accuracy_contested"
	// RestrictionUnlawful: unlawful, but the young person asks to restrict
	// rather than erase (18(1)(b)).
	RestrictionUnlawful RestrictionGround = "unlawful_restrict"
	// RestrictionLegalClaims: no longer needed, but the young person needs
	// it for legal claims (18(1)(c)).
	RestrictionLegalClaims RestrictionGround = "legal_claims"
	// RestrictionObjection: an objection (art. 21) is being weighed
	// (18(1)(d)).
	RestrictionObjection RestrictionGround = "objection_pending"
)

// RestrictionGrounds are the allowed grounds.
var RestrictionGrounds = []RestrictionGround{RestrictionAccuracy, RestrictionUnlawful, RestrictionLegalClaims, RestrictionObjection}

// Restriction is a young person's data restricted in one cooperation.
type Restriction struct {
	Cooperation string            `json:"cooperation"`
	Youth       string            `json:"-"`
	Request     string            `json:"request"`
	Ground      RestrictionGround `json:"ground"`
	At          time.Time         `json:"restricted_at"`
	By          string            `json:"restricted_by"`
}

// RestrictionStore keeps restrictions; every write comes with its audit
// event in the same unit.
type RestrictionStore interface {
	// Restriction returns youth's restriction in coop; nil if none.
	Restriction(ctx context.Context, coop, youth string) (*Restriction, error)
	// Restrict stores r; CodeConflict if youth is restricted in the
	// cooperation already.
	Restrict(ctx context.Context, actor Actor, r Restriction, event AuditEvent) error
	// LiftRestriction removes youth's restriction in coop; CodeConflict if
	// there is none.
	LiftRestriction(ctx context.Context, actor Actor, coop, youth string, event AuditEvent) error
}

// RestrictionReader tells the disclosure rules who is restricted.
type RestrictionReader interface {
	// RestrictedYouth returns the pseudonyms restricted in coop.
	RestrictedYouth(ctx context.Context, coop string) ([]string, error)
}

// restrictions returns the restriction store or CodeUnavailable.
func (p *Privacy) restrictions() (RestrictionStore, error) {
	st, ok := p.reqs.(RestrictionStore)
	if p.reqs == nil || !ok {
		return nil, Errorf(CodeUnavailable, "restriction is not available on this server")
	}
	return st, nil
}

// Restriction returns the restriction of the young person of request id
// (nil if none), for the request's page; not audited on its own (the
// page's Request is).
//
// Callers: a privacy officer or an administrator of the cooperation.
// Errors: CodeForbidden, CodeNotFound, CodeUnavailable.
func (p *Privacy) Restriction(ctx context.Context, actor Actor, id string) (*Restriction, error) {
	sc, r, st, err := requestCase(ctx, p.approverRequest, actor, id, p.restrictions)
	if err != nil {
		return nil, err
	}
	return st.Restriction(ctx, sc.Cooperation, r.Subject)
}

// Restrict restricts, inside request id, the processing of its young
// person's data in the officer's cooperation (art. 18), on ground: from
// then on the meeting sees their signals as restricted (see above).
// Audited as youth.restrict (object "access-request/<id>/<ground>").
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (ground), CodeNotFound, CodeConflict
// (the request is closed, or the young person is restricted already),
// CodeUnavailable.
func (p *Privacy) Restrict(ctx context.Context, actor Actor, id string, ground RestrictionGround) (Restriction, error) {
	sc, r, st, err := requestCase(ctx, p.officerRequest, actor, id, p.restrictions)
	if err != nil {
		return Restriction{}, err
	}
	var fe FieldErrors
	requireCode(&fe, "ground", ground, RestrictionGrounds, "why the processing is restricted (art. 18(1))")
	if err := fe.Err(); err != nil {
		return Restriction{}, err
	}
	if r.Status == RequestClosed {
		return Restriction{}, Errorf(CodeConflict, "the request is closed")
	}
	res := Restriction{Cooperation: sc.Cooperation, Youth: r.Subject, Request: r.ID, Ground: ground, At: p.now().UTC(), By: actor.UserID}
	ev := AuditEvent{Action: ActionYouthRestrict, Object: requestObject(r.ID) + "/" + string(ground), Subject: r.Subject}
	if err := st.Restrict(ctx, actor, res, ev); err != nil {
		return Restriction{}, err
	}
	return res, nil
}

// LiftRestriction lifts the restriction of the young person of request id
// in the officer's cooperation: the meeting sees their signals at the
// levels decided again. The officer informs the young person before (art.
// 18(3)). Audited as youth.restriction_lift.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeNotFound, CodeConflict (not restricted),
// CodeUnavailable.
func (p *Privacy) LiftRestriction(ctx context.Context, actor Actor, id string) error {
	sc, r, st, err := requestCase(ctx, p.officerRequest, actor, id, p.restrictions)
	if err != nil {
		return err
	}
	ev := AuditEvent{Action: ActionYouthRestrictionLift, Object: requestObject(r.ID), Subject: r.Subject}
	if err := st.LiftRestriction(ctx, actor, sc.Cooperation, r.Subject, ev); err != nil {
		return err
	}
	return nil
}

// restrictedSet is the young people restricted in one cooperation, read
// once per request of the disclosure rules.
type restrictedSet map[string]bool

// WithRestrictions returns the disclosure rules that also honour the
// restrictions r reads (nil: nobody is restricted).
func (d *Disclosure) WithRestrictions(r RestrictionReader) *Disclosure {
	d.restrictions = r
	return d
}

// restricted reports whether youth's data is restricted in coop. A
// per-request copy reads each cooperation's set once; a failed read is an
// error (nothing is shown rather than something restricted).
func (d *Disclosure) restricted(ctx context.Context, coop, youth string) (bool, error) {
	if d.restrictions == nil {
		return false, nil
	}
	if d.restrictedMemo != nil {
		if set, ok := d.restrictedMemo[coop]; ok {
			return set[youth], nil
		}
	}
	ys, err := d.restrictions.RestrictedYouth(ctx, coop)
	if err != nil {
		return false, fmt.Errorf("read restrictions: %w", err)
	}
	set := restrictedSet{}
	for _, y := range ys {
		set[y] = true
	}
	if d.restrictedMemo != nil {
		d.restrictedMemo[coop] = set
	}
	return set[youth], nil
}
