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

// RetentionClock is what the store knows of time, for the run's own check
// of the clock (see Retention.Run).
type RetentionClock struct {
	// Newest is the time of the newest audit entry: no run acts on a clock
	// earlier than it.
	Newest time.Time
	// LastRun is when retention last ran in the cooperation; when it never
	// did, the time of the newest audit entry of a person (not a system
	// job, whose entries at start-up carry whatever the clock says then).
	// Zero when there is neither.
	LastRun time.Time
}

// RetentionStore is what retention and erasure need of storage. Every
// method is scoped to one cooperation where it takes one.
type RetentionStore interface {
	// Cooperations returns every cooperation (its id and name).
	Cooperations(ctx context.Context) ([]Cooperation, error)
	// RetentionClock returns the times the run checks its clock against.
	RetentionClock(ctx context.Context, coop string) (RetentionClock, error)
	// RetentionCandidates returns the signals of cooperation coop not yet
	// erased that were observed on or before observedBy, or whose young
	// person may be 23 or older on today judging by the age at observation.
	RetentionCandidates(ctx context.Context, coop string, observedBy, today Date) ([]RetentionCandidate, error)
	// ContentHeld returns how many signals of cooperation coop hold content.
	ContentHeld(ctx context.Context, coop string) (int, error)
	// EraseYouth erases the content of signals es, all about young person
	// youth, in one short unit of work of its own: the ciphertexts, the
	// answers and the decision's details are overwritten (what the audit
	// log and the evaluation need stays), the erasure is recorded and
	// audit(e) by actor appended per signal. When youth has no signal
	// with content left in any cooperation, the same unit retires youth's
	// data key (its row stays as a tombstone) and appends keyAudit(youth):
	// content and key go together or not at all, and a report of the same
	// young person committed before it is either erased with it or keeps
	// the key. Signals already erased are skipped. It reports whether it
	// retired the key.
	EraseYouth(ctx context.Context, actor Actor, youth string, es []Erasure, audit func(Erasure) AuditEvent, keyAudit func(youth string) AuditEvent) (emptied bool, err error)
	// Scrub removes what erased content may have left behind in storage
	// (old page images); it is called once after a series of EraseYouth
	// and never makes a writer wait.
	Scrub(ctx context.Context)
	// RecordRun appends event by actor and, in the same unit, remembers
	// rec.At as cooperation rec.Cooperation's last run (unless the run was
	// held and not confirmed: a held run ran nothing, and its clock may be
	// wrong) and, when keep, adds rec to the cooperation's run log.
	RecordRun(ctx context.Context, actor Actor, rec RetentionRunRecord, keep bool, event AuditEvent) error
	// LastRun returns when retention last ran in cooperation coop (held
	// runs aside); zero when it never did.
	LastRun(ctx context.Context, coop string) (time.Time, error)
	// RetentionRuns returns cooperation coop's run log, newest first, at
	// most limit.
	RetentionRuns(ctx context.Context, coop string, limit int) ([]RetentionRunRecord, error)
}

// RetentionRunRecord is one run as the console lists it: who or which job
// started it, when, what it erased, and whether a safeguard stopped it or
// a person's word took it past one. Counts and codes only.
type RetentionRunRecord struct {
	Cooperation string    `json:"cooperation"`
	At          time.Time `json:"at"`
	By          Actor     `json:"-"`
	ByUser      string    `json:"by_user"`
	ByRole      Role      `json:"by_role"`
	ByName      string    `json:"by_name,omitempty"` // filled in by the console
	Checked     int       `json:"checked"`
	Erased      int       `json:"erased"`       // signals whose content went
	YoungPeople int       `json:"young_people"` // whose content went
	// Due is how many signals had expired: erased, or (held) not.
	Due        int           `json:"due"`
	KeysErased int           `json:"keys_erased"`
	Content    int           `json:"content"` // signals with content before the run
	Held       RetentionHold `json:"held,omitempty"`
	// Confirmed: By went past Held on their word (Held stays as the hold
	// it went past).
	Confirmed bool `json:"confirmed,omitempty"`
}

// ByJob reports whether the scheduled job started the run.
func (r RetentionRunRecord) ByJob() bool { return r.ByUser == RetentionActor.UserID }

// runRecord is run's log record.
func runRecord(actor Actor, at time.Time, run RetentionRun) RetentionRunRecord {
	rec := RetentionRunRecord{Cooperation: run.Cooperation, At: at.UTC(), By: actor, ByUser: actor.UserID, ByRole: actor.Role,
		Checked: run.Checked, KeysErased: run.KeysErased, Content: run.Content, Due: len(run.Expired),
		Held: run.Held, Confirmed: run.Confirmed}
	if run.Held == "" || run.Confirmed {
		rec.Erased, rec.YoungPeople = len(run.Expired), run.YoungPeople
	}
	return rec
}

// The limits a run checks before it erases anything (RetentionOptions).
const (
	// DefaultMaxClockGap: a run does not act on a clock more than this
	// past the cooperation's last run (hourly while signald runs). Four
	// days let a long weekend's outage (Thursday evening to Monday
	// morning) pass without a person, while a clock that jumped ahead can
	// erase at most four days early: half a percent of the default two
	// years. Past it a person checks the clock and confirms.
	DefaultMaxClockGap = 4 * 24 * time.Hour
	// DefaultMaxShare: a run that would erase more than a tenth of a
	// cooperation's content stops. A run erases what expired since the last
	// one, a day's worth of two years (1/730) as a rule; a tenth is a
	// clock far ahead, a shortened period or a wrong birth-date rule.
	DefaultMaxShare = 0.10
	// DefaultShareFloor: the share is not checked for runs of this many
	// signals or fewer: in a young cooperation every expiry is a large
	// share, and the clock check still holds.
	DefaultShareFloor = 20
	// DefaultMaxYoungPeople: a run that would erase the content of more
	// young people than this stops.
	DefaultMaxYoungPeople = 500
)

// Retention erases signals when they expire, and on a privacy officer's
// request.
type Retention struct {
	period Period
	store  RetentionStore
	vault  Vault
	now    func() time.Time
	log    *slog.Logger
	limits RetentionLimits
	pause  time.Duration
}

// RetentionLimits are when a run stops and asks a person to confirm.
type RetentionLimits struct {
	MaxClockGap    time.Duration // default DefaultMaxClockGap
	MaxShare       float64       // default DefaultMaxShare
	ShareFloor     int           // default DefaultShareFloor
	MaxYoungPeople int           // default DefaultMaxYoungPeople
}

// RetentionOptions configure NewRetention; zero values get defaults.
type RetentionOptions struct {
	Period Period // default DefaultRetention
	Limits RetentionLimits
	Now    func() time.Time
	Logger *slog.Logger
	// ErasePause is a pause between two young people's erasures in one
	// run or request; 0 means DefaultErasePause, a negative one none.
	// An erasure's own work in the writer is short (about a millisecond),
	// but back to back they take a core and dirty pages all over the file,
	// and the submissions that arrive meanwhile wait: on 1,000,000 signals
	// erasing 1,000 young people, submissions' p99 was 72 ms without a
	// pause and 10.5 ms with 10 ms (BenchmarkSubmissionsDuringErasure in
	// signal/web, docs/performance.md), for a run of 13 s instead of 2 s.
	ErasePause time.Duration
}

// DefaultErasePause is the pause between two young people's erasures in
// one run (RetentionOptions.ErasePause): a reporter's submission never
// waits behind a run of erasures.
const DefaultErasePause = 10 * time.Millisecond

// NewRetention returns the retention use cases.
func NewRetention(store RetentionStore, vault Vault, opts RetentionOptions) *Retention {
	if opts.Period == (Period{}) {
		opts.Period = DefaultRetention
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	l := &opts.Limits
	if l.MaxClockGap <= 0 {
		l.MaxClockGap = DefaultMaxClockGap
	}
	if l.MaxShare <= 0 {
		l.MaxShare = DefaultMaxShare
	}
	if l.ShareFloor <= 0 {
		l.ShareFloor = DefaultShareFloor
	}
	if l.MaxYoungPeople <= 0 {
		l.MaxYoungPeople = DefaultMaxYoungPeople
	}
	switch {
	case opts.ErasePause == 0:
		opts.ErasePause = DefaultErasePause
	case opts.ErasePause < 0:
		opts.ErasePause = 0
	}
	return &Retention{period: opts.Period, store: store, vault: vault, now: opts.Now, log: opts.Logger, limits: opts.Limits,
		pause: opts.ErasePause}
}

// Period is the configured retention period.
func (r *Retention) Period() Period { return r.period }

// RetentionActor is who the scheduled job acts as in the audit log: a
// named system job.
var RetentionActor = Actor{UserID: "signald-retention", Role: RoleSystem}

// RetentionHold is why a run stopped before erasing anything: a code, so it
// can be logged and shown.
type RetentionHold string

const (
	// The clock reads earlier than the newest audit entry. Never
	// confirmed away: fix the clock.
	HoldClockBehind RetentionHold = "clock_behind"
	// The clock reads implausibly far past the last run.
	HoldClockAhead RetentionHold = "clock_ahead"
	// The run would erase more than the set share of the content.
	HoldShare RetentionHold = "share"
	// The run would erase the content of more than the set number of
	// young people.
	HoldYoungPeople RetentionHold = "young_people"
)

// RetentionRequest is one run: in one cooperation, or in each in turn.
type RetentionRequest struct {
	// Cooperation is the cooperation's id or name; "" is each cooperation
	// in turn (the job and the operator only).
	Cooperation string
	// DryRun only reports what the run would erase, and why it would stop.
	DryRun bool
	// Confirm is a person's word that the clock is right and the amount is
	// meant: the run goes past HoldClockAhead, HoldShare and
	// HoldYoungPeople (never past HoldClockBehind).
	Confirm bool
}

// RetentionRun is what one run in one cooperation found and did.
type RetentionRun struct {
	Cooperation string    `json:"cooperation"`
	Checked     int       `json:"checked"`
	Expired     []Erasure `json:"expired"`
	YoungPeople int       `json:"young_people"` // whose content expired
	Content     int       `json:"content"`      // signals with content in the cooperation
	KeysErased  int       `json:"keys_erased"`
	DryRun      bool      `json:"dry_run"`
	// Held says why the run stopped (or, dry, would stop) before erasing
	// anything; "" when it did not. HoldWhy says it for a person.
	Held      RetentionHold `json:"held,omitempty"`
	HoldWhy   string        `json:"hold_why,omitempty"`
	Confirmed bool          `json:"confirmed,omitempty"` // it went past a hold on a person's word
}

// ErrRetentionHeld is what the error of a stopped run wraps.
var ErrRetentionHeld = errors.New("retention stopped before erasing anything")

// Run erases what has expired in the request's cooperation (or in each, in
// turn): the period has passed since a signal was observed, or its young
// person has turned 23. It is audited under actor, who started it: the job
// (RetentionActor), a privacy officer, or the operator.
//
// Before it erases anything the run checks itself: it never acts on a
// clock earlier than the newest audit entry, nor on one more than
// MaxClockGap past the cooperation's last run, and it stops when it would
// erase more than MaxShare of the cooperation's content or the content of
// more than MaxYoungPeople young people. A stopped run erases nothing and
// returns an error with CodeConflict wrapping ErrRetentionHeld that says
// what to do; req.Confirm goes past every hold but HoldClockBehind. Each
// young person's erasure is a short unit of work of its own, so
// submissions go on while a large run erases.
//
// Callers: the job, the operator (any cooperation), a privacy officer (the
// Privacy methods scope it to theirs).
// Errors: CodeNotFound (no such cooperation), CodeConflict (held); the
// first failure stops the run in that cooperation, which is safe to run
// again.
func (r *Retention) Run(ctx context.Context, actor Actor, req RetentionRequest) ([]RetentionRun, error) {
	all, err := r.store.Cooperations(ctx)
	if err != nil {
		return nil, fmt.Errorf("list cooperations: %w", err)
	}
	var coops []string
	for _, c := range all {
		if req.Cooperation == "" || req.Cooperation == c.ID || req.Cooperation == c.Name {
			coops = append(coops, c.ID)
		}
	}
	if req.Cooperation != "" && len(coops) == 0 {
		return nil, Errorf(CodeNotFound, "no cooperation %q", req.Cooperation)
	}
	runs := []RetentionRun{}
	var errs []error
	for _, coop := range coops {
		run, err := r.runIn(ctx, actor, coop, req)
		runs = append(runs, run)
		if err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return runs, errors.Join(errs...)
}

// runIn is one run in cooperation coop.
func (r *Retention) runIn(ctx context.Context, actor Actor, coop string, req RetentionRequest) (RetentionRun, error) {
	now := r.now()
	today := Today(now)
	run := RetentionRun{Cooperation: coop, Expired: []Erasure{}, DryRun: req.DryRun}
	clock, err := r.store.RetentionClock(ctx, coop)
	if err != nil {
		return run, fmt.Errorf("read the audit log's clock: %w", err)
	}
	// Observed on or before this day: the period has passed.
	observedBy := DateOf(today.Time().AddDate(-r.period.Years, -r.period.Months, -r.period.Days))
	cands, err := r.store.RetentionCandidates(ctx, coop, observedBy, today)
	if err != nil {
		return run, fmt.Errorf("find expired signals: %w", err)
	}
	run.Checked = len(cands)
	youths := map[string]bool{}
	for _, c := range cands {
		reason, expired, err := r.expired(ctx, c, today)
		if err != nil {
			return run, err
		}
		if expired {
			run.Expired = append(run.Expired, Erasure{SignalID: c.SignalID, Youth: c.Youth, Reason: reason})
			youths[c.Youth] = true
		}
	}
	run.YoungPeople = len(youths)
	if run.Content, err = r.store.ContentHeld(ctx, coop); err != nil {
		return run, fmt.Errorf("count content: %w", err)
	}
	run.Held, run.HoldWhy = r.hold(now, clock, run)
	if req.DryRun {
		return run, nil
	}
	if run.Held != "" {
		if !req.Confirm || run.Held == HoldClockBehind {
			r.log.Error("retention: stopped before erasing anything", slog.String("cooperation", coop), slog.String("held", string(run.Held)), slog.Int("expired", len(run.Expired)))
			held := &Error{Code: CodeConflict, Message: run.HoldWhy, Err: ErrRetentionHeld}
			// The stop is on the record too: the console lists it, why, and
			// who or which job it stopped.
			ev := AuditEvent{Action: ActionRetentionHold, Object: "cooperation/" + coop + "/" + string(run.Held)}
			if err := r.store.RecordRun(ctx, actor, runRecord(actor, now, run), true, ev); err != nil {
				return run, errors.Join(held, fmt.Errorf("record the stopped retention run: %w", err))
			}
			return run, held
		}
		run.Confirmed = true
	}
	n, err := r.erase(ctx, actor, run.Expired)
	run.KeysErased = n
	if err != nil {
		return run, err
	}
	// The run's own record: when retention last ran here (the next run's
	// clock check), by whom, and on whose word past which hold.
	ev := AuditEvent{Action: ActionRetentionRun, Object: "cooperation/" + coop}
	if run.Confirmed {
		ev.Action = ActionRetentionConfirm
		ev.Object += "/" + string(run.Held)
	}
	// The log keeps what a person started and what erased or went past a
	// hold; the job's hourly runs that found nothing show as the last run.
	keep := actor.UserID != RetentionActor.UserID || len(run.Expired) > 0 || run.Confirmed
	if err := r.store.RecordRun(ctx, actor, runRecord(actor, now, run), keep, ev); err != nil {
		return run, fmt.Errorf("record the retention run: %w", err)
	}
	if len(run.Expired) > 0 {
		r.log.Info("retention: signals erased", slog.String("cooperation", coop), slog.Int("signals", len(run.Expired)), slog.Int("keys", n))
	}
	return run, nil
}

// hold says why run must stop, if it must, and what a person should do.
func (r *Retention) hold(now time.Time, clock RetentionClock, run RetentionRun) (RetentionHold, string) {
	const stamp = "2006-01-02 15:04 MST"
	l := r.limits
	switch {
	case now.Before(clock.Newest):
		return HoldClockBehind, fmt.Sprintf("the clock reads %s, earlier than the newest audit entry (%s): retention does not run until the clock is right",
			now.UTC().Format(stamp), clock.Newest.UTC().Format(stamp))
	case !clock.LastRun.IsZero() && now.Sub(clock.LastRun) > l.MaxClockGap:
		return HoldClockAhead, fmt.Sprintf("the clock reads %s, %d days after retention last ran or anyone last acted (%s): if the clock is right, run `signald retention run --confirm`",
			now.UTC().Format(stamp), int(now.Sub(clock.LastRun).Hours()/24), clock.LastRun.UTC().Format(stamp))
	case len(run.Expired) > l.ShareFloor && float64(len(run.Expired)) > l.MaxShare*float64(run.Content):
		return HoldShare, fmt.Sprintf("the run would erase %d of the %d signals with content (more than %.0f%%): check the clock and the retention period, then run `signald retention run --confirm`",
			len(run.Expired), run.Content, 100*l.MaxShare)
	case run.YoungPeople > l.MaxYoungPeople:
		return HoldYoungPeople, fmt.Sprintf("the run would erase the content of %d young people (more than %d): check the clock and the retention period, then run `signald retention run --confirm`",
			run.YoungPeople, l.MaxYoungPeople)
	}
	return "", ""
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

// erase erases the signals' content one young person at a time, each in a
// short unit of work of its own that also retires the data key of a young
// person with nothing left, with the configured pause between two young
// people, and returns how many keys it erased. It is the one
// erasure, whoever asks: a retention run (Run), a privacy officer or the
// operator (Privacy.EraseOnRequest, inside a registered request). Stopped half-way (a failure, a cancelled
// context), what is erased stays erased and the rest waits for the next
// run.
func (r *Retention) erase(ctx context.Context, actor Actor, es []Erasure) (int, error) {
	var order []string
	per := map[string][]Erasure{}
	for _, e := range es {
		if _, ok := per[e.Youth]; !ok {
			order = append(order, e.Youth)
		}
		per[e.Youth] = append(per[e.Youth], e)
	}
	n := 0
	defer r.store.Scrub(context.WithoutCancel(ctx))
	for i, youth := range order {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if i > 0 && r.pause > 0 {
			// Yield the disk to the submissions (RetentionOptions.ErasePause).
			t := time.NewTimer(r.pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return n, ctx.Err()
			case <-t.C:
			}
		}
		emptied, err := r.store.EraseYouth(ctx, actor, youth, per[youth], erasureEvent, keyErasureEvent)
		if err != nil {
			return n, fmt.Errorf("erase signals: %w", err)
		}
		if emptied {
			n++
		}
	}
	return n, nil
}

// keyErasureEvent is the audit event of retiring a young person's data key.
func keyErasureEvent(youth string) AuditEvent {
	return AuditEvent{Action: ActionYouthKeyErase, Object: "youth-key", Subject: youth}
}

// ContentErased reports whether the signal's content was erased (retention
// or a request): its ciphertexts were overwritten, so there is nothing to
// unseal. A live signal always holds a sealed name.
func (s *Signal) ContentErased() bool { return len(s.Sealed.Name) == 0 }
