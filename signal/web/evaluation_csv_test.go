package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
)

// The figures of signal's TestEvaluationPublishesNoCountUnderFiveInJSON, as
// the municipality downloads them.
func TestEvaluationCSVPublishesNoCountUnderFiveNorAFormula(t *testing.T) {
	q := signal.Quarter{Year: 2026, Q: 4}
	partners := []signal.Organisation{{ID: "org_a", Name: "Demo College"}, {ID: "org_b", Name: "=Jongerenwerk"}}
	var data signal.EvaluationData
	// 9 signals of the school about 9 young people; 3 of youth work, one
	// about a young person the school also signalled (a match).
	for i := range 9 {
		data.Signals = append(data.Signals, signal.EvalSignal{OrgID: "org_a", Category: signal.CategorySchoolAbsence, Youth: "y" + string(rune('a'+i)), MeetingLevel: signal.LevelFull, Fields: []signal.Field{signal.FieldIdentity}})
	}
	for i := range 3 {
		data.Signals = append(data.Signals, signal.EvalSignal{OrgID: "org_b", Category: signal.CategoryWellbeing, Youth: "y" + string(rune('a'+i*5)), MeetingLevel: signal.LevelFull, Fields: []signal.Field{signal.FieldIdentity}})
	}
	data.LeadDays = []int{3, 10, 7, 1}
	due := signal.Date{Year: 2026, Month: 11, Day: 10}
	late := signal.Date{Year: 2026, Month: 11, Day: 20}
	for range 6 {
		data.Actions = append(data.Actions, signal.EvalAction{Due: due, DoneOn: &due})
	}
	data.Actions = append(data.Actions, signal.EvalAction{Due: due, DoneOn: &late}, signal.EvalAction{Due: due})
	ev := signal.Evaluate(q, data, partners)

	var csv bytes.Buffer
	if err := writeEvaluationCSV(&csv, ev); err != nil {
		t.Fatal(err)
	}
	out := csv.String()
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		f := strings.Split(line, ",")
		v := f[len(f)-1]
		if v == "1" || v == "2" || v == "3" || v == "4" {
			t.Errorf("csv publishes a small count: %s", line)
		}
	}
	if !strings.Contains(out, "'=Jongerenwerk") {
		t.Errorf("csv lets a name start a formula:\n%s", out)
	}
}
