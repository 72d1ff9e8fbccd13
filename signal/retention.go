package signal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Period is a retention period in calendar units: "2 years" ends on the
// same calendar day two years later, whatever the leap days in between.
type Period struct {
	Years, Months, Days int
}

// DefaultRetention is how long a signal stays: two years from the day it
// was observed, as the national reference index (Verwijsindex) keeps its
// registrations (shared/domain.md).
var DefaultRetention = Period{Years: 2}

// ParsePeriod reads a period written as a number and a unit, or several:
// "2y", "18m", "730d", "1y6m". Years, months and days only: retention is a
// matter of calendar days, not hours.
func ParsePeriod(s string) (Period, error) {
	var p Period
	rest := strings.TrimSpace(s)
	if rest == "" {
		return p, errors.New(`must be a period such as "2y", "18m" or "730d"`)
	}
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return Period{}, fmt.Errorf(`%q: must be a period such as "2y", "18m" or "730d"`, s)
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > 100*366 {
			return Period{}, fmt.Errorf("%q: the number is too large", s)
		}
		switch rest[i] {
		case 'y':
			p.Years += n
		case 'm':
			p.Months += n
		case 'd':
			p.Days += n
		default:
			return Period{}, fmt.Errorf(`%q: unit %q is not y (years), m (months) or d (days)`, s, rest[i])
		}
		rest = rest[i+1:]
	}
	if p == (Period{}) {
		return Period{}, fmt.Errorf("%q: a retention period must be longer than zero", s)
	}
	return p, nil
}

// String writes the period as ParsePeriod reads it.
func (p Period) String() string {
	var b strings.Builder
	for _, u := range []struct {
		n    int
		unit string
	}{{p.Years, "y"}, {p.Months, "m"}, {p.Days, "d"}} {
		if u.n != 0 {
			b.WriteString(strconv.Itoa(u.n) + u.unit)
		}
	}
	return b.String()
}

// After returns the day the period ends when it starts on d.
func (p Period) After(d Date) Date {
	return DateOf(d.Time().AddDate(p.Years, p.Months, p.Days))
}

// Expiry is when and why a signal must be erased.
type Expiry struct {
	On     Date
	Reason ErasureReason
}

// ExpiryOf returns when a signal observed on observedOn about someone born
// on birth expires under period: at the end of the period, or on the young
// person's 23rd birthday if that comes first (Signaal, like the reference
// index, holds nothing about anyone aged 23 or over).
func ExpiryOf(period Period, observedOn, birth Date) Expiry {
	byPeriod := period.After(observedOn)
	// AddDate(23, …) of 29 February lands on 1 March, as AgeOn counts it.
	byAge := DateOf(birth.Time().AddDate(MaxYouthAge, 0, 0))
	if byAge.Before(byPeriod) {
		return Expiry{On: byAge, Reason: ErasureAgeLimit}
	}
	return Expiry{On: byPeriod, Reason: ErasureRetentionPeriod}
}

// ErasureReason says why a signal's content was erased. It is a code, so it
// can go into the audit log (which holds no free text).
type ErasureReason string

const (
	// Scheduled, by the retention job.
	ErasureRetentionPeriod ErasureReason = "retention_period" // the configured period passed
	ErasureAgeLimit        ErasureReason = "age_limit"        // the young person turned 23
	// On request, by the privacy officer (AVG art. 17(1)).
	ErasureDataSubjectRequest ErasureReason = "data_subject_request" // the young person (or parents) asked
	ErasureConsentWithdrawn   ErasureReason = "consent_withdrawn"    // art. 17(1)(b)
	ErasureObjection          ErasureReason = "objection"            // art. 17(1)(c), art. 21
	ErasureUnlawful           ErasureReason = "unlawful_processing"  // art. 17(1)(d)
	ErasureLegalObligation    ErasureReason = "legal_obligation"     // art. 17(1)(e)
	ErasureNoLongerNecessary  ErasureReason = "no_longer_necessary"  // art. 17(1)(a)
)

// RequestErasureReasons are the reasons a privacy officer may give.
var RequestErasureReasons = []ErasureReason{
	ErasureDataSubjectRequest, ErasureConsentWithdrawn, ErasureObjection,
	ErasureUnlawful, ErasureLegalObligation, ErasureNoLongerNecessary,
}

// Erasure is one signal whose content is to be erased.
type Erasure struct {
	SignalID string
	Youth    string // the pseudonym, the audit subject
	Reason   ErasureReason
}

// RetentionCandidate is a signal not yet erased that may have expired: its
// metadata only; the birth date, when needed, is unsealed by the job.
type RetentionCandidate struct {
	SignalID   string
	Youth      string
	ObservedOn Date
	Age        int // at observation
	// SealedBirthDate is the birth date's ciphertext.
	SealedBirthDate []byte
}

// RetentionStore is what the retention job needs of storage.
type RetentionStore interface {
	// RetentionCandidates returns the signals not yet erased that were
	// observed on or before observedBy, or whose young person may be 23 or
	// older on today judging by the age at observation.
	RetentionCandidates(ctx context.Context, observedBy, today Date) ([]RetentionCandidate, error)
	// EraseSignals erases the content of the signals (the ciphertexts are
	// overwritten, the metadata and decisions stay), records why, and
	// appends audit(e) by actor per signal, all in one unit of work.
	// Signals already erased are skipped. It returns the young people who
	// have no signal with content left.
	EraseSignals(ctx context.Context, actor Actor, erasures []Erasure, audit func(Erasure) AuditEvent) (emptied []string, err error)
	// Record appends audit events that come with no change of its own (a
	// data key erased in the key store).
	AuditRecorder
}

// KeyEraser deletes a young person's data key (implemented by
// *keystore.Store): whatever was sealed under it, anywhere, becomes
// unreadable.
type KeyEraser interface {
	Erase(ctx context.Context, youth string) error
}

// Retention erases signals when they expire, and on a privacy officer's
// request.
type Retention struct {
	period Period
	store  RetentionStore
	vault  Vault
	keys   KeyEraser
	now    func() time.Time
	log    *slog.Logger
}

// RetentionOptions configure NewRetention; zero values get defaults.
type RetentionOptions struct {
	Period Period // default DefaultRetention
	Now    func() time.Time
	Logger *slog.Logger
}

// NewRetention returns the retention use cases.
func NewRetention(store RetentionStore, vault Vault, keys KeyEraser, opts RetentionOptions) *Retention {
	if opts.Period == (Period{}) {
		opts.Period = DefaultRetention
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Retention{period: opts.Period, store: store, vault: vault, keys: keys, now: opts.Now, log: opts.Logger}
}

// Period is the configured retention period.
func (r *Retention) Period() Period { return r.period }

// RetentionActor is who the scheduled job acts as in the audit log.
var RetentionActor = Actor{UserID: "signald-retention", Role: RoleSystem}

// RetentionRun is what one run found and did.
type RetentionRun struct {
	Checked    int       `json:"checked"`
	Expired    []Erasure `json:"expired"`
	KeysErased int       `json:"keys_erased"`
	DryRun     bool      `json:"dry_run"`
}

// Run erases every signal that has expired by today: the period has passed
// since it was observed, or the young person has turned 23. With dryRun it
// only reports what it would erase.
func (r *Retention) Run(ctx context.Context, dryRun bool) (RetentionRun, error) {
	today := Today(r.now())
	// Observed on or before this day: the period has passed.
	observedBy := DateOf(today.Time().AddDate(-r.period.Years, -r.period.Months, -r.period.Days))
	cands, err := r.store.RetentionCandidates(ctx, observedBy, today)
	if err != nil {
		return RetentionRun{}, fmt.Errorf("find expired signals: %w", err)
	}
	run := RetentionRun{Checked: len(cands), Expired: []Erasure{}, DryRun: dryRun}
	for _, c := range cands {
		reason, expired, err := r.expired(ctx, c, today)
		if err != nil {
			return run, err
		}
		if expired {
			run.Expired = append(run.Expired, Erasure{SignalID: c.SignalID, Youth: c.Youth, Reason: reason})
		}
	}
	if dryRun || len(run.Expired) == 0 {
		return run, nil
	}
	n, err := r.erase(ctx, RetentionActor, run.Expired)
	run.KeysErased = n
	if err != nil {
		return run, err
	}
	r.log.Info("retention: signals erased", slog.Int("signals", len(run.Expired)), slog.Int("keys", n))
	return run, nil
}

// expired decides one candidate. The birth date is unsealed only when the
// period alone does not decide it: the job needs it for the 23rd birthday,
// and it is never stored in the clear.
func (r *Retention) expired(ctx context.Context, c RetentionCandidate, today Date) (ErasureReason, bool, error) {
	if !today.Before(r.period.After(c.ObservedOn)) {
		// The period has passed; if the 23rd birthday came even earlier the
		// content goes all the same, and the reason is the period's.
		return ErasureRetentionPeriod, true, nil
	}
	pt, err := r.vault.Unseal(ctx, c.Youth, sealAD(c.SignalID, sealBirthDate), c.SealedBirthDate)
	if errors.Is(err, ErrContentErased) {
		// The key is gone already: so is the content; record it as erased.
		return ErasureAgeLimit, true, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("signal %s: unseal birth date: %w", c.SignalID, err)
	}
	birth, err := ParseDate(string(pt))
	if err != nil {
		return "", false, fmt.Errorf("signal %s: stored birth date: %w", c.SignalID, err)
	}
	e := ExpiryOf(r.period, c.ObservedOn, birth)
	return e.Reason, !today.Before(e.On), nil
}

// The audit record of an erasure: the outcome "erase" at level none, the
// reason as rule and reason code, and as policy the ground: the retention
// period (an expiry, erased by the job) or AVG art. 17 (a request).
const (
	erasureOutcome   Outcome = "erase"
	erasureByJob             = "retention"
	erasureOnRequest         = "avg-art17"
)

// erasureEvent is the audit event of erasing one signal's content.
func erasureEvent(e Erasure) AuditEvent {
	ground := erasureOnRequest
	if e.Reason == ErasureRetentionPeriod || e.Reason == ErasureAgeLimit {
		ground = erasureByJob
	}
	return AuditEvent{Action: ActionSignalErase, Object: signalObject(e.SignalID), Subject: e.Youth,
		Decision: &AuditedDecision{Decision: Decision{Outcome: erasureOutcome, Level: LevelNone, Rule: Rule(e.Reason),
			Reasons: []Reason{{Code: string(e.Reason)}}, PolicyVersion: ground}}}
}

// erase erases the signals' content, then the data key of every young
// person with nothing left, and returns how many keys it erased. It is the
// one erasure, whoever asks: the job (Run), a privacy officer or the
// operator (Privacy.Erase).
func (r *Retention) erase(ctx context.Context, actor Actor, es []Erasure) (int, error) {
	emptied, err := r.store.EraseSignals(ctx, actor, es, erasureEvent)
	if err != nil {
		return 0, fmt.Errorf("erase signals: %w", err)
	}
	n := 0
	for _, youth := range emptied {
		if r.keys == nil {
			break
		}
		if err := r.keys.Erase(ctx, youth); err != nil {
			return n, fmt.Errorf("erase data key: %w", err)
		}
		if err := r.store.Record(ctx, actor, []AuditEvent{{Action: ActionYouthKeyErase, Object: "youth-key", Subject: youth}}); err != nil {
			return n, fmt.Errorf("audit data key erasure: %w", err)
		}
		n++
	}
	return n, nil
}

// EraseRequest is an erasure on request (Privacy.Erase): every signal about
// one young person, or one signal, with the reason.
type EraseRequest struct {
	Youth    string        // the pseudonym; or
	SignalID string        // one signal
	Reason   ErasureReason `json:"reason"`
}

// ContentErased reports whether the signal's content was erased (retention
// or a request): its ciphertexts were overwritten, so there is nothing to
// unseal. A live signal always holds a sealed name.
func (s *Signal) ContentErased() bool { return len(s.Sealed.Name) == 0 }
