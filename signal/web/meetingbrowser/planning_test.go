package meetingbrowser_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

// TestChairMovesRecordsAttendanceClosesAndCancels (issue 16 items 1 and 4)
// from the agenda page at laptop size: the chair moves the meeting to
// another day (the agenda keeps its items), records which partners are
// present and which sent apologies, closes the meeting with the
// confirmation, and reads minutes that give the held date, each partner's
// attendance and the young people numbered as on the agenda. A second
// meeting is cancelled: not without ticking the confirmation, then with
// it. Every page passes axe.
func TestChairMovesRecordsAttendanceClosesAndCancels(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	ctx := context.Background()
	p := browsertest.NewPage(t, browsertest.Laptop)
	login(t, p, s.url, "zeynep@gemeente.example", browsertest.Name("Nieuw overleg plannen"))
	agenda := s.url + "/overleg/" + s.meeting
	p.Goto(agenda, browsertest.Name("Verplaatsen"))
	before := p.Text(browsertest.CSS("main"))
	day := time.Now().Add(9 * 24 * time.Hour).In(amsterdam(t))
	set := func(css, value string) {
		t.Helper()
		if _, err := chromedp.Run(p.Context(), chromedp.SetValue(chromedp.CSS(css), value)); err != nil {
			t.Fatal(err)
		}
	}
	set("form.move #f-date", day.Format("2006-01-02"))
	set("form.move #f-time", "09:30")
	p.ClickAndWait(browsertest.Name("Verplaatsen"), browsertest.Name("Overleg afsluiten"))
	after := p.Text(browsertest.CSS("main"))
	if want := dutchDay(day) + ", 09:30"; !strings.Contains(after, want) {
		t.Errorf("the moved meeting does not start %s:\n%s", want, after)
	}
	if strings.Count(after, "Sanne de Vries") != strings.Count(before, "Sanne de Vries") || !strings.Contains(after, "Daan Jansen") {
		t.Errorf("moving changed the agenda:\n%s", after)
	}
	mt, err := s.app.DB.Meetings().Meeting(ctx, s.meeting)
	if err != nil {
		t.Fatal(err)
	}
	members := map[string]string{}
	for _, org := range mt.Members {
		o, err := s.app.DB.Organisation(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		members[o.Name] = org
	}
	p.Select(browsertest.CSS("#f-att-"+members["Demo College"]), "present")
	p.Select(browsertest.CSS("#f-att-"+members["Jongerenwerk"]), "apologies")
	p.Select(browsertest.CSS("#f-att-"+members["Gemeente"]), "present")
	p.ClickAndWait(browsertest.Name("Aanwezigheid opslaan"), browsertest.Name("Overleg afsluiten"))
	// A risk, then who follows it up.
	p.Fill(browsertest.CSS("#f-risk"), "Wachtlijst jeugdhulp van twaalf weken")
	p.ClickAndWait(browsertest.CSS("form[action$='/knelpunten'] button"), browsertest.CSS("form.risk"))
	p.Select(browsertest.CSS("form.risk select[name=owner_id]"), jamalID(t, s))
	p.ClickAndWait(browsertest.CSS("form.risk button"), browsertest.CSS("form.risk"))
	if got := p.Text(browsertest.CSS("#knelpunten ~ ul.list")); !strings.Contains(got, "Wachtlijst jeugdhulp") || !strings.Contains(got, "Wie pakt het op: jamal") ||
		!strings.Contains(got, "Loopt") {
		t.Errorf("the risk with its owner:\n%s", got)
	}
	p.AssertAccessible()
	p.Screenshot("agenda-planning")
	if got := p.Text(browsertest.CSS("#leden + ul")); strings.Count(got, "Aanwezig") != 2 || !strings.Contains(got, "Afgemeld") {
		t.Errorf("the members after recording attendance:\n%s", got)
	}
	numbers := map[string]string{}
	for _, name := range []string{"Sanne de Vries", "Daan Jansen"} {
		h := browsertest.Eval[string](p, `[...document.querySelectorAll("section.item h3")].map(h => h.textContent).find(t => t.includes(`+"`"+name+"`"+`)) || ""`)
		numbers[name], _, _ = strings.Cut(strings.TrimSpace(h), ".")
	}
	// Record one thing for each, so both are in the minutes.
	chairActor := signal.Actor{UserID: mt.CreatedBy, Role: signal.RoleCoordinator}
	if u, _, err := s.app.DB.UserByEmail(ctx, "zeynep@gemeente.example"); err == nil {
		chairActor.OrgID = u.OrgID
	}
	ag, err := s.app.Meetings.Agenda(ctx, chairActor, s.meeting, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range ag.Items {
		if it.Youth != nil {
			if _, err := s.app.Meetings.Decide(ctx, chairActor, s.meeting, it.Ref, signal.NewDecision{Kind: signal.DecisionNoAction, Text: "Eerst toestemming vragen"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	p.Goto(agenda, browsertest.Name("Overleg afsluiten"))
	p.Click(browsertest.CSS("#f-confirm"))
	p.ClickAndWait(browsertest.Name("Overleg afsluiten"), browsertest.CSS("h1"))
	p.AssertAccessible()
	p.Screenshot("minutes")
	minutes := p.Text(browsertest.CSS("main"))
	for _, want := range []string{"Gehouden op " + dutchDay(time.Now().In(amsterdam(t))) + ", ", "Demo College (Contact Demo College): Aanwezig",
		"Jongerenwerk (Contact Jongerenwerk): Afgemeld", numbers["Sanne de Vries"] + ". Sanne de Vries"} {
		if !strings.Contains(minutes, want) {
			t.Errorf("the minutes lack %q:\n%s", want, minutes)
		}
	}
	if numbers["Sanne de Vries"] == "" || numbers["Daan Jansen"] == "" {
		t.Errorf("agenda numbers not found: %v", numbers)
	}

	// Reopened from the minutes: not without a reason and the confirmation.
	p.ExpectConsoleError("status of 400")
	p.ClickAndWait(browsertest.CSS("form.reopen button"), browsertest.CSS(".error-summary"))
	p.AssertAccessible()
	if got, _ := s.app.DB.Meetings().Meeting(ctx, s.meeting); got.Status != signal.MeetingHeld {
		t.Fatalf("reopened without a reason: %s", got.Status)
	}
	p.Select(browsertest.CSS("#f-reason"), "forgotten")
	p.Click(browsertest.CSS("#f-reopen_confirm"))
	p.ClickAndWait(browsertest.CSS("form.reopen button"), browsertest.Name("Overleg afsluiten"))
	p.Click(browsertest.CSS("#f-confirm"))
	p.ClickAndWait(browsertest.Name("Overleg afsluiten"), browsertest.CSS("h1"))
	p.AssertAccessible()
	p.Screenshot("minutes-reopened")
	if got := p.Text(browsertest.CSS("main")); !strings.Contains(got, "Heropend op") || !strings.Contains(got, ". Reden: Iets is niet vastgelegd. Eerder afgesloten op ") ||
		!strings.Contains(got, "Jongerenwerk (Contact Jongerenwerk): Afgemeld") {
		t.Errorf("the minutes after reopening:\n%s", got)
	}

	// A second meeting, cancelled from its page.
	m2, err := s.app.Meetings.Plan(ctx, chairActor, signal.NewMeeting{Title: "Extra overleg", StartsAt: time.Now().Add(72 * time.Hour).Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	p.Goto(s.url+"/overleg/"+m2.ID, browsertest.Name("Overleg afgelasten"))
	p.ExpectConsoleError("status of 400")
	p.ClickAndWait(browsertest.Name("Overleg afgelasten"), browsertest.CSS(".error-summary"))
	p.AssertAccessible()
	if got, err := s.app.DB.Meetings().Meeting(ctx, m2.ID); err != nil || got.Status != signal.MeetingPlanned {
		t.Fatalf("cancelled without the confirmation: %+v %v", got, err)
	}
	p.Click(browsertest.CSS("#f-cancel_confirm"))
	p.ClickAndWait(browsertest.Name("Overleg afgelasten"), browsertest.Name("Nieuw overleg plannen"))
	if got, err := s.app.DB.Meetings().Meeting(ctx, m2.ID); err != nil || got.Status != signal.MeetingCancelled {
		t.Errorf("after cancelling: %+v %v", got, err)
	}
	if got := p.Text(browsertest.CSS("main")); !strings.Contains(got, "afgelast") {
		t.Errorf("the meetings list does not say the meeting is cancelled:\n%s", got)
	}
}

func jamalID(t *testing.T, s *site) string {
	t.Helper()
	u, _, err := s.app.DB.UserByEmail(context.Background(), "jamal@jongerenwerk.example")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// dutchDay writes a day as a Dutch reader reads it: "4 december 2026".
func dutchDay(d time.Time) string {
	months := []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	return fmt.Sprintf("%d %s %d", d.Day(), months[d.Month()-1], d.Year())
}

func amsterdam(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestChairJudgesAPossibleMatchOnThePage (issue 16 item 3): a signal about
// "Sane de Vries", born the same day as Sanne de Vries, is proposed as
// possibly the same young person on the agenda page; the chair confirms it
// there, the question does not come back and both are one item.
func TestChairJudgesAPossibleMatchOnThePage(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	ctx := context.Background()
	u, _, err := s.app.DB.UserByEmail(ctx, "jamal@jongerenwerk.example")
	if err != nil {
		t.Fatal(err)
	}
	var ans signal.Answers
	if err := json.Unmarshal([]byte(full), &ans); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Signals.Submit(ctx, signal.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}, signal.NewSignal{
		Youth: signal.NewYouth{Name: "Sane de Vries", BirthDate: "2011-04-30"}, Category: signal.CategoryWellbeing,
		Facts: "Komt niet meer naar het jongerenwerk.", ObservedOn: signal.Today(time.Now()).String(), Answers: ans,
		Versions: signal.Versions{Minimal: &signal.TextVersion{Facts: "Komt niet meer."}, Anonymous: &signal.TextVersion{Facts: "Komt niet meer."}}}, ""); err != nil {
		t.Fatal(err)
	}
	p := browsertest.NewPage(t, browsertest.Laptop)
	login(t, p, s.url, "zeynep@gemeente.example", browsertest.Name("Nieuw overleg plannen"))
	p.Goto(s.url+"/overleg/"+s.meeting, browsertest.CSS("#koppelen"))
	p.AssertAccessible()
	p.Screenshot("proposal")
	if got := p.Text(browsertest.CSS("ul.proposals")); !strings.Contains(got, "bijna dezelfde naam, zelfde geboortedatum") {
		t.Errorf("the proposal:\n%s", got)
	}
	p.ClickAndWait(browsertest.CSS("ul.proposals form:first-of-type button"), browsertest.Name("Overleg afsluiten"))
	if n := browsertest.Eval[int](p, `document.querySelectorAll("#koppelen").length`); n != 0 {
		t.Error("the decided proposal is asked again")
	}
	h := browsertest.Eval[string](p, `[...document.querySelectorAll("section.item")].map(s => s.textContent).find(t => t.includes("Sanne de Vries") || t.includes("Sane de Vries")) || ""`)
	if !strings.Contains(h, "Komt niet meer naar het jongerenwerk.") || !strings.Contains(h, "Negen dagen afwezig.") {
		t.Errorf("the confirmed pair is not one item:\n%s", h)
	}
}
