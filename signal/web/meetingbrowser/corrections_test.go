package meetingbrowser_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

// TestChairCorrectsARecordAndReopensACase (issue 16 item 4) at laptop size,
// in Dutch: the chair follows "Corrigeren" beside an action on Sanne's
// page, finds the form filled with the current version, is told clearly
// what is missing when the text is emptied (nothing stored), then saves a
// corrected text with a reason. The history shows both versions, the first
// unchanged; Sanne's page marks the action "gewijzigd". After the meeting
// closed her case, her chronology offers to reopen it: not without a reason
// and the confirmation; with them the case runs again, the closing stays
// in the chronology, and the next agenda lists her as running. Every page
// passes axe.
func TestChairCorrectsARecordAndReopensACase(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	ctx := context.Background()
	a := s.app
	chair := actorOf(t, s, "zeynep@gemeente.example")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ref := itemOf(t, s, chair, "Sanne de Vries")
	const first, fixed = "Huisbezoek plannen met de ouders", "Huisbezoek plannen met moeder en de mentor"
	act, err := a.Meetings.AddAction(ctx, chair, s.meeting, ref, signal.NewAction{OwnerID: jamalID(t, s), Description: first,
		Due: signal.Today(time.Now().Add(14 * 24 * time.Hour)).String()})
	must(err)

	p := browsertest.NewPage(t, browsertest.Laptop)
	login(t, p, s.url, "zeynep@gemeente.example", browsertest.Name("Nieuw overleg plannen"))
	item := s.url + "/overleg/" + s.meeting + "/jongere/" + ref
	p.Goto(item, browsertest.CSS("a.record-link"))
	p.ClickAndWait(browsertest.CSS("a.record-link"), browsertest.Name("Correctie opslaan"))
	if got := p.Value(browsertest.CSS("#f-text")); got != first {
		t.Fatalf("the correction form starts from %q; want the current text %q", got, first)
	}
	p.AssertAccessible()

	// Emptied: the error names the field, nothing is stored.
	p.ExpectConsoleError("status of 400")
	p.Fill(browsertest.CSS("#f-text"), "")
	p.ClickAndWait(browsertest.Name("Correctie opslaan"), browsertest.CSS(".error-summary"))
	if got := p.Text(browsertest.CSS(".error-summary")); !strings.Contains(got, "Beschrijf wat is afgesproken") {
		t.Errorf("the error summary for an empty text:\n%s", got)
	}
	p.AssertAccessible()
	if h, err := a.Meetings.RecordHistory(ctx, chair, signal.RecordAction, act.ID); err != nil || len(h.Versions) != 1 {
		t.Fatalf("after the refused correction: %d versions (%v); want 1", len(h.Versions), err)
	}

	p.Fill(browsertest.CSS("#f-text"), fixed)
	p.Select(browsertest.CSS("#f-reason"), string(signal.CorrectionMistake))
	p.ClickAndWait(browsertest.Name("Correctie opslaan"), browsertest.CSS("ol.versions li.current"))
	p.AssertAccessible()
	p.Screenshot("history")
	got := p.Text(browsertest.CSS("main"))
	for _, want := range []string{"2 versies", "Versie 1", first, "Versie 2", "Geldt nu", fixed, "Reden: Het was verkeerd vastgelegd", "Geschreven door"} {
		if !strings.Contains(got, want) {
			t.Errorf("the history lacks %q:\n%s", want, got)
		}
	}
	if i, j := strings.Index(got, first), strings.Index(got, fixed); i < 0 || j < i {
		t.Errorf("the versions are not oldest first:\n%s", got)
	}
	p.Goto(item, browsertest.CSS("a.record-link"))
	if got := p.Text(browsertest.CSS("ul.actions-list")); !strings.Contains(got, fixed) || !strings.Contains(got, "gewijzigd") || strings.Contains(got, first) {
		t.Errorf("Sanne's page after the correction:\n%s", got)
	}

	// A risk's text, corrected on the agenda: the earlier text stays
	// under "Eerdere teksten".
	r, err := a.Meetings.AddRisk(ctx, chair, s.meeting, "Wachtlijst jeugdhulp van twaalf weken", "")
	must(err)
	p.Goto(s.url+"/overleg/"+s.meeting+"#risico-"+r.ID, browsertest.CSS("#risico-"+r.ID+" details.correct-risk summary"))
	p.Click(browsertest.CSS("#risico-" + r.ID + " details.correct-risk summary"))
	p.Fill(browsertest.CSS("#f-risktext-"+r.ID), "")
	p.ClickAndWait(browsertest.CSS("#risico-"+r.ID+" form.risk-text button"), browsertest.CSS(".error-summary"))
	p.AssertAccessible()
	p.Fill(browsertest.CSS("#f-risktext-"+r.ID), "Wachtlijst jeugdhulp van zestien weken")
	p.Select(browsertest.CSS("#f-riskreason-"+r.ID), string(signal.CorrectionMistake))
	p.ClickAndWait(browsertest.CSS("#risico-"+r.ID+" form.risk-text button"), browsertest.CSS("#risico-"+r.ID+" details.versions"))
	p.Click(browsertest.CSS("#risico-" + r.ID + " details.versions summary"))
	p.AssertAccessible()
	if got := p.Text(browsertest.CSS("#risico-" + r.ID)); !strings.Contains(got, "zestien weken") || !strings.Contains(got, "gewijzigd") ||
		!strings.Contains(got, "Eerdere teksten (1)") || !strings.Contains(got, "twaalf weken") || !strings.Contains(got, "Reden: Het was verkeerd vastgelegd") {
		t.Errorf("the corrected risk on the agenda:\n%s", got)
	}

	// The case closed in this meeting, the meeting held; then reopened
	// from the chronology.
	must(a.Meetings.CloseCase(ctx, chair, s.meeting, ref, signal.CloseResolved))
	_, err = a.Meetings.Hold(ctx, chair, s.meeting)
	must(err)
	chron := item + "/verloop"
	p.Goto(chron, browsertest.Name("Zaak heropenen"))
	p.AssertAccessible()
	p.ClickAndWait(browsertest.CSS("form.reopen button"), browsertest.CSS(".error-summary"))
	if got := p.Text(browsertest.CSS(".error-summary")); !strings.Contains(got, "Kies waarom u de zaak heropent") || !strings.Contains(got, "Vink aan dat u de zaak heropent") {
		t.Errorf("the reopening without a reason and confirmation:\n%s", got)
	}
	p.AssertAccessible()
	p.Select(browsertest.CSS("#f-reason"), string(signal.CaseReopenNewConcern))
	p.ClickAndWait(browsertest.CSS("form.reopen button"), browsertest.CSS(".error-summary"))
	if cs, err := a.Meetings.Chronology(ctx, chair, ref); err != nil || cs.Case == nil || cs.Case.Status != signal.CaseClosed {
		t.Fatalf("reopened without the confirmation: %+v %v", cs.Case, err)
	}
	p.Select(browsertest.CSS("#f-reason"), string(signal.CaseReopenNewConcern))
	p.Click(browsertest.CSS("#f-reopen_confirm"))
	p.ClickAndWait(browsertest.CSS("form.reopen button"), browsertest.CSS("ol.timeline"))
	p.AssertAccessible()
	p.Screenshot("chronology-reopened")
	got = p.Text(browsertest.CSS("main"))
	for _, want := range []string{"Eerder afgesloten", "Heropend op", "Reden: Er zijn nieuwe zorgen.", "Loopt nog", fixed} {
		if !strings.Contains(got, want) {
			t.Errorf("the chronology after reopening lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Zaak heropenen") {
		t.Errorf("the running case still offers to be reopened:\n%s", got)
	}
	next, err := a.Meetings.Plan(ctx, chair, signal.NewMeeting{Title: "Signaleringsoverleg januari", StartsAt: time.Now().Add(72 * time.Hour).Format(time.RFC3339)})
	must(err)
	ag, err := a.Meetings.Agenda(ctx, chair, next.ID, false)
	must(err)
	running := false
	for _, it := range ag.FollowUp {
		running = running || it.Ref == ref && it.Case != nil && it.Case.Status == signal.CaseOpen
	}
	if !running {
		t.Error("the reopened case is not on the next agenda as running")
	}
}
