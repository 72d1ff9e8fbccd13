package signal

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestSuppressTableHidesSmallCountsAndWhatWouldGiveThemAway(t *testing.T) {
	tests := []struct {
		name      string
		cells     []int
		wantCells string
		wantTotal string
	}{
		{"nothing small: all shown", []int{12, 7, 0}, "12 7 0", "19"},
		{"one small cell: the next smallest is hidden too, as x", []int{12, 7, 3}, "12 x <5", "22"},
		{"two small cells hide each other", []int{20, 2, 3}, "20 <5 <5", "25"},
		{"a small total hides every cell, zeros too", []int{1, 2, 0}, "x x x", "<5"},
		{"two <5 that the total would pin to 1 each", []int{9, 1, 1}, "x <5 <5", "11"},
		{"two <5 that the total would pin to 4 each", []int{9, 4, 4}, "x <5 <5", "17"},
		{"zero is shown: it identifies nobody", []int{0, 0, 9}, "0 0 9", "9"},
		{"one small cell and only zeros beside it", []int{0, 4, 0}, "x x x", "<5"},
		{"exactly five is shown", []int{5, 5}, "5 5", "10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			total := 0
			for _, v := range tc.cells {
				total += v
			}
			cells, tot := suppressTable(tc.cells, total)
			var got []string
			for _, c := range cells {
				got = append(got, c.String())
			}
			if strings.Join(got, " ") != tc.wantCells || tot.String() != tc.wantTotal {
				t.Errorf("got %v total %s, want %s total %s", got, tot, tc.wantCells, tc.wantTotal)
			}
			// A shown total minus the shown cells must never equal a
			// single suppressed cell.
			hidden, rest := 0, total
			for i, c := range cells {
				if c.Withheld() {
					hidden++
				} else {
					rest -= tc.cells[i]
				}
			}
			if hidden == 1 && !tot.Suppressed {
				t.Errorf("one cell hidden with the total shown: it is %d", rest)
			}
			for _, c := range cells {
				if c.Withheld() && c.Value != 0 {
					t.Errorf("a suppressed figure keeps its value %d", c.Value)
				}
			}
		})
	}
}

// The CSV of the same figures is tested where it is written (signal/web).
func TestEvaluationPublishesNoCountUnderFiveInJSON(t *testing.T) {
	q := Quarter{Year: 2026, Q: 4}
	partners := []Organisation{{ID: "org_a", Name: "Demo College"}, {ID: "org_b", Name: "=Jongerenwerk"}}
	var data EvaluationData
	// 9 signals of the school about 9 young people; 3 of youth work, one
	// about a young person the school also signalled (a match).
	for i := range 9 {
		data.Signals = append(data.Signals, EvalSignal{OrgID: "org_a", Category: CategorySchoolAbsence, Youth: "y" + string(rune('a'+i)), MeetingLevel: LevelFull, Fields: []Field{FieldIdentity}})
	}
	for i := range 3 {
		data.Signals = append(data.Signals, EvalSignal{OrgID: "org_b", Category: CategoryWellbeing, Youth: "y" + string(rune('a'+i*5)), MeetingLevel: LevelFull, Fields: []Field{FieldIdentity}})
	}
	data.LeadDays = []int{3, 10, 7, 1}
	due := Date{Year: 2026, Month: 11, Day: 10}
	late := Date{Year: 2026, Month: 11, Day: 20}
	for range 6 {
		data.Actions = append(data.Actions, EvalAction{Due: due, DoneOn: &due})
	}
	data.Actions = append(data.Actions, EvalAction{Due: due, DoneOn: &late}, EvalAction{Due: due})

	ev := Evaluate(q, data, partners)
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(b, &doc)
	checks := map[string]string{
		"signals": "12", "young_people": "10", "matches": "<5", "leads": "<5",
		"actions_due": "8", "actions_on_time": "x", "actions_late": "<5", "actions_not_done": "<5",
	}
	for k, want := range checks {
		if got := jsonFigure(doc[k]); got != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	if ev.MedianDaysToLead != nil {
		t.Errorf("median over 4 leads published: %d", *ev.MedianDaysToLead)
	}
	// Partners: 9 and 3 with the total 12: the 3 shows as "<5", and the 9
	// is hidden as "x" (never as "<5": it is not under 5), else 12 - 9
	// gives the 3 away. Sorted by name: "=Jongerenwerk" first.
	if ev.ByPartner[0].Figure.String() != "<5" || ev.ByPartner[1].Figure.String() != "x" {
		t.Errorf("by partner: %+v", ev.ByPartner)
	}
}

func jsonFigure(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.Itoa(int(x))
	case string:
		return x
	}
	return "?"
}

func TestParseQuarter(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"2026-Q4", "2026-Q4", true}, {"2026-Q1", "2026-Q1", true},
		{"2026-Q5", "", false}, {"2026-11", "", false}, {"26-Q1", "", false}, {"", "", false},
	} {
		q, err := ParseQuarter(tc.in)
		if (err == nil) != tc.ok || tc.ok && q.String() != tc.want {
			t.Errorf("ParseQuarter(%q) = %v, %v", tc.in, q, err)
		}
	}
	if q := (Quarter{2026, 4}); q.Start().String() != "2026-10-01" || q.End().String() != "2027-01-01" {
		t.Errorf("Q4 bounds %s..%s", q.Start(), q.End())
	}
}

// span is the interval of values a withheld figure can have, as someone
// who knows how the page withholds reads it.
type span struct{ lo, hi int }

func (a span) plus(b span) span { return span{a.lo + b.lo, a.hi + b.hi} }

// figureSpan: a shown figure is its value, "<5" is 1 to 4, "x" is 5 or
// more (a cell hidden beside a small count is never small), except beside a
// small total, where every cell is hidden, zeros included (0 to 4), and in a
// table hidden whole (0 or more).
func figureSpan(f Figure, total Figure, whole bool, max int) span {
	switch {
	case !f.Withheld():
		return span{f.Value, f.Value}
	case total.Suppressed:
		return span{0, MinShown - 1}
	case whole:
		return span{0, max}
	case f.Hidden:
		return span{MinShown, max}
	}
	return span{1, MinShown - 1}
}

// TestNoSuppressedCellCanBeComputedBack is the attack of issue 16 item 6:
// for every pair of tables that break down one total (signals by category
// and by partner) with three cells each up to 9 and 24, and for one table
// alone (actions: on time, late, not done), an attacker reads every shown
// figure, every "<5" as 1 to 4 and every "x" as 5 or more, the total or
// its mark, and solves the sums of every table together. No "<5" may come
// out as a single value; every withheld figure shows no number.
func TestNoSuppressedCellCanBeComputedBack(t *testing.T) {
	const max = 60
	attack := func(t *testing.T, total int, tables ...[]int) {
		figs, tot := suppressTables(total, tables...)
		totals := figureSpan(tot, tot, false, max)
		if tot.Hidden {
			totals = span{MinShown, max}
		}
		// sums[t] is the span of table t's total given its figures.
		sums := make([]span, len(figs))
		wholes := make([]bool, len(figs))
		for ti, fs := range figs {
			wholes[ti] = true
			for _, f := range fs {
				wholes[ti] = wholes[ti] && f.Hidden
			}
		}
		for ti, fs := range figs {
			for _, f := range fs {
				if f.Withheld() && f.Value != 0 {
					t.Fatalf("a withheld figure keeps its value: %+v", f)
				}
				sums[ti] = sums[ti].plus(figureSpan(f, tot, wholes[ti], max))
			}
		}
		for ti, fs := range figs {
			for ci, f := range fs {
				if !f.Suppressed || f.Hidden {
					continue
				}
				var rest span // the other cells of this table
				for cj, g := range fs {
					if cj != ci {
						rest = rest.plus(figureSpan(g, tot, wholes[ti], max))
					}
				}
				var can []int
				for v := 1; v < MinShown; v++ {
					for T := totals.lo; T <= totals.hi; T++ {
						ok := T-v >= rest.lo && T-v <= rest.hi
						for tj := range figs {
							if tj != ti && (T < sums[tj].lo || T > sums[tj].hi) {
								ok = false
							}
						}
						if ok {
							can = append(can, v)
							break
						}
					}
				}
				if len(can) < 2 {
					t.Fatalf("tables %v (total %d) publish %v, total %s: cell %d of table %d (%d) can be computed: it can only be %v",
						tables, total, figs, tot, ci, ti, tables[ti][ci], can)
				}
			}
		}
	}
	cases := 0
	for a := range 10 * 10 * 10 {
		cats := []int{a / 100, a / 10 % 10, a % 10}
		total := cats[0] + cats[1] + cats[2]
		for b1 := 0; b1 <= total; b1++ {
			for b2 := 0; b1+b2 <= total; b2++ {
				attack(t, total, cats, []int{b1, b2, total - b1 - b2})
				cases++
			}
		}
		attack(t, total, cats)
		cases++
	}
	t.Logf("%d publications attacked", cases)
}

// TestEvaluationCountsYoungPeopleAsTheAgendaShowsThem: a signal the
// meeting sees without who it is about is its own young person (never
// joined to a named one, which would tell the coordinator whom it is
// about); a pair the coordinator confirmed is one young person; a signal
// the meeting does not see is a signal, not a young person or a match.
func TestEvaluationCountsYoungPeopleAsTheAgendaShowsThem(t *testing.T) {
	id := []Field{FieldIdentity}
	var data EvaluationData
	add := func(org, youth string, level Level, fields []Field) {
		data.Signals = append(data.Signals, EvalSignal{OrgID: org, Category: CategoryWellbeing, Youth: youth, MeetingLevel: level, Fields: fields})
	}
	// Seven named young people, each signalled by the school and youth
	// work: seven matches.
	for i := range 7 {
		y := "named" + strconv.Itoa(i)
		add("org_a", y, LevelFull, id)
		add("org_b", y, LevelMinimal, nil)
	}
	// Anonymous signals of youth work about two of the school's named
	// young people: on the agenda items of their own.
	add("org_b", "solo1", LevelAnonymous, []Field{FieldFacts})
	add("org_a", "solo1", LevelFull, id)
	add("org_b", "solo2", LevelFull, nil) // full without the identity field
	add("org_a", "solo2", LevelFull, id)
	// Two pseudonyms the coordinator confirmed to be one, from two partners.
	add("org_a", "mo1", LevelFull, id)
	add("org_b", "mo2", LevelFull, id)
	data.SamePeople = [][2]string{{"mo1", "mo2"}}
	// Shared with nobody at the meeting, about a named young person.
	add("org_b", "named0", LevelNone, nil)
	add("org_b", "hidden", LevelNone, nil)
	ev := Evaluate(Quarter{Year: 2026, Q: 3}, data, []Organisation{{ID: "org_a", Name: "A"}, {ID: "org_b", Name: "B"}})
	// Named 7 + solo1 and solo2 named + their 2 anonymous items + mo = 12.
	if ev.YoungPeople.String() != "12" || ev.Matches.String() != "8" || ev.Signals.String() != "22" {
		t.Errorf("young people %s, matches %s, signals %s; want 12, 8 (7 named pairs and the confirmed one), 22",
			ev.YoungPeople, ev.Matches, ev.Signals)
	}
}
