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
		{"one small cell: the next smallest goes too", []int{12, 7, 3}, "12 <5 <5", "22"},
		{"two small cells hide each other", []int{20, 2, 3}, "20 <5 <5", "25"},
		{"a small total is hidden", []int{1, 2, 0}, "<5 <5 0", "<5"},
		{"zero is shown: it identifies nobody", []int{0, 0, 9}, "0 0 9", "9"},
		{"one small cell and only zeros beside it", []int{0, 4, 0}, "0 <5 0", "<5"},
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
				if c.Suppressed {
					hidden++
				} else {
					rest -= tc.cells[i]
				}
			}
			if hidden == 1 && !tot.Suppressed {
				t.Errorf("one cell hidden with the total shown: it is %d", rest)
			}
			for _, c := range cells {
				if c.Suppressed && c.Value != 0 {
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
		data.Signals = append(data.Signals, EvalSignal{OrgID: "org_a", Category: CategorySchoolAbsence, Youth: "y" + string(rune('a'+i))})
	}
	for i := range 3 {
		data.Signals = append(data.Signals, EvalSignal{OrgID: "org_b", Category: CategoryWellbeing, Youth: "y" + string(rune('a'+i*5))})
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
		"actions_due": "8", "actions_on_time": "6", "actions_late": "<5", "actions_not_done": "<5",
	}
	for k, want := range checks {
		if got := jsonFigure(doc[k]); got != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	if ev.MedianDaysToLead != nil {
		t.Errorf("median over 4 leads published: %d", *ev.MedianDaysToLead)
	}
	// Partners: 9 and 3 with the total 12: the 3 is hidden, and so is the
	// 9, else 12 - 9 gives it away.
	if ev.ByPartner[0].Figure.String() != "<5" || ev.ByPartner[1].Figure.String() != "<5" {
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
