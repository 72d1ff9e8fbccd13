package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// dutyBody is a submission about name (born 30 april 2011) with answers.
func dutyBody(name, facts, answers string) string {
	return fmt.Sprintf(`{"youth": {"name": %q, "birth_date": "2011-04-30"}, "category": "home_situation",
		"facts": %q, "observed_on": %q, "answers": %s,
		"versions": {"minimal": {"facts": %[2]q}, "anonymous": {"facts": %[2]q}}}`, name, facts, signal.Today(time.Now()).String(), answers)
}

// TestPromiseDutiesStayOpenUntilDone: what a decision asks of the reporter
// after sending (issue 15 items 5 and 6) is on their home until it is
// recorded: the report to Veilig Thuis, confirmed on its own; the consent
// and the justification; informing, or why and until when it waits, after
// which it is open again. Across a restart, a clock moved past the
// postponement, and an erasure that takes the texts but not the dates.
// Nothing typed about a young person is in the audit log or in the clear
// in the database; a refused form keeps what was typed and stores nothing.
func TestPromiseDutiesStayOpenUntilDone(t *testing.T) {
	var se *signalsEnv
	pe := newPrivacyEnv(t, func(d *testDeps, s *signalsEnv) {
		se = s
		d.Options.Now, d.Now = s.now, s.now
	})
	abuse := se.mustSubmit("school", dutyBody("Daan de Boer", "Blauwe plekken op beide armen.",
		`{"risk": {"acute_danger": false}, "legal_duty": false, "purpose": "safety_risk", "abuse": {"suspected": true, "unsafe": true}}`),
		signal.OutcomeReportVeiligThuis)
	minimal := se.mustSubmit("school", dutyBody("Sanne Visser", "Zegt dat ze niet naar huis durft.", answersFor[signal.OutcomeShareMinimal]), signal.OutcomeShareMinimal)
	full := se.mustSubmit("school", dutyBody("Tim Jansen", "Was drie weken niet op school.", answersFor[signal.OutcomeShareFull]), signal.OutcomeShareFull)
	want := map[string][]signal.Duty{
		abuse.ID:   signal.DutiesOf(abuse.Decision),
		minimal.ID: signal.DutiesOf(minimal.Decision),
		full.ID:    signal.DutiesOf(full.Decision),
	}
	if want[abuse.ID][0] != signal.DutyReportVeiligThuis || len(want[minimal.ID]) < 2 || want[full.ID][0] != signal.DutyRecordConsent {
		t.Fatalf("duties asked: abuse %v, minimal %v, full %v", want[abuse.ID], want[minimal.ID], want[full.ID])
	}

	b := newBrowserClient(t, se.url)
	b.login(se.users[signal.RoleReporter].Email)
	link := func(id string, d signal.Duty) string { return `href="/signalen/` + id + `#duty-` + string(d) + `"` }
	home := func(stage string, open map[string][]signal.Duty) string {
		t.Helper()
		res := b.get("/signalen")
		if res.status != http.StatusOK {
			t.Fatalf("%s: home %d", stage, res.status)
		}
		for id, ds := range want {
			for _, d := range ds {
				shown := strings.Contains(res.body, link(id, d))
				if exp := containsDuty(open[id], d); shown != exp {
					t.Errorf("%s: home lists %s of %s = %v, want %v", stage, d, id, shown, exp)
				}
			}
		}
		return res.body
	}
	home("after sending", want)
	duties := func() int { return se.count(`SELECT count(*) FROM signal_duties`) }
	dutyAudits := func() int {
		return se.count(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionSignalDuty)
	}
	post := func(id string, f url.Values) pageResponse {
		t.Helper()
		return b.post("/signalen/"+id+"/plichten", f)
	}
	today := signal.Today(se.now())
	vt := string(signal.DutyReportVeiligThuis)

	// The report to Veilig Thuis needs its own confirmation: without the
	// tick nothing is stored and what was typed stays.
	res := post(abuse.ID, url.Values{"duty": {vt}, vt + ".on": {today.String()}, vt + ".how": {"phone"}})
	if res.status != http.StatusBadRequest || !strings.Contains(res.body, "Vink aan dat je de melding bij Veilig Thuis hebt gedaan") ||
		!strings.Contains(res.body, `value="phone" checked`) {
		t.Errorf("report without its confirmation: %d, the problem or the typed answer is missing", res.status)
	}
	if res := post(abuse.ID, url.Values{"duty": {vt}, vt + ".on": {today.AddDays(1).String()}, vt + ".how": {"phone"}, vt + ".confirm": {"1"}}); res.status != http.StatusBadRequest ||
		!strings.Contains(res.body, "De datum kan niet in de toekomst liggen") {
		t.Errorf("a report dated tomorrow: %d", res.status)
	}
	if res := post(abuse.ID, url.Values{"duty": {vt}, vt + ".state": {"postponed"}, vt + ".until": {today.AddDays(7).String()}, vt + ".note": {"later"}, vt + ".confirm": {"1"}}); res.status != http.StatusBadRequest ||
		!strings.Contains(res.body, "Alleen het vertellen kan wachten") {
		t.Errorf("a report put off: %d", res.status)
	}
	if n, a := duties(), dutyAudits(); n != 0 || a != 0 {
		t.Fatalf("refused forms stored %d records and %d audit entries", n, a)
	}
	res = post(abuse.ID, url.Values{"duty": {vt}, vt + ".on": {today.String()}, vt + ".how": {"phone"}, vt + ".confirm": {"1"}})
	if res.status != http.StatusSeeOther || !strings.Contains(res.header.Get("Location"), "vastgelegd=report_veilig_thuis") {
		t.Fatalf("record the report: %d %s", res.status, res.header.Get("Location"))
	}
	page := b.get(res.header.Get("Location")).body
	for _, w := range []string{"Vastgelegd: je hebt gemeld bij Veilig Thuis.", "Gemeld bij Veilig Thuis op " + dayNL(today) + " (Telefonisch)."} {
		if !strings.Contains(page, w) {
			t.Errorf("the signal page after the report lacks %q", w)
		}
	}
	open := map[string][]signal.Duty{abuse.ID: without(want[abuse.ID], signal.DutyReportVeiligThuis), minimal.ID: want[minimal.ID], full.ID: want[full.ID]}
	home("after the report", open)

	// The justification and informing that waits, with texts only the
	// reporter and the privacy officer read.
	js, inf := string(signal.DutyRecordJustification), string(signal.DutyInformYouthParents)
	justification := "Vader dreigde Sanne te slaan als ze iets vertelt."
	why := "Moeder vraagt te wachten tot de voorlopige voogd er is."
	if res := post(minimal.ID, url.Values{"duty": {js}, js + ".note": {justification}}); res.status != http.StatusSeeOther {
		t.Fatalf("record the justification: %d %s", res.status, res.body)
	}
	if res := post(minimal.ID, url.Values{"duty": {inf}, inf + ".state": {"postponed"}, inf + ".parties": {"parents"},
		inf + ".until": {today.AddDays(120).String()}, inf + ".note": {why}}); res.status != http.StatusBadRequest ||
		!strings.Contains(res.body, "Kies een datum binnen drie maanden") || !strings.Contains(res.body, why) {
		t.Errorf("informing put off for 120 days: %d (or the reason typed is gone)", res.status)
	}
	if res := post(minimal.ID, url.Values{"duty": {inf}, inf + ".state": {"postponed"}, inf + ".parties": {"parents"},
		inf + ".until": {today.AddDays(30).String()}, inf + ".note": {why}}); res.status != http.StatusSeeOther {
		t.Fatalf("informing put off for 30 days: %d %s", res.status, res.body)
	}
	open[minimal.ID] = nil
	home("after the justification and the postponement", open)
	page = b.get("/signalen/" + minimal.ID).body
	for _, w := range []string{justification, why, "Vertellen aan de ouders wacht tot " + dayNL(today.AddDays(30))} {
		if !strings.Contains(page, w) {
			t.Errorf("the reporter's page lacks %q", w)
		}
	}
	// Another reporter cannot record anything on it.
	other := newBrowserClient(t, se.url)
	other.login("youthwork@example.nl")
	if res := other.post("/signalen/"+minimal.ID+"/plichten", url.Values{"duty": {js}, js + ".note": {"Iets anders opgeschreven."}}); res.status != http.StatusNotFound {
		t.Errorf("another reporter records on the signal: %d", res.status)
	}

	// After a restart, all is still as recorded.
	se.restart()
	b.base = se.url
	b.login(se.users[signal.RoleReporter].Email)
	home("after a restart", open)

	// The postponement runs out: informing is open again, marked.
	se.ahead.Store(int64(31 * 24 * time.Hour))
	b.login(se.users[signal.RoleReporter].Email)
	open[minimal.ID] = []signal.Duty{signal.DutyInformYouthParents}
	body := home("31 days later", open)
	if !strings.Contains(body, "wachten liep af op "+dayNL(today.AddDays(30))) {
		t.Error("the home does not say the postponement ran out")
	}
	later := signal.Today(se.now())
	if res := post(minimal.ID, url.Values{"duty": {inf}, inf + ".parties": {"youth", "parents"},
		inf + ".on": {later.String()}, inf + ".how": {"in_person"}}); res.status != http.StatusSeeOther {
		t.Fatalf("record informing: %d %s", res.status, res.body)
	}
	open[minimal.ID] = nil
	home("after informing", open)
	if page := b.get("/signalen/" + minimal.ID).body; !strings.Contains(page, "Verteld aan de jongere en de ouders op "+dayNL(later)+" (In een gesprek).") ||
		!strings.Contains(page, "Vertellen aan de ouders wacht tot") {
		t.Error("the signal page does not keep both records of informing")
	}

	// The privacy officer's access report lists the records; with
	// content only, their texts.
	se.tokens["privacy"] = se.token(signal.RolePrivacyOfficer)
	subject := pe.lookup("Sanne Visser", "2011-04-30")
	var rep signal.AccessReport
	pe.mustAPI("GET", "/api/v1/privacy/access-reports/"+subject, nil, &rep)
	var listed []signal.Duty
	for _, s := range rep.Signals {
		for _, d := range s.Duties {
			listed = append(listed, d.Duty)
			if d.Note != "" {
				t.Errorf("the access report without content holds a duty's text %q", d.Note)
			}
		}
	}
	if len(listed) != 3 {
		t.Errorf("the access report lists duties %v, want the justification, the postponement and informing", listed)
	}
	officer := newBrowserClient(t, se.url)
	officer.login(se.users[signal.RolePrivacyOfficer].Email)
	if page := officer.get("/privacy/inzage/" + subject).body; !strings.Contains(page, "Wat de melder vastlegde") ||
		!strings.Contains(page, "Vertellen aan de ouders wacht tot "+dayNL(today.AddDays(30))) || strings.Contains(page, why) {
		t.Error("the officer's access report page does not list the records, or shows their text outside a request")
	}

	// Nothing typed is in the clear in the database files, nor in the
	// audit (which only has the duty and its state).
	for _, f := range []string{se.app.DB.Path(), se.app.DB.Path() + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, w := range []string{justification, why, "dreigde Sanne"} {
			if i := clearIndex(raw, w); i >= 0 {
				t.Errorf("%s holds %q in the clear: %s", filepath.Base(f), w, hitContext(raw, i, len(w)))
			}
		}
	}
	if n := se.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND object = ?`, signal.ActionSignalDuty, "signal/"+minimal.ID+"/inform_youth_parents/postponed"); n != 1 {
		t.Errorf("%d audit entries for the postponement, want 1", n)
	}

	// An erasure takes the texts; the dates and codes stay, and an erased
	// signal asks nothing more.
	se.tokens["privacy"] = se.token(signal.RolePrivacyOfficer)
	se.eraseByRequest("Sanne Visser", "2011-04-30", signal.ErasureDataSubjectRequest)
	if n := se.count(`SELECT count(*) FROM signal_duties WHERE signal_id = ? AND length(note_ct) > 0`, minimal.ID); n != 0 {
		t.Errorf("%d texts of the erased signal's duties are left", n)
	}
	if n := se.count(`SELECT count(*) FROM signal_duties WHERE signal_id = ?`, minimal.ID); n != 3 {
		t.Errorf("%d records of the erased signal's duties are left, want the 3 (dates and codes)", n)
	}
	if res := post(minimal.ID, url.Values{"duty": {js}, js + ".note": {"Nog een onderbouwing na het wissen."}}); res.status != http.StatusConflict {
		t.Errorf("a record on an erased signal: %d", res.status)
	}
	open[full.ID] = want[full.ID]
	home("after the erasure", open)
}

func containsDuty(ds []signal.Duty, d signal.Duty) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

func without(ds []signal.Duty, d signal.Duty) []signal.Duty {
	var out []signal.Duty
	for _, x := range ds {
		if x != d {
			out = append(out, x)
		}
	}
	return out
}

// dayNL is d as the Dutch pages write a day: "4 december 2026".
func dayNL(d signal.Date) string {
	months := []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	return fmt.Sprintf("%d %s %d", d.Day, months[d.Month-1], d.Year)
}
