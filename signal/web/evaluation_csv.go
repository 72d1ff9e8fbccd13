package web

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/signaal-nl/signaal/signal"
)

// writeEvaluationCSV writes the evaluation for the municipality: one figure
// per row (section, key, label, value), withheld figures as "<5" or "x".
func writeEvaluationCSV(w io.Writer, ev signal.Evaluation) error {
	cw := csv.NewWriter(w)
	rows := [][]string{{"quarter", "section", "key", "label", "value"}}
	add := func(section, key, label string, f signal.Figure) {
		rows = append(rows, []string{ev.Quarter, section, key, label, f.String()})
	}
	add("signals", "total", "Signalen", ev.Signals)
	for _, r := range ev.ByCategory {
		add("signals_by_category", r.Key, r.Label, r.Figure)
	}
	for _, r := range ev.ByPartner {
		add("signals_by_partner", r.Key, r.Label, r.Figure)
	}
	add("young_people", "total", "Jongeren", ev.YoungPeople)
	add("matches", "total", "Jongeren met signalen van twee of meer partners", ev.Matches)
	add("leads", "total", "Vaste begeleiders toegewezen", ev.Leads)
	median := "<" + strconv.Itoa(signal.MinShown) + " toewijzingen"
	if ev.MedianDaysToLead != nil {
		median = strconv.Itoa(*ev.MedianDaysToLead)
	}
	rows = append(rows, []string{ev.Quarter, "leads", "median_days", "Mediaan dagen van signaal tot vaste begeleider", median})
	add("actions", "due", "Acties met deadline in het kwartaal", ev.ActionsDue)
	add("actions", "on_time", "Op tijd uitgevoerd", ev.ActionsOnTime)
	add("actions", "late", "Te laat uitgevoerd", ev.ActionsLate)
	add("actions", "not_done", "Niet uitgevoerd", ev.ActionsNotDone)
	rows = append(rows, []string{ev.Quarter, "meetings", "held", "Overleggen gehouden", strconv.Itoa(ev.MeetingsHeld)})
	for _, r := range rows {
		for i, cell := range r {
			r[i] = csvSafe(cell)
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// csvSafe keeps a spreadsheet from reading a cell (an organisation's name)
// as a formula; "<5" is left as it is.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
