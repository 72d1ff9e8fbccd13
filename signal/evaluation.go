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

// LastEndedQuarter is the latest quarter that has ended at now: the
// evaluation's default.
func LastEndedQuarter(now time.Time) Quarter { return QuarterOf(now).Previous() }

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

// Figure is a count as it may be published: the value, "<5" for a count
// from 1 to 4, or "x" for a count hidden so that no "<5" beside it can be
// computed back (the mark of Statistics Netherlands for "geheim").
type Figure struct {
	Value      int
	Suppressed bool // "<5": from 1 to 4
	Hidden     bool // "x": hidden beside a small count; any value
}

// HiddenMark is what a Figure hidden beside a small count shows.
const HiddenMark = "x"

// String is the value, "<5" when suppressed, or "x" when hidden.
func (f Figure) String() string {
	switch {
	case f.Hidden:
		return HiddenMark
	case f.Suppressed:
		return "<" + strconv.Itoa(MinShown)
	}
	return strconv.Itoa(f.Value)
}

// Withheld reports whether the figure shows no number.
func (f Figure) Withheld() bool { return f.Suppressed || f.Hidden }

// MarshalJSON writes a number, or the string "<5" or "x": the value of a
// withheld figure never leaves the server.
func (f Figure) MarshalJSON() ([]byte, error) {
	if f.Withheld() {
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

// suppressTable publishes one table of cells with its total; see
// suppressTables.
func suppressTable(cells []int, total int) ([]Figure, Figure) {
	figs, tot := suppressTables(total, cells)
	return figs[0], tot
}

// suppressTables publishes tables that break down the same total (signals
// by category and by partner). Cells from 1 to 4 show as "<5". Someone
// who reads every table knows that each "<5" is 1 to 4, each "x" is 5 or
// more, and the shown cells and total; from those sums no "<5" may be
// pinned to one value (two "<5" beside a shown total that differ from it by
// 2 are both 1). So, per table, the smallest shown non-zero cell is hidden
// as "x" while any "<5" could be pinned; when no cell is left to hide, the
// total is hidden in every table, and then each table hides one more cell,
// so that no table adds up to the total (and when a table has none left,
// every cell of every table is hidden, zeros included). A small total hides
// every cell, zeros included: "<5" cells beside it would tell how many are
// not zero.
func suppressTables(total int, tables ...[]int) ([][]Figure, Figure) {
	out := make([][]Figure, len(tables))
	tot := Figure{Value: total, Suppressed: small(total)}
	for t, cells := range tables {
		out[t] = make([]Figure, len(cells))
		for i, v := range cells {
			out[t][i] = Figure{Value: v, Suppressed: small(v), Hidden: tot.Suppressed}
		}
	}
	if !tot.Suppressed {
		for t := range tables {
			for pinned(out[t], tables[t], total) {
				if !hideNext(out[t], tables[t]) {
					tot.Hidden = true
					break
				}
			}
		}
		if tot.Hidden {
			for t := range tables {
				hidden := false
				for _, f := range out[t] {
					hidden = hidden || f.Hidden
				}
				if !hidden && !hideNext(out[t], tables[t]) {
					// This table's cells are all "<5" or 0: its sum
					// is at most 4 a cell, which can pin another
					// table's cells: nothing of the breakdown shows.
					for t := range out {
						for i := range out[t] {
							out[t][i].Hidden = true
						}
					}
					break
				}
			}
		}
	}
	for t := range out {
		for i := range out[t] {
			if out[t][i].Withheld() {
				out[t][i].Value = 0
			}
		}
	}
	if tot.Withheld() {
		tot.Value = 0
	}
	return out, tot
}

// hideNext hides the smallest shown non-zero cell as "x"; false when there
// is none.
func hideNext(figs []Figure, cells []int) bool {
	next := -1
	for i, v := range cells {
		if !figs[i].Withheld() && v > 0 && (next < 0 || v < cells[next]) {
			next = i
		}
	}
	if next < 0 {
		return false
	}
	figs[next].Hidden = true
	return true
}

// pinned reports whether, with the total shown, one "<5" of the table can
// be computed to a single value: the withheld cells add up to the total
// minus the shown ones (s); with p cells of "<5" (1 to 4 each) and c of "x"
// (5 or more each), one "<5" lies between lo and hi.
func pinned(figs []Figure, cells []int, total int) bool {
	s, p, c := total, 0, 0
	for i, f := range figs {
		switch {
		case f.Hidden:
			c++
		case f.Suppressed:
			p++
		default:
			s -= cells[i]
		}
	}
	if p == 0 {
		return false
	}
	lo := 1
	if c == 0 {
		lo = max(1, s-(MinShown-1)*(p-1))
	}
	hi := min(MinShown-1, s-(p-1)-MinShown*c)
	return hi <= lo
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
	Signals []EvalSignal
	// SamePeople are the pairs of pseudonyms the coordinator confirmed to
	// be one young person.
	SamePeople   [][2]string
	LeadDays     []int // per lead assigned in the period
	Actions      []EvalAction
	MeetingsHeld int
}

// EvalSignal is one decided signal in the period.
type EvalSignal struct {
	OrgID    string
	Category Category
	Youth    string
	// MeetingLevel and Fields are the meeting's decision: a signal the
	// meeting sees without who it is about (anonymous, or no identity
	// field) is its own young person, as it is its own item on the agenda;
	// a signal the meeting does not see (level none) is counted as a
	// signal, not as a young person.
	MeetingLevel Level
	Fields       []Field
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
	// youths are the young people as the agenda shows them, with the
	// partners that signalled each.
	youths := map[string]map[string]bool{}
	same := unionOf(data.SamePeople)
	for i, s := range data.Signals {
		if i := slices.Index(Categories, s.Category); i >= 0 {
			cats[i]++
		}
		if i, ok := orgIdx[s.OrgID]; ok {
			orgs[i]++
		}
		if s.MeetingLevel == "" || s.MeetingLevel == LevelNone {
			continue
		}
		who := "signal/" + strconv.Itoa(i) // unknown to the meeting: its own item
		if _, parts := levelParts(s.MeetingLevel, s.Fields); parts&partIdentity != 0 {
			who = same.find(s.Youth)
		}
		if youths[who] == nil {
			youths[who] = map[string]bool{}
		}
		youths[who][s.OrgID] = true
	}
	total := len(data.Signals)
	figs, tot := suppressTables(total, cats, orgs)
	catFigs, orgFigs := figs[0], figs[1]
	ev.Signals = tot
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

// unions joins pseudonyms confirmed to be one young person.
type unions map[string]string

func unionOf(pairs [][2]string) unions {
	u := unions{}
	for _, p := range pairs {
		a, b := u.find(p[0]), u.find(p[1])
		if a != b {
			u[max(a, b)] = min(a, b)
		}
	}
	return u
}

// find is the one pseudonym that stands for youth's group.
func (u unions) find(youth string) string {
	for {
		next, ok := u[youth]
		if !ok || next == youth {
			return youth
		}
		youth = next
	}
}

// Evaluation returns the figures of quarter q of the caller's cooperation
// (coordinator or privacy officer), audited as evaluation.view (or action).
// Only an ended quarter has figures (LastEndedQuarter is the default).
//
// Errors: CodeForbidden for any other role, CodeInvalid naming "quarter"
// for the running quarter or one in the future, CodeUnavailable when the
// server counts nothing.
func (m *Meetings) Evaluation(ctx context.Context, actor Actor, q Quarter, action AuditAction) (Evaluation, error) {
	if actor.Role != RoleCoordinator && actor.Role != RolePrivacyOfficer {
		return Evaluation{}, Errorf(CodeForbidden, "the evaluation is for the coordinator and the privacy officer")
	}
	// Only an ended quarter: the figures of a running one change with every
	// signal, so two reads of it differ by exactly what one of them hid.
	switch cur := QuarterOf(m.now()); {
	case q.Year > cur.Year || q.Year == cur.Year && q.Q > cur.Q:
		return Evaluation{}, Invalid(FieldError{Field: "quarter", Problem: "must not be in the future"})
	case q == cur:
		return Evaluation{}, Invalid(FieldError{Field: "quarter", Problem: "has not ended yet: figures are given for ended quarters only (the last is " + cur.Previous().String() + ")"})
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
