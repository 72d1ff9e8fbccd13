package signal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// What retention will erase and when, and what it did (issue 17 item 5):
// the privacy officer's view of the one retention engine (retention.go),
// per young person by pseudonym, never by name, with counts and dates only.

// RetentionHorizon is how far ahead the console lists what becomes due.
const RetentionHorizon = 90

// DueDay is how many of a young person's signals become due on one day,
// and why.
type DueDay struct {
	On      Date          `json:"on"`
	Signals int           `json:"signals"`
	Reason  ErasureReason `json:"reason"`
}

// YouthDue is what becomes due of one young person: their pseudonym, the
// number of signals, and the days.
type YouthDue struct {
	Youth   string   `json:"youth"`
	Signals int      `json:"signals"`
	Days    []DueDay `json:"days"` // earliest first
	// Now: some of it is due already (the next run erases it).
	Now bool `json:"now"`
}

// RetentionSchedule is the console's retention page: the period, what
// becomes due from today until Until (per young person, earliest first),
// what a run now would do (a dry run: the hold it would stop at, if any),
// when the last run was, and the run log.
type RetentionSchedule struct {
	Period  string       `json:"period"`
	Today   Date         `json:"today"`
	Until   Date         `json:"until"`
	Youths  []YouthDue   `json:"youths"`
	Signals int          `json:"signals"` // due until Until, all young people
	NextRun RetentionRun `json:"next_run"`
	// NextErases is how many signals' content a run now would erase.
	NextErases int                  `json:"next_erases"`
	LastRun    *time.Time           `json:"last_run,omitempty"`
	Runs       []RetentionRunRecord `json:"runs"`
}

// schedule returns what becomes due in cooperation coop from today until
// until, per young person. Expiry as the run decides it (ExpiryOf): the
// birth date is unsealed to find the 23rd birthday, and never leaves this
// function; a young person whose key is gone is due now.
func (r *Retention) schedule(ctx context.Context, coop string, today, until Date) ([]YouthDue, int, error) {
	observedBy := DateOf(until.Time().AddDate(-r.period.Years, -r.period.Months, -r.period.Days))
	cands, err := r.store.RetentionCandidates(ctx, coop, observedBy, until)
	if err != nil {
		return nil, 0, fmt.Errorf("find signals due: %w", err)
	}
	per := map[string]map[DueDay]int{}
	var order []string
	total := 0
	for _, c := range cands {
		e := Expiry{On: today, Reason: ErasureAgeLimit}
		pt, err := r.vault.Unseal(ctx, c.Youth, sealAD(c.SignalID, sealBirthDate), c.SealedBirthDate)
		switch {
		case errors.Is(err, ErrContentErased):
		case err != nil:
			return nil, 0, fmt.Errorf("signal %s: unseal birth date: %w", c.SignalID, err)
		default:
			birth, err := ParseDate(string(pt))
			if err != nil {
				return nil, 0, fmt.Errorf("signal %s: stored birth date: %w", c.SignalID, err)
			}
			e = ExpiryOf(r.period, c.ObservedOn, birth)
		}
		if until.Before(e.On) {
			continue
		}
		on := e.On
		if on.Before(today) {
			on = today // overdue: the next run
		}
		if per[c.Youth] == nil {
			per[c.Youth] = map[DueDay]int{}
			order = append(order, c.Youth)
		}
		per[c.Youth][DueDay{On: on, Reason: e.Reason}]++
		total++
	}
	out := make([]YouthDue, 0, len(order))
	for _, y := range order {
		d := YouthDue{Youth: y}
		for k, n := range per[y] {
			k.Signals = n
			d.Days = append(d.Days, k)
			d.Signals += n
		}
		slices.SortFunc(d.Days, func(a, b DueDay) int {
			if c := a.On.Time().Compare(b.On.Time()); c != 0 {
				return c
			}
			return strings.Compare(string(a.Reason), string(b.Reason))
		})
		d.Now = !today.Before(d.Days[0].On)
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b YouthDue) int {
		if c := a.Days[0].On.Time().Compare(b.Days[0].On.Time()); c != 0 {
			return c
		}
		return strings.Compare(a.Youth, b.Youth)
	})
	return out, total, nil
}

// RetentionSchedule returns the retention page of actor's cooperation: what
// becomes due in the next RetentionHorizon days per young person (by
// pseudonym: counts and dates, no name, nothing a signal says), what a run
// now would do, and the run log (who or which job, when, how many erased,
// stopped by which safeguard, confirmed by whom), and audits the viewing
// (policy.view "retention").
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeUnavailable (no retention on this server).
func (p *Privacy) RetentionSchedule(ctx context.Context, actor Actor) (RetentionSchedule, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return RetentionSchedule{}, err
	}
	if p.retention == nil {
		return RetentionSchedule{}, Errorf(CodeUnavailable, "retention is not available on this server")
	}
	r := p.retention
	today := Today(r.now())
	out := RetentionSchedule{Period: r.period.String(), Today: today, Until: DateOf(today.Time().AddDate(0, 0, RetentionHorizon))}
	if out.Youths, out.Signals, err = r.schedule(ctx, sc.Cooperation, today, out.Until); err != nil {
		return RetentionSchedule{}, err
	}
	runs, err := r.Run(ctx, actor, RetentionRequest{Cooperation: sc.Cooperation, DryRun: true})
	if err != nil {
		return RetentionSchedule{}, err
	}
	if len(runs) > 0 {
		out.NextRun = runs[0]
		out.NextErases = len(out.NextRun.Expired)
		out.NextRun.Expired = []Erasure{} // counts only on this page
	}
	last, err := r.store.LastRun(ctx, sc.Cooperation)
	if err != nil {
		return RetentionSchedule{}, err
	}
	if !last.IsZero() {
		out.LastRun = &last
	}
	if out.Runs, err = r.store.RetentionRuns(ctx, sc.Cooperation, 50); err != nil {
		return RetentionSchedule{}, err
	}
	n, err := p.names(ctx, sc)
	if err != nil {
		return RetentionSchedule{}, err
	}
	for i := range out.Runs {
		out.Runs[i].ByName = n.Users[out.Runs[i].ByUser].Name
	}
	return out, p.record(ctx, actor, ActionPolicyView, "retention", "")
}
