package signal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	// checker finds what a text carries that a level may forbid; every text
	// a reader other than its author sees passes it (see pass in gate.go).
	// Nil lets no text through (fail closed).
	checker TextChecker
	// coops caches each organisation's cooperation (org id -> cooperation
	// id): every submission and list needs it, and it never changes (an
	// organisation is never moved nor deleted), so the cache is never stale.
	// A pointer, so that per-request copies share it.
	coops *sync.Map
	// heads: views are what a contents list needs, nothing is opened (see
	// head); set only on a per-request copy (headsPerRequest), with the
	// reporting partners' contacts shared by its heads.
	heads    bool
	contacts map[string]*OrgContact
	// restrictions reads who is restricted (art. 18, restriction.go); nil
	// is nobody. restrictedMemo holds each cooperation's set on a
	// per-request copy.
	restrictions   RestrictionReader
	restrictedMemo map[string]restrictedSet
}

// NewDisclosure returns the disclosure rules over the vault that opens
// sealed content, the directory of organisations and the text check that
// every text passes before a reader other than its author sees it (nil: no
// text passes).
func NewDisclosure(vault Vault, dir Directory, checker TextChecker) *Disclosure {
	return &Disclosure{vault: vault, dir: dir, checker: checker, coops: new(sync.Map)}
}

// perRequest returns the same rules with organisations remembered for one
// request: an agenda reads the same few partners for thousands of signals.
// Not safe for concurrent use.
func (d *Disclosure) perRequest() *Disclosure {
	r := *d
	r.dir = &memoDirectory{dir: d.dir, orgs: map[string]Organisation{}}
	r.restrictedMemo = map[string]restrictedSet{}
	return &r
}

// headsPerRequest is perRequest for a contents list: every view is a
// head (see head), so nothing sealed is opened.
func (d *Disclosure) headsPerRequest() *Disclosure {
	r := d.perRequest()
	r.heads, r.contacts = true, map[string]*OrgContact{}
	return r
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
	Level      Level      `json:"level"`
	Status     Status     `json:"status,omitempty"`
	Category   Category   `json:"category,omitempty"`
	ObservedOn *Date      `json:"observed_on,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	Youth      *YouthView `json:"youth,omitempty"`
	Facts      string     `json:"facts,omitempty"`
	Opinions   string     `json:"opinions,omitempty"`
	Contains   []Field    `json:"contains,omitempty"`
	// Withheld is set when the level allows text but none went: there was
	// no version written for the level, or it still carried what the level
	// forbids. The reader learns that there is a concern and whom to
	// contact (Reporter), nothing of what was written.
	Withheld bool `json:"text_withheld,omitempty"`
	// Version is the level the text shown was written for (full: the
	// signal's own text); "" when no text is shown.
	Version Level `json:"text_version,omitempty"`
	// Versions are, for the reporter's own signal only, the texts written
	// for the levels below full.
	Versions *Versions   `json:"versions,omitempty"`
	Reporter *OrgContact `json:"reporter,omitempty"`
	Answers  *Answers    `json:"answers,omitempty"`
	Decision *Decision   `json:"decision,omitempty"`
	// Erased is set when the young person's key was erased: the content is
	// gone for good, the record of what happened stays.
	Erased bool `json:"erased,omitempty"`
	// Restricted is set when the young person's data is restricted (AVG
	// art. 18): the reader learns that a signal exists, nothing more.
	Restricted bool `json:"restricted,omitempty"`
	// disclosed are the texts shown, as the audit records them.
	disclosed []DisclosedText
}

// DisclosedText is how the audit log records a text that went to a reader:
// which signal, which part, which version (the level it was written for)
// and a keyed digest of the text, never the text itself. An access report
// can so tell exactly what each recipient received, and a text shown twice
// has the same digest.
type DisclosedText struct {
	SignalID string
	Part     Field // facts or opinions
	Version  Level
	Digest   string
}

// Code is the text as an audit code: "<signal id>:<part>:<version>:<digest>"
// (ids, parts and levels are codes without ":"; the digest is hex).
func (t DisclosedText) Code() string {
	return t.SignalID + ":" + string(t.Part) + ":" + string(t.Version) + ":" + t.Digest
}

// ParseDisclosedText reads a code made by [DisclosedText.Code].
func ParseDisclosedText(code string) (DisclosedText, bool) {
	p := strings.Split(code, ":")
	if len(p) != 4 || p[0] == "" || (p[1] != string(FieldFacts) && p[1] != string(FieldOpinions)) || !Level(p[2]).Valid() || p[3] == "" {
		return DisclosedText{}, false
	}
	return DisclosedText{SignalID: p[0], Part: Field(p[1]), Version: Level(p[2]), Digest: p[3]}, true
}

// TextDigest is the keyed digest of a disclosed text (see DisclosedText):
// 128 bits of the vault's fingerprint, so the code fits the audit log's.
func TextDigest(vault interface{ Fingerprint([]byte) string }, text string) string {
	fp := vault.Fingerprint([]byte("disclosed-text\x00" + text))
	if len(fp) > 32 {
		fp = fp[:32]
	}
	return fp
}

// disclose records in v which texts it shows.
func (d *Disclosure) disclose(v *SignalView) {
	for _, t := range []struct {
		part Field
		text string
	}{{FieldFacts, v.Facts}, {FieldOpinions, v.Opinions}} {
		if t.text != "" {
			v.disclosed = append(v.disclosed, DisclosedText{SignalID: v.ID, Part: t.part, Version: v.Version, Digest: TextDigest(d.vault, t.text)})
		}
	}
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
		a, err := answersOf(ctx, d.vault, sig)
		if err != nil {
			return SignalView{}, err
		}
		d := sig.Decision
		v.Status, v.Category, v.Contains = sig.Status, sig.Category, sig.Contains
		obs := sig.ObservedOn
		v.ObservedOn = &obs
		v.Decision, v.Answers = &d, &a
		v.Youth = &YouthView{Ref: sig.Youth}
		if !own {
			return v, nil
		}
	}
	if !own {
		if r, err := d.restricted(ctx, sig.CooperationID, sig.Youth); err != nil {
			return SignalView{}, err
		} else if r {
			return restrictedView(sig, level), nil
		}
	}
	org, err := d.dir.Organisation(ctx, sig.OrgID)
	if err != nil {
		return SignalView{}, fmt.Errorf("find reporting organisation: %w", err)
	}
	v.Reporter = orgContact(org)
	fields := sig.Decision.Fields
	if own {
		fields = Fields
	}
	about, parts := levelParts(level, fields)
	// The text goes through the gate (gate.go), which needs whom it is
	// about (the identity, also where the level does not show it) and the
	// version written for the level.
	open := parts
	if own {
		open |= partVersions
	} else if parts&(partFacts|partOpinions) != 0 {
		open |= partIdentity
		if level == LevelMinimal || level == LevelAnonymous {
			open |= partVersions
		}
	}
	c, erased, err := d.unseal(ctx, sig, open)
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
	if own { // the author reads what they wrote
		v.Facts, v.Opinions = c.Facts, c.Opinions
		if c.Versions != (Versions{}) {
			vs := c.Versions
			v.Versions = &vs
		}
		if v.Facts != "" {
			v.Version = LevelFull
		}
		return v, nil
	}
	if erased {
		return v, nil
	}
	t := pass(d.checker, level, sig.Decision.Fields, TextSubject{Name: c.Name, BirthDate: c.BirthDate}, c, parts)
	v.Facts, v.Opinions, v.Withheld = t.facts, t.opinions, t.withheld
	if t.facts != "" || t.opinions != "" {
		v.Version = t.version
	}
	d.disclose(&v)
	return v, nil
}

// head is the part of the meeting's view of sig at level that needs
// nothing opened: what the agenda counts and groups by (the level, the
// category where the level shows what the signal is about, the reporting
// partner, and the young person's pseudonym where the level identifies
// them), never a name, a birth date or a text. It is what view would show
// with the sealed parts left out, so an agenda built of heads has the items,
// numbers and counts of the agenda built of views. For the meeting's
// reader (a coordinator) only.
func (d *Disclosure) head(ctx context.Context, sig *Signal, level Level) (SignalView, error) {
	if r, err := d.restricted(ctx, sig.CooperationID, sig.Youth); err != nil {
		return SignalView{}, err
	} else if r {
		return restrictedView(sig, level), nil
	}
	v := SignalView{ID: sig.ID, Level: level, CreatedAt: sig.CreatedAt, Reporter: d.contacts[sig.OrgID]}
	if v.Reporter == nil {
		org, err := d.dir.Organisation(ctx, sig.OrgID)
		if err != nil {
			return SignalView{}, fmt.Errorf("find reporting organisation: %w", err)
		}
		v.Reporter = orgContact(org)
		if d.contacts != nil {
			d.contacts[sig.OrgID] = v.Reporter // shared: heads are read, never changed
		}
	}
	about, parts := levelParts(level, sig.Decision.Fields)
	if about {
		obs := sig.ObservedOn
		v.Category, v.ObservedOn = sig.Category, &obs
	}
	if parts&partIdentity != 0 {
		v.Youth = &YouthView{Ref: sig.Youth}
	}
	return v, nil
}

// levelParts is what a level shows under a decision listing fields: what
// the signal is about (category, date), the identity, and which parts of
// the content.
func levelParts(level Level, fields []Field) (about bool, parts contentParts) {
	// allowed is part p when field f may be shown, else nothing.
	allowed := func(f Field, p contentParts) contentParts {
		if slices.Contains(fields, f) {
			return p
		}
		return 0
	}
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
	return about, parts
}

// sealed field names; part of each ciphertext's associated data.
const (
	sealName      = "name"
	sealBirthDate = "birth_date"
	sealFacts     = "facts"
	sealOpinions  = "opinions"
	sealVersions  = "versions"
)

func sealAD(id, field string) []byte { return []byte("signal/" + id + "/" + field) }

// contentParts selects what unseal opens of a signal's content.
type contentParts uint8

const (
	partIdentity contentParts = 1 << iota // name and birth date
	partFacts
	partOpinions
	partVersions // the texts written for the levels below full
	allParts     = partIdentity | partFacts | partOpinions | partVersions
)

// unseal opens the parts of a signal's content a reader is shown (only
// those: an agenda decrypts thousands of signals, most shown in part);
// erased reports the young person's key is gone.
func (d *Disclosure) unseal(ctx context.Context, sig *Signal, parts contentParts) (c Content, erased bool, err error) {
	if sig.ContentErased() { // by retention or on request; see retention.go
		return Content{}, true, nil
	}
	var versions string
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
		{partVersions, sealVersions, sig.Sealed.Versions, &versions},
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
	if versions != "" {
		if err := json.Unmarshal([]byte(versions), &c.Versions); err != nil {
			return Content{}, false, fmt.Errorf("unseal versions: %w", err)
		}
	}
	return c, false, nil
}

// readEvent records a disclosure: the level and fields shown to this reader,
// under which decision (rule, policy version) of the signal, and which
// version of each text went (a digest, never the text).
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
		Decision: &AuditedDecision{Decision: shown, Recipient: string(actor.Role), Texts: v.disclosed},
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
// person's key with ad; erased reports the key is gone (right to erasure),
// or the ciphertext itself was overwritten with it (empty).
func (d *Disclosure) caseText(ctx context.Context, c *Case, ad, ct []byte) (string, bool, error) {
	if len(ct) == 0 {
		return "", true, nil
	}
	pt, err := d.vault.Unseal(ctx, c.Youth, ad, ct)
	if errors.Is(err, ErrContentErased) {
		return "", true, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("unseal case text: %w", err)
	}
	return string(pt), false, nil
}

// restrictedView is what a reader other than the reporter and the privacy
// officer sees of a signal whose young person is restricted: that there is
// one, when it came in, nothing of whom or what it is about.
func restrictedView(sig *Signal, level Level) SignalView {
	return SignalView{ID: sig.ID, Level: level, CreatedAt: sig.CreatedAt, Restricted: true}
}
