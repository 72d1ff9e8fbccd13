package signal

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SignalStore keeps signals and writes every change together with its audit
// events in one unit of work: if the events cannot be appended, nothing is
// written (fail closed).
type SignalStore interface {
	// CreateSignal stores s with events. With idem set, the key is checked
	// inside the unit of work first: if it is already recorded, nothing is
	// stored and the recorded result is returned (replay), so concurrent
	// retries store exactly once.
	CreateSignal(ctx context.Context, actor Actor, s *Signal, idem *IdempotentResult, events []AuditEvent) (replay *IdempotentResult, err error)
	// UpdateDecision stores s's answers, status, decision, meeting level
	// and texts per level (s.Sealed.Versions) with events, provided the
	// stored version is still s.Version-1; CodeConflict otherwise, and
	// ErrKeyRetired when the texts are sealed under a key erased meanwhile.
	UpdateDecision(ctx context.Context, actor Actor, s *Signal, events []AuditEvent) error
	// Signal returns the signal id; CodeNotFound if there is none.
	Signal(ctx context.Context, id string) (*Signal, error)
	// Signals returns the signals matching q, newest first.
	Signals(ctx context.Context, q SignalQuery) ([]*Signal, error)
	// Record appends audit events that come with no change (reads).
	Record(ctx context.Context, actor Actor, events []AuditEvent) error
	// PlainAnswers returns up to limit signals, in id order after the id
	// after, whose answers are stored in the clear (stored before answers
	// were sealed).
	PlainAnswers(ctx context.Context, after string, limit int) ([]PlainAnswers, error)
	// SealAnswers replaces p's answers in the clear by ct, sealed under
	// p.Youth's live key (ErrKeyRetired if an erasure retired it), if the
	// answers stored are still p.Answers; ok says whether it did.
	SealAnswers(ctx context.Context, p PlainAnswers, ct []byte) (ok bool, err error)
}

// IdempotentResult is what an idempotency key stands for: a keyed
// fingerprint of the request (never the request, which holds names) and the
// response that was given (the stored signal's id and decision).
type IdempotentResult struct {
	// KeyRef is how the key is stored (see idempotencyKeyRef): a client may
	// put anything in a key, so it is not stored as given.
	KeyRef      string
	Fingerprint string
	SignalID    string
	Response    Submitted
}

// SignalQuery selects signals for a reader. Empty strings select all.
type SignalQuery struct {
	ReporterID    string
	CooperationID string
	// MeetingVisible keeps only signals the signal meeting may see.
	MeetingVisible bool
	// Before, when set, is the cursor of the last signal of the previous page.
	Before string
	Limit  int
}

// Submitted is the answer to a submission: the signal's id and the decision.
type Submitted struct {
	ID       string   `json:"id"`
	Decision Decision `json:"decision"`
	// Replayed is set when the answer repeats an earlier submission with the
	// same idempotency key.
	Replayed bool `json:"-"`
}

// Signals is the use cases of concern signals: submit, complete, read, list.
// What a reader sees of a signal is decided by its Disclosure.
type Signals struct {
	decider    Decider
	vault      Vault
	store      SignalStore
	disclosure *Disclosure
	agreements AgreementReader
	duties     DutyStore
	now        func() time.Time
}

// SignalsOptions configures NewSignals.
type SignalsOptions struct {
	Now func() time.Time
	// Agreements, when set, is where recipient.in_agreement comes from
	// (the cooperation's agreement; see Agreement.RecipientInAgreement).
	Agreements AgreementReader
	// Duties, when set, keeps what reporters record about their
	// signals' duties (duties.go).
	Duties DutyStore
}

// NewSignals returns the signal use cases over their dependencies: vault
// seals what is submitted, disclosure decides what each reader sees (share
// it with NewMeetings).
func NewSignals(decider Decider, vault Vault, store SignalStore, disclosure *Disclosure, opts SignalsOptions) *Signals {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Signals{decider: decider, vault: vault, store: store, disclosure: disclosure, agreements: opts.Agreements, duties: opts.Duties, now: opts.Now}
}

// ValidIdempotencyKey checks an Idempotency-Key header value: 1 to 100
// visible ASCII characters (a UUID fits; so does anything a client makes up).
func ValidIdempotencyKey(key string) error {
	if len(key) == 0 || len(key) > 100 {
		return Invalid(FieldError{Field: "Idempotency-Key", Problem: "must be 1 to 100 visible ASCII characters"})
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return Invalid(FieldError{Field: "Idempotency-Key", Problem: "must be 1 to 100 visible ASCII characters"})
		}
	}
	return nil
}

// Submit records a new signal by a reporter, decided by the policy: an
// incomplete decision is stored as a draft the reporter completes later.
// With an idempotency key, a retry of the same submission answers the
// first answer (Replayed set) and stores nothing; the same key with another
// submission is CodeConflict.
//
// Errors: CodeForbidden for anyone but a reporter, CodeInvalid with every
// field problem, CodeConflict for a reused key, CodeInternal otherwise.
func (s *Signals) Submit(ctx context.Context, actor Actor, in NewSignal, idemKey string) (Submitted, error) {
	if actor.Role != RoleReporter {
		return Submitted{}, Errorf(CodeForbidden, "only reporters submit signals")
	}
	if idemKey != "" {
		if err := ValidIdempotencyKey(idemKey); err != nil {
			return Submitted{}, err
		}
	}
	v, err := in.Validate(Today(s.now()))
	if err != nil {
		return Submitted{}, err
	}

	var idem *IdempotentResult
	if idemKey != "" {
		canonical, err := json.Marshal(in)
		if err != nil {
			return Submitted{}, fmt.Errorf("fingerprint submission: %w", err)
		}
		idem = &IdempotentResult{
			KeyRef:      idempotencyKeyRef(idemKey, s.vault.Fingerprint([]byte("idempotency-key\x00"+actor.UserID+"\x00"+idemKey))),
			Fingerprint: s.vault.Fingerprint(canonical),
		}
		// No look-up here: the store claims the key inside the unit of work
		// and answers a retry (also a concurrent one) from there. A retry is
		// rare; a look-up before every submission would cost them all.
	}

	coop, err := s.disclosure.cooperationOf(ctx, actor)
	if err != nil {
		return Submitted{}, fmt.Errorf("find reporting organisation: %w", err)
	}
	input, err := s.withAgreement(ctx, actor, v.DecisionInput(in.Answers))
	if err != nil {
		return Submitted{}, fmt.Errorf("read the agreement: %w", err)
	}
	decision, err := s.decider.Decide(ctx, input)
	if err != nil {
		return Submitted{}, fmt.Errorf("decide: %w", err)
	}

	now := s.now().UTC()
	sig := &Signal{
		ID:            newSignalID(now),
		Youth:         s.vault.Pseudonym(in.Youth.Name, v.BirthDate.String()),
		OrgID:         actor.OrgID,
		ReporterID:    actor.UserID,
		CooperationID: coop,
		Category:      in.Category,
		ObservedOn:    v.ObservedOn,
		Age:           v.Age,
		Capable:       in.Youth.Capable,
		Contains:      in.Contains,
		HasOpinions:   in.Opinions != "",
		Answers:       in.Answers,
		Decision:      decision,
		CreatedAt:     now,
		UpdatedAt:     now,
		Version:       1,
	}
	sig.Status = statusOf(decision)
	sig.MeetingLevel = meetingLevel(sig.Status, sig.Answers, decision)
	content := Content{
		Name: in.Youth.Name, BirthDate: v.BirthDate.String(), Facts: in.Facts, Opinions: in.Opinions,
		Versions: in.Versions,
	}
	if sig.Sealed, err = s.seal(ctx, sig, content); err != nil {
		return Submitted{}, err
	}

	out := Submitted{ID: sig.ID, Decision: decision}
	if idem != nil {
		idem.SignalID, idem.Response = sig.ID, out
	}
	decided, err := s.decideEvent(sig, input)
	if err != nil {
		return Submitted{}, err
	}
	events := []AuditEvent{
		{Action: ActionSignalCreate, Object: signalObject(sig.ID), Subject: sig.Youth},
		decided,
	}
	replay, err := s.store.CreateSignal(ctx, actor, sig, idem, events)
	// An erasure of this young person committed after the content was
	// sealed: it retired the key, so nothing was stored. Seal again, under
	// the young person's new key.
	for retry := 0; errors.Is(err, ErrKeyRetired) && retry < 3; retry++ {
		if sig.Sealed, err = s.seal(ctx, sig, content); err != nil {
			return Submitted{}, err
		}
		replay, err = s.store.CreateSignal(ctx, actor, sig, idem, events)
	}
	if err != nil {
		return Submitted{}, fmt.Errorf("store signal: %w", err)
	}
	if replay != nil {
		return replayed(replay, idem)
	}
	return out, nil
}

func replayed(prev, now *IdempotentResult) (Submitted, error) {
	if prev.Fingerprint != now.Fingerprint {
		return Submitted{}, &Error{
			Code:    CodeConflict,
			Message: "this Idempotency-Key was already used for a different submission",
			Fields:  []FieldError{{Field: "Idempotency-Key", Problem: "was used for a different request body; use a new key for a new signal"}},
		}
	}
	out := prev.Response
	out.Replayed = true
	return out, nil
}

func statusOf(d Decision) Status {
	if d.Outcome == OutcomeIncomplete {
		return StatusDraft
	}
	return StatusDecided
}

func (s *Signals) decideEvent(sig *Signal, input DecisionInput) (AuditEvent, error) {
	digest, err := InputDigest(s.vault, input)
	if err != nil {
		return AuditEvent{}, err
	}
	purpose := ""
	if input.Purpose != nil {
		purpose = string(*input.Purpose)
	}
	recipient := ""
	if input.Recipient.Role != nil {
		recipient = string(*input.Recipient.Role)
	}
	return AuditEvent{
		Action:  ActionShareDecide,
		Object:  signalObject(sig.ID),
		Subject: sig.Youth,
		Decision: &AuditedDecision{
			Decision: sig.Decision, Purpose: purpose, Recipient: recipient, InputDigest: digest,
		},
	}, nil
}

func signalObject(id string) string { return "signal/" + id }

// sortableBase32 keeps byte order in string order (RFC 4648 "base32hex").
var sortableBase32 = base32.HexEncoding.WithPadding(base32.NoPadding)

// newSignalID returns an unguessable id that sorts by creation time: 48 bits
// of milliseconds then 80 random bits, in lower-case base32hex (26
// characters). The random part makes it unguessable and says nothing about
// how many signals exist; the time prefix makes new ids land at the end of
// the id index instead of on a random page, which keeps each durable commit
// small.
func newSignalID(now time.Time) string {
	b := make([]byte, 16)
	ms := uint64(now.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	rand.Read(b[6:])
	return strings.ToLower(sortableBase32.EncodeToString(b))
}

func (s *Signals) seal(ctx context.Context, sig *Signal, c Content) (SealedContent, error) {
	var out SealedContent
	for _, f := range []struct {
		name string
		text string
		dst  *[]byte
	}{
		{sealName, c.Name, &out.Name},
		{sealBirthDate, c.BirthDate, &out.BirthDate},
		{sealFacts, c.Facts, &out.Facts},
		{sealOpinions, c.Opinions, &out.Opinions},
	} {
		if f.text == "" {
			continue
		}
		ct, err := s.vault.Seal(ctx, sig.Youth, sealAD(sig.ID, f.name), []byte(f.text))
		if err != nil {
			return SealedContent{}, fmt.Errorf("seal %s: %w", f.name, err)
		}
		*f.dst = ct
	}
	var err error
	if out.Versions, err = s.sealVersions(ctx, sig, c.Versions); err != nil {
		return SealedContent{}, err
	}
	if out.Answers, err = sealedAnswers(ctx, s.vault, sig, sig.Answers); err != nil {
		return SealedContent{}, err
	}
	return out, nil
}

// sealVersions seals the texts per level of sig; nil without any.
func (s *Signals) sealVersions(ctx context.Context, sig *Signal, v Versions) ([]byte, error) {
	if v == (Versions{}) {
		return nil, nil
	}
	js, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode versions: %w", err)
	}
	ct, err := s.vault.Seal(ctx, sig.Youth, sealAD(sig.ID, sealVersions), js)
	if err != nil {
		return nil, fmt.Errorf("seal versions: %w", err)
	}
	return ct, nil
}

// Complete adds answers to the reporter's own signal and decides it again:
// how a draft (outcome incomplete) becomes a decision, and how a decision
// changes when, say, consent has been given since. The content itself is
// never edited: a signal is a dated observation (changes would be a new one).
// versions are the texts for the levels below full that the stored signal
// has none for yet (a draft is stored before anyone knows at which level
// the meeting will see it): they are added, sealed under the young person's
// key, so that once decided the meeting reads what the reporter wrote for
// its level; a level whose text is stored is never written again.
//
// Errors: CodeNotFound for a signal that is not the reporter's own,
// CodeInvalid for bad answers or versions (naming the field; a version for a
// level whose text is stored is refused), CodeConflict when it changed
// meanwhile or its content was erased.
func (s *Signals) Complete(ctx context.Context, actor Actor, id string, more Answers, versions Versions) (Submitted, error) {
	if actor.Role != RoleReporter {
		return Submitted{}, Errorf(CodeForbidden, "only the reporter of a signal completes it")
	}
	var fe FieldErrors
	validateAnswers(&fe, more)
	validateVersions(&fe, versions)
	if err := fe.Err(); err != nil {
		return Submitted{}, err
	}
	sig, err := s.store.Signal(ctx, id)
	if ErrorCode(err) == CodeNotFound || (err == nil && sig.ReporterID != actor.UserID) {
		return Submitted{}, Errorf(CodeNotFound, "no signal %s", id)
	}
	if err != nil {
		return Submitted{}, fmt.Errorf("find signal: %w", err)
	}
	if versions != (Versions{}) {
		c, err := s.ownContent(ctx, sig)
		if err != nil {
			return Submitted{}, err
		}
		merged, err := addVersions(c.Versions, versions)
		if err != nil {
			return Submitted{}, err
		}
		if sig.Sealed.Versions, err = s.sealVersions(ctx, sig, merged); err != nil {
			return Submitted{}, err
		}
	}
	stored, err := answersOf(ctx, s.vault, sig)
	if err != nil {
		return Submitted{}, err
	}
	answers := MergeAnswers(stored, more)
	validatePurpose(&fe, sig.Category, answers)
	if err := fe.Err(); err != nil {
		return Submitted{}, err
	}
	input, err := s.withAgreement(ctx, actor, sig.DecisionInput(answers))
	if err != nil {
		return Submitted{}, fmt.Errorf("read the agreement: %w", err)
	}
	decision, err := s.decider.Decide(ctx, input)
	if err != nil {
		return Submitted{}, fmt.Errorf("decide: %w", err)
	}
	if sig.Sealed.Answers, err = sealedAnswers(ctx, s.vault, sig, answers); err != nil {
		return Submitted{}, err
	}
	sig.Answers = answers
	sig.Decision = decision
	sig.Status = statusOf(decision)
	sig.MeetingLevel = meetingLevel(sig.Status, answers, decision)
	sig.UpdatedAt = s.now().UTC()
	sig.Version++
	decided, err := s.decideEvent(sig, input)
	if err != nil {
		return Submitted{}, err
	}
	events := []AuditEvent{
		{Action: ActionSignalComplete, Object: signalObject(sig.ID), Subject: sig.Youth},
		decided,
	}
	if err := s.store.UpdateDecision(ctx, actor, sig, events); err != nil {
		switch {
		case ErrorCode(err) == CodeConflict:
			return Submitted{}, err
		case errors.Is(err, ErrKeyRetired):
			return Submitted{}, Errorf(CodeConflict, "the content of signal %s was erased", id)
		}
		return Submitted{}, fmt.Errorf("store decision: %w", err)
	}
	return Submitted{ID: sig.ID, Decision: decision}, nil
}

// ownContent is the stored content of the reporter's own signal sig;
// CodeConflict once erased.
func (s *Signals) ownContent(ctx context.Context, sig *Signal) (Content, error) {
	c, erased, err := s.disclosure.unseal(ctx, sig, allParts)
	if err != nil {
		return Content{}, err
	}
	if erased {
		return Content{}, Errorf(CodeConflict, "the content of signal %s was erased", sig.ID)
	}
	return c, nil
}

// addVersions adds the texts in more to stored for the levels stored has
// none for. A level with a stored text takes only that same text again (a
// form may send back what it showed): a text that may have been read is
// never replaced.
func addVersions(stored, more Versions) (Versions, error) {
	var fe FieldErrors
	out := stored
	for _, lv := range []struct {
		path       string
		dst        **TextVersion
		have, want *TextVersion
	}{
		{"versions.minimal", &out.Minimal, stored.Minimal, more.Minimal},
		{"versions.anonymous", &out.Anonymous, stored.Anonymous, more.Anonymous},
	} {
		switch {
		case lv.want == nil:
		case lv.have == nil:
			*lv.dst = lv.want
		case !sameVersion(*lv.have, *lv.want):
			fe.Add(lv.path, "is stored already and is not changed: a text that may have been read stays as it went (record a new signal for what changed)")
		}
	}
	return out, fe.Err()
}

func sameVersion(a, b TextVersion) bool {
	return a.Facts == b.Facts && a.Opinions == b.Opinions && slices.Equal(a.Confirmed, b.Confirmed)
}

// Get returns signal id as actor may see it, and audits the read.
func (s *Signals) Get(ctx context.Context, actor Actor, id string) (SignalView, error) {
	coop, err := s.disclosure.cooperationOf(ctx, actor)
	if err != nil {
		return SignalView{}, err
	}
	sig, err := s.store.Signal(ctx, id)
	if ErrorCode(err) == CodeNotFound {
		return SignalView{}, Errorf(CodeNotFound, "no signal %s", id)
	}
	if err != nil {
		return SignalView{}, fmt.Errorf("find signal: %w", err)
	}
	level, ok := s.disclosure.levelFor(actor, coop, sig)
	if !ok {
		// Still "not found" to the reader, but a refused read is what the
		// privacy officer's oversight looks for (reads outside one's own
		// cooperation or signals), so it is audited.
		denied := AuditEvent{Action: ActionAccessDenied, Object: signalObject(sig.ID), Subject: sig.Youth}
		if err := s.store.Record(ctx, actor, []AuditEvent{denied}); err != nil {
			return SignalView{}, fmt.Errorf("audit refused read: %w", err)
		}
		return SignalView{}, Errorf(CodeNotFound, "no signal %s", id)
	}
	view, err := s.disclosure.view(ctx, actor, sig, level)
	if err != nil {
		return SignalView{}, err
	}
	ev := readEvent(ActionSignalRead, actor, sig, view)
	if err := s.store.Record(ctx, actor, []AuditEvent{ev}); err != nil {
		return SignalView{}, fmt.Errorf("audit read: %w", err)
	}
	return view, nil
}

// SignalPage is one page of a list, newest first. Next is the cursor of
// the following page, "" on the last.
type SignalPage struct {
	Signals []SignalView `json:"signals"`
	Next    string       `json:"next,omitempty"`
}

// MaxPageSize bounds a page of signals.
const MaxPageSize = 100

// List returns the signals actor may see, newest first, a page at a time,
// and audits what was shown: one signals.list entry per signal shown (so a
// young person's access request finds every disclosure), or one for the
// whole list when it is empty.
func (s *Signals) List(ctx context.Context, actor Actor, before string, limit int) (SignalPage, error) {
	var fe FieldErrors
	if limit == 0 {
		limit = 50
	}
	if limit < 1 || limit > MaxPageSize {
		fe.Add("limit", "must be from 1 to "+strconv.Itoa(MaxPageSize))
	}
	if before != "" {
		if n, err := strconv.ParseInt(before, 10, 64); err != nil || n < 1 {
			fe.Add("before", "must be the next cursor of a previous page")
		}
	}
	if err := fe.Err(); err != nil {
		return SignalPage{}, err
	}
	coop, err := s.disclosure.cooperationOf(ctx, actor)
	if err != nil {
		return SignalPage{}, err
	}
	q := SignalQuery{Before: before, Limit: limit + 1}
	switch actor.Role {
	case RoleReporter:
		q.ReporterID = actor.UserID
	case RoleCoordinator:
		q.CooperationID, q.MeetingVisible = coop, true
	case RolePrivacyOfficer:
		q.CooperationID = coop
	default:
		return SignalPage{}, Errorf(CodeForbidden, "your role does not read signals")
	}
	sigs, err := s.store.Signals(ctx, q)
	if err != nil {
		return SignalPage{}, fmt.Errorf("list signals: %w", err)
	}
	page := SignalPage{Signals: []SignalView{}}
	if len(sigs) > limit {
		page.Next = sigs[limit-1].Cursor
		sigs = sigs[:limit]
	}
	var events []AuditEvent
	for _, sig := range sigs {
		level, ok := s.disclosure.levelFor(actor, coop, sig)
		if !ok { // the query and the rule disagree: show nothing rather than too much
			continue
		}
		view, err := s.disclosure.view(ctx, actor, sig, level)
		if err != nil {
			return SignalPage{}, err
		}
		page.Signals = append(page.Signals, view)
		events = append(events, readEvent(ActionSignalsList, actor, sig, view))
	}
	if len(events) == 0 {
		events = []AuditEvent{{Action: ActionSignalsList, Object: "signals"}}
	}
	if err := s.store.Record(ctx, actor, events); err != nil {
		return SignalPage{}, fmt.Errorf("audit list: %w", err)
	}
	return page, nil
}
