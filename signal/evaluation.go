package signal

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"
)

// The cooperation evaluates itself ("toon bewijskracht") with aggregate
// figures per quarter that identify nobody: every count from 1 to 4 is
// shown as "<5", and where a table shows its total, a second cell is
// suppressed too so the first cannot be computed back from the total
// (complementary suppression). Periods are whole calendar quarters only:
// overlapping periods (a quarter and a month of it) would let a suppressed
// cell be computed as a difference.

// MinShown is the smallest count shown as a number (other than 0).
const MinShown = 5

// Quarter is a calendar quarter, the evaluation's period.
type Quarter struct {
	Year int
	Q    int // 1..4
}

// ParseQuarter reads "2026-Q4".
func ParseQuarter(s string) (Quarter, error) {
	if len(s) != 7 || s[4] != '-' || s[5] != 'Q' || s[6] < '1' || s[6] > '4' {
		return Quarter{}, Invalid(FieldError{Field: "quarter", Problem: "must be a quarter written as 2026-Q4"})
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 2000 {
		return Quarter{}, Invalid(FieldError{Field: "quarter", Problem: "must be a quarter written as 2026-Q4"})
	}
	return Quarter{Year: y, Q: int(s[6] - '0')}, nil
}

// QuarterOf returns the quarter of t in the Netherlands.
func QuarterOf(t time.Time) Quarter {
	d := Today(t)
	return Quarter{Year: d.Year, Q: (int(d.Month)-1)/3 + 1}
}

func (q Quarter) String() string { return fmt.Sprintf("%04d-Q%d", q.Year, q.Q) }

// Start is the first day of the quarter; End the first day after it.
func (q Quarter) Start() Date { return Date{Year: q.Year, Month: time.Month(3*(q.Q-1) + 1), Day: 1} }

// End is the first day after the quarter.
func (q Quarter) End() Date {
	if q.Q == 4 {
		return Date{Year: q.Year + 1, Month: time.January, Day: 1}
	}
	return Date{Year: q.Year, Month: time.Month(3*q.Q + 1), Day: 1}
}

// Previous is the quarter before q.
func (q Quarter) Previous() Quarter {
	if q.Q == 1 {
		return Quarter{Year: q.Year - 1, Q: 4}
	}
	return Quarter{Year: q.Year, Q: q.Q - 1}
}

// bounds are the quarter's instants in Dutch time.
func (q Quarter) bounds() (time.Time, time.Time) {
	s, e := q.Start(), q.End()
	return time.Date(s.Year, s.Month, s.Day, 0, 0, 0, 0, amsterdam), time.Date(e.Year, e.Month, e.Day, 0, 0, 0, 0, amsterdam)
}

// Figure is a count as it may be published: the value, or "<5".
type Figure struct {
	Value      int
	Suppressed bool
}

// String is the value, or "<5" when suppressed.
func (f Figure) String() string {
	if f.Suppressed {
		return "<" + strconv.Itoa(MinShown)
	}
	return strconv.Itoa(f.Value)
}

// MarshalJSON writes a number, or the string "<5": the value of a
// suppressed figure never leaves the server.
func (f Figure) MarshalJSON() ([]byte, error) {
	if f.Suppressed {
		return json.Marshal(f.String())
	}
	return json.Marshal(f.Value)
}

// small reports whether v must be suppressed on its own.
func small(v int) bool { return v > 0 && v < MinShown }

// single is one count shown alone (no total beside it).
func single(v int) Figure {
	if small(v) {
		return Figure{Suppressed: true}
	}
	return Figure{Value: v}
}

// suppressTable publishes cells with their total: cells and total under
// MinShown (but not 0) are suppressed, and when exactly one cell is
// suppressed while the total shows, the smallest other non-zero cell is
// suppressed as well (or, when there is none, the total): otherwise the
// total minus the shown cells gives the suppressed one away.
func suppressTable(cells []int, total int) ([]Figure, Figure) {
	out := make([]Figure, len(cells))
	hidden := 0
	for i, v := range cells {
		out[i] = Figure{Value: v, Suppressed: small(v)}
		if out[i].Suppressed {
			hidden++
		}
	}
	tot := Figure{Value: total, Suppressed: small(total)}
	if hidden == 1 && !tot.Suppressed {
		next := -1
		for i, v := range cells {
			if !out[i].Suppressed && v > 0 && (next < 0 || v < cells[next]) {
				next = i
			}
		}
		if next >= 0 {
			out[next].Suppressed = true
		} else {
			tot.Suppressed = true
		}
	}
	for i := range out {
		if out[i].Suppressed {
			out[i].Value = 0
		}
	}
	if tot.Suppressed {
		tot.Value = 0
	}
	return out, tot
}

// FigureRow is one labelled cell of a table.
type FigureRow struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Figure Figure `json:"count"`
}

// Evaluation is a quarter's figures of one cooperation.
type Evaluation struct {
	Quarter     string      `json:"quarter"`
	From        Date        `json:"from"`
	Until       Date        `json:"until"` // exclusive
	Signals     Figure      `json:"signals"`
	ByCategory  []FigureRow `json:"by_category"`
	ByPartner   []FigureRow `json:"by_partner"`
	YoungPeople Figure      `json:"young_people"`
	// Matches counts young people with signals of two or more partners.
	Matches Figure `json:"matches"`
	// Leads counts lead professionals assigned in the quarter;
	// MedianDaysToLead is the median of days from the first signal about
	// the young person to the assignment, only over five or more.
	Leads            Figure `json:"leads"`
	MedianDaysToLead *int   `json:"median_days_to_lead,omitempty"`
	// Actions due in the quarter: done on time, done late, not done.
	ActionsDue     Figure `json:"actions_due"`
	ActionsOnTime  Figure `json:"actions_on_time"`
	ActionsLate    Figure `json:"actions_late"`
	ActionsNotDone Figure `json:"actions_not_done"`
	MeetingsHeld   int    `json:"meetings_held"`
}

// EvaluationData is what the store counts from: no free text, no names,
// pseudonyms only to count distinct young people.
type EvaluationData struct {
	Signals      []EvalSignal
	LeadDays     []int // per lead assigned in the period
	Actions      []EvalAction
	MeetingsHeld int
}

// EvalSignal is one decided signal in the period.
type EvalSignal struct {
	OrgID    string
	Category Category
	Youth    string
}

// EvalAction is one action due in the period.
type EvalAction struct {
	Due    Date
	DoneOn *Date
}

// EvaluationStore reads the raw counts of a cooperation's quarter.
type EvaluationStore interface {
	EvaluationData(ctx context.Context, coop string, from, until time.Time) (EvaluationData, error)
}

// Evaluate computes the published figures of one quarter.
func Evaluate(q Quarter, data EvaluationData, partners []Organisation) Evaluation {
	ev := Evaluation{Quarter: q.String(), From: q.Start(), Until: q.End(), MeetingsHeld: data.MeetingsHeld}
	cats := make([]int, len(Categories))
	orgIdx := map[string]int{}
	sorted := slices.Clone(partners)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for i, o := range sorted {
		orgIdx[o.ID] = i
	}
	orgs := make([]int, len(sorted))
	youths := map[string]map[string]bool{}
	for _, s := range data.Signals {
		if i := slices.Index(Categories, s.Category); i >= 0 {
			cats[i]++
		}
		if i, ok := orgIdx[s.OrgID]; ok {
			orgs[i]++
		}
		if youths[s.Youth] == nil {
			youths[s.Youth] = map[string]bool{}
		}
		youths[s.Youth][s.OrgID] = true
	}
	total := len(data.Signals)
	catFigs, tot := suppressTable(cats, total)
	orgFigs, tot2 := suppressTable(orgs, total)
	ev.Signals = tot
	if tot2.Suppressed {
		ev.Signals = tot2
	}
	for i, c := range Categories {
		ev.ByCategory = append(ev.ByCategory, FigureRow{Key: string(c), Label: string(c), Figure: catFigs[i]})
	}
	for i, o := range sorted {
		ev.ByPartner = append(ev.ByPartner, FigureRow{Key: o.ID, Label: o.Name, Figure: orgFigs[i]})
	}
	matches := 0
	for _, byOrg := range youths {
		if len(byOrg) >= 2 {
			matches++
		}
	}
	ev.YoungPeople, ev.Matches = single(len(youths)), single(matches)
	ev.Leads = single(len(data.LeadDays))
	if len(data.LeadDays) >= MinShown {
		days := slices.Clone(data.LeadDays)
		slices.Sort(days)
		med := days[len(days)/2]
		if len(days)%2 == 0 {
			med = (days[len(days)/2-1] + days[len(days)/2]) / 2
		}
		ev.MedianDaysToLead = &med
	}
	var onTime, late, notDone int
	for _, a := range data.Actions {
		switch {
		case a.DoneOn == nil:
			notDone++
		case a.DoneOn.Before(a.Due) || *a.DoneOn == a.Due:
			onTime++
		default:
			late++
		}
	}
	acts, due := suppressTable([]int{onTime, late, notDone}, len(data.Actions))
	ev.ActionsDue, ev.ActionsOnTime, ev.ActionsLate, ev.ActionsNotDone = due, acts[0], acts[1], acts[2]
	return ev
}

// Evaluation returns the figures of quarter q of the caller's cooperation
// (coordinator or privacy officer), audited as evaluation.view.
func (m *Meetings) Evaluation(ctx context.Context, actor Actor, q Quarter, action AuditAction) (Evaluation, error) {
	if actor.Role != RoleCoordinator && actor.Role != RolePrivacyOfficer {
		return Evaluation{}, Errorf(CodeForbidden, "the evaluation is for the coordinator and the privacy officer")
	}
	if next := QuarterOf(m.now()); q.Year > next.Year || q.Year == next.Year && q.Q > next.Q {
		return Evaluation{}, Invalid(FieldError{Field: "quarter", Problem: "must not be in the future"})
	}
	coop, err := m.disclosure.cooperationOf(ctx, actor)
	if err != nil {
		return Evaluation{}, err
	}
	from, until := q.bounds()
	if m.evaluations == nil {
		return Evaluation{}, Errorf(CodeUnavailable, "the evaluation is not available on this server")
	}
	data, err := m.evaluations.EvaluationData(ctx, coop, from, until)
	if err != nil {
		return Evaluation{}, fmt.Errorf("count evaluation: %w", err)
	}
	orgs, err := m.partners.Organisations(ctx, coop)
	if err != nil {
		return Evaluation{}, fmt.Errorf("list partners: %w", err)
	}
	ev := Evaluate(q, data, orgs)
	if action == "" {
		action = ActionEvaluationView
	}
	if err := m.audit.Record(ctx, actor, []AuditEvent{{Action: action, Object: "evaluation/" + coop + "/" + q.String()}}); err != nil {
		return Evaluation{}, fmt.Errorf("audit evaluation: %w", err)
	}
	return ev, nil
}
