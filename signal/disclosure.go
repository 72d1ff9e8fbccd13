package signal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Disclosure is what a reader may see of a signal: the level for this
// reader (levelFor), the parts of the content that level shows and the
// opening of them (view, unseal), what a disclosure is audited as
// (readEvent), and the opening of the meeting's texts about a young person
// (caseText). Signals and Meetings both read through it, so what the agenda
// shows of a signal is exactly what a coordinator reading that signal sees,
// decided in one place. It never audits: the service that shows a view
// records it. Safe for concurrent use (but see perRequest).
type Disclosure struct {
	vault Vault
	dir   Directory
	// coops caches each organisation's cooperation (org id -> cooperation
	// id): every submission and list needs it, and it never changes (an
	// organisation is never moved nor deleted), so the cache is never stale.
	// A pointer, so that per-request copies share it.
	coops *sync.Map
}

// NewDisclosure returns the disclosure rules over the vault that opens
// sealed content and the directory of organisations.
func NewDisclosure(vault Vault, dir Directory) *Disclosure {
	return &Disclosure{vault: vault, dir: dir, coops: new(sync.Map)}
}

// perRequest returns the same rules with organisations remembered for one
// request: an agenda reads the same few partners for thousands of signals.
// Not safe for concurrent use.
func (d *Disclosure) perRequest() *Disclosure {
	r := *d
	r.dir = &memoDirectory{dir: d.dir, orgs: map[string]Organisation{}}
	return &r
}

// memoDirectory remembers the organisations it was asked for.
type memoDirectory struct {
	dir  Directory
	orgs map[string]Organisation
}

func (m *memoDirectory) Organisation(ctx context.Context, id string) (Organisation, error) {
	if o, ok := m.orgs[id]; ok {
		return o, nil
	}
	o, err := m.dir.Organisation(ctx, id)
	if err != nil {
		return o, err
	}
	m.orgs[id] = o
	return o, nil
}

// organisation returns the organisation with this id.
func (d *Disclosure) organisation(ctx context.Context, id string) (Organisation, error) {
	return d.dir.Organisation(ctx, id)
}

// OrgContact is what a reader of a signal may learn about the reporting
// organisation: who it is and whom to contact (its aanspreekpunt, and the
// deputy when the contact person is away).
type OrgContact struct {
	OrgID   string        `json:"id"`
	Name    string        `json:"name"`
	Contact ContactPerson `json:"contact"`
	Deputy  ContactPerson `json:"deputy"`
}

// ContactPerson is how to reach a partner's contact person or deputy.
type ContactPerson struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

func orgContact(o Organisation) *OrgContact {
	return &OrgContact{
		OrgID: o.ID, Name: o.Name,
		Contact: ContactPerson(o.Contact),
		Deputy:  ContactPerson(o.Deputy),
	}
}

// SignalView is a signal as one reader may see it. Only what the reader's
// level allows is filled in.
type SignalView struct {
	ID string `json:"id"`
	// Level is what this reader sees: full, minimal, existence, anonymous,
	// or none (metadata only, for the privacy officer).
	Level      Level       `json:"level"`
	Status     Status      `json:"status,omitempty"`
	Category   Category    `json:"category,omitempty"`
	ObservedOn *Date       `json:"observed_on,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	Youth      *YouthView  `json:"youth,omitempty"`
	Facts      string      `json:"facts,omitempty"`
	Opinions   string      `json:"opinions,omitempty"`
	Contains   []Field     `json:"contains,omitempty"`
	Reporter   *OrgContact `json:"reporter,omitempty"`
	Answers    *Answers    `json:"answers,omitempty"`
	Decision   *Decision   `json:"decision,omitempty"`
	// Erased is set when the young person's key was erased: the content is
	// gone for good, the record of what happened stays.
	Erased bool `json:"erased,omitempty"`
}

// YouthView is the young person as a reader may see them. Ref is the keyed
// pseudonym: equal refs are the same young person, also when reported by
// different organisations, which is how the meeting combines signals.
type YouthView struct {
	Ref       string `json:"ref,omitempty"`
	Name      string `json:"name,omitempty"`
	BirthDate string `json:"birth_date,omitempty"`
	Age       *int   `json:"age,omitempty"`
}

// A reader's view is decided from the stored decision, not by evaluating
// the policy again per read: the decision at submission (or completion) is
// the audited act of sharing, with the meeting as its recipient; a read is
// the meeting receiving what was shared then. Re-evaluating per read would
// need answers about each reader that nobody gave, and a new policy version
// would silently change what was shared without a new audited decision.
// To share more (consent given since), the reporter completes the answers,
// which is decided and audited again.
//
// Who sees what:
//   - the reporter: their own signals in full, drafts included;
//   - a coordinator (chairs the signal meeting): decided signals of their
//     cooperation at the meeting's level; none = not listed, 404 by id;
//   - a privacy officer: every signal of their cooperation as metadata and
//     decision, never content or identity;
//   - anyone else (another organisation's reporter, an admin): nothing, and
//     a signal they may not know exists is "not found", not "forbidden".
func (d *Disclosure) levelFor(actor Actor, actorCoop string, sig *Signal) (Level, bool) {
	switch actor.Role {
	case RoleReporter:
		return LevelFull, sig.ReporterID == actor.UserID
	case RoleCoordinator:
		ok := sig.CooperationID == actorCoop && sig.MeetingLevel != LevelNone && sig.MeetingLevel.Valid()
		return sig.MeetingLevel, ok
	case RolePrivacyOfficer:
		return LevelNone, sig.CooperationID == actorCoop
	}
	return LevelNone, false
}

// cooperationOf returns the cooperation of actor's organisation.
func (d *Disclosure) cooperationOf(ctx context.Context, actor Actor) (string, error) {
	if coop, ok := d.coops.Load(actor.OrgID); ok {
		return coop.(string), nil
	}
	org, err := d.dir.Organisation(ctx, actor.OrgID)
	if err != nil {
		return "", fmt.Errorf("find the organisation: %w", err)
	}
	d.coops.Store(actor.OrgID, org.CooperationID)
	return org.CooperationID, nil
}

// view fills in what level allows of sig for actor.
func (d *Disclosure) view(ctx context.Context, actor Actor, sig *Signal, level Level) (SignalView, error) {
	v := SignalView{ID: sig.ID, Level: level, CreatedAt: sig.CreatedAt}
	own := actor.Role == RoleReporter && sig.ReporterID == actor.UserID
	if own || actor.Role == RolePrivacyOfficer {
		// Metadata and the decision: enums and reasons, never free text.
		d, a := sig.Decision, sig.Answers
		v.Status, v.Category, v.Contains = sig.Status, sig.Category, sig.Contains
		obs := sig.ObservedOn
		v.ObservedOn = &obs
		v.Decision, v.Answers = &d, &a
		v.Youth = &YouthView{Ref: sig.Youth}
		if !own {
			return v, nil
		}
	}
	org, err := d.dir.Organisation(ctx, sig.OrgID)
	if err != nil {
		return SignalView{}, fmt.Errorf("find reporting organisation: %w", err)
	}
	v.Reporter = orgContact(org)
	// What the level shows: what the signal is about (category, date), the
	// identity, and which parts of the content.
	// allowed is part p when field f may be shown, else nothing.
	allowed := func(f Field, p contentParts) contentParts {
		if own || slices.Contains(sig.Decision.Fields, f) {
			return p
		}
		return 0
	}
	var about bool
	var parts contentParts
	switch level {
	case LevelFull:
		about = true
		parts = allowed(FieldIdentity, partIdentity) | allowed(FieldFacts, partFacts) | allowed(FieldOpinions, partOpinions)
	case LevelMinimal:
		// Identified, strictly necessary facts only: no opinions.
		about = true
		parts = partIdentity | allowed(FieldFacts, partFacts)
	case LevelExistence:
		// "Dat-informatie": that there is a concern about this young person
		// and whom to contact; nothing of what it is about.
		parts = partIdentity
	case LevelAnonymous:
		// Content without identity (no name, birth date, age or ref).
		about = true
		parts = allowed(FieldFacts, partFacts) | allowed(FieldOpinions, partOpinions)
	}
	c, erased, err := d.unseal(ctx, sig, parts)
	if err != nil {
		return SignalView{}, err
	}
	v.Erased = erased
	if about {
		obs := sig.ObservedOn
		v.Category, v.ObservedOn = sig.Category, &obs
	}
	if parts&partIdentity != 0 {
		age := sig.Age
		v.Youth = &YouthView{Ref: sig.Youth, Name: c.Name, BirthDate: c.BirthDate, Age: &age}
	}
	v.Facts, v.Opinions = c.Facts, c.Opinions // "" unless shown
	return v, nil
}

// sealed field names; part of each ciphertext's associated data.
const (
	sealName      = "name"
	sealBirthDate = "birth_date"
	sealFacts     = "facts"
	sealOpinions  = "opinions"
)

func sealAD(id, field string) []byte { return []byte("signal/" + id + "/" + field) }

// contentParts selects what unseal opens of a signal's content.
type contentParts uint8

const (
	partIdentity contentParts = 1 << iota // name and birth date
	partFacts
	partOpinions
	allParts = partIdentity | partFacts | partOpinions
)

// unseal opens the parts of a signal's content a reader is shown (only
// those: an agenda decrypts thousands of signals, most shown in part);
// erased reports the young person's key is gone.
func (d *Disclosure) unseal(ctx context.Context, sig *Signal, parts contentParts) (c Content, erased bool, err error) {
	if sig.ContentErased() { // by retention or on request; see retention.go
		return Content{}, true, nil
	}
	for _, f := range []struct {
		part contentParts
		name string
		ct   []byte
		dst  *string
	}{
		{partIdentity, sealName, sig.Sealed.Name, &c.Name},
		{partIdentity, sealBirthDate, sig.Sealed.BirthDate, &c.BirthDate},
		{partFacts, sealFacts, sig.Sealed.Facts, &c.Facts},
		{partOpinions, sealOpinions, sig.Sealed.Opinions, &c.Opinions},
	} {
		if f.ct == nil || parts&f.part == 0 {
			continue
		}
		pt, err := d.vault.Unseal(ctx, sig.Youth, sealAD(sig.ID, f.name), f.ct)
		if errors.Is(err, ErrContentErased) {
			return Content{}, true, nil
		}
		if err != nil {
			return Content{}, false, fmt.Errorf("unseal %s: %w", f.name, err)
		}
		*f.dst = string(pt)
	}
	return c, false, nil
}

// readEvent records a disclosure: the level and fields shown to this reader,
// under which decision (rule, policy version) of the signal.
func readEvent(action AuditAction, actor Actor, sig *Signal, v SignalView) AuditEvent {
	shown := Decision{
		Outcome:       sig.Decision.Outcome,
		Level:         v.Level,
		Rule:          sig.Decision.Rule,
		Fields:        shownFields(v),
		PolicyVersion: sig.Decision.PolicyVersion,
	}
	return AuditEvent{
		Action:   action,
		Object:   signalObject(sig.ID),
		Subject:  sig.Youth,
		Decision: &AuditedDecision{Decision: shown, Recipient: string(actor.Role)},
	}
}

func shownFields(v SignalView) []Field {
	fields := []Field{}
	if v.Youth != nil && v.Youth.Name != "" {
		fields = append(fields, FieldIdentity)
	}
	if v.Facts != "" {
		fields = append(fields, FieldFacts)
	}
	if v.Opinions != "" {
		fields = append(fields, FieldOpinions)
	}
	return fields
}

// caseText opens free text the meeting wrote about a case's young person
// (an action's description, a decision's text), sealed under that young
// person's key with ad; erased reports the key is gone (right to erasure).
func (d *Disclosure) caseText(ctx context.Context, c *Case, ad, ct []byte) (string, bool, error) {
	pt, err := d.vault.Unseal(ctx, c.Youth, ad, ct)
	if errors.Is(err, ErrContentErased) {
		return "", true, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("unseal case text: %w", err)
	}
	return string(pt), false, nil
}
