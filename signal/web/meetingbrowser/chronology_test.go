package meetingbrowser_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

// TestCoordinatorReadsAYoungPersonsChronology (issue 16, item 2): after one
// meeting held (a lead, an action, a decision) and a new signal on the next
// meeting's agenda, the chair opens Sanne on the next agenda and follows
// the link to her history: both meetings in order with the held date, the
// signals that were new in each as the meeting may see them (the youth
// worker's existence-level signal says only that there is a concern), the
// lead, the action with its owner and the decisions. Nothing of another
// young person. The page passes axe.
func TestCoordinatorReadsAYoungPersonsChronology(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	ctx := context.Background()
	a := s.app
	chair, school, jamal := actorOf(t, s, "zeynep@gemeente.example"), actorOf(t, s, "mentor@college.example"), actorOf(t, s, "jamal@jongerenwerk.example")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ref := itemOf(t, s, chair, "Sanne de Vries")
	_, err := a.Meetings.AssignLead(ctx, chair, s.meeting, ref, jamal.UserID)
	must(err)
	_, err = a.Meetings.AddAction(ctx, chair, s.meeting, ref, signal.NewAction{OwnerID: jamal.UserID,
		Description: "Huisbezoek plannen met de ouders", Due: signal.Today(time.Now().Add(14 * 24 * time.Hour)).String()})
	must(err)
	_, err = a.Meetings.Decide(ctx, chair, s.meeting, ref, signal.NewDecision{Kind: signal.DecisionAct, Text: "Samen optrekken met de school"})
	must(err)
	_, err = a.Meetings.Hold(ctx, chair, s.meeting)
	must(err)

	var ans signal.Answers
	must(json.Unmarshal([]byte(full), &ans))
	_, err = a.Signals.Submit(ctx, school, signal.NewSignal{Youth: signal.NewYouth{Name: "Sanne de Vries", BirthDate: "2011-04-30"},
		Category: signal.CategorySchoolAbsence, Facts: "Weer afwezig op maandag.", ObservedOn: signal.Today(time.Now()).String(), Answers: ans,
		Versions: signal.Versions{Minimal: &signal.TextVersion{Facts: "Weer afwezig op maandag."}, Anonymous: &signal.TextVersion{Facts: "Weer afwezig op maandag."}}}, "")
	must(err)
	m2, err := a.Meetings.Plan(ctx, chair, signal.NewMeeting{Title: "Signaleringsoverleg januari", StartsAt: time.Now().Add(48 * time.Hour).Format(time.RFC3339)})
	must(err)

	p := browsertest.NewPage(t, browsertest.Laptop)
	login(t, p, s.url, "zeynep@gemeente.example", browsertest.Name("Nieuw overleg plannen"))
	p.Goto(s.url+"/overleg/"+m2.ID+"/jongere/"+ref, browsertest.Name("Verloop over alle overleggen"))
	p.ClickAndWait(browsertest.Name("Verloop over alle overleggen"), browsertest.CSS("ol.timeline"))
	p.AssertAccessible()
	p.Screenshot("chronology")
	got := p.Text(browsertest.CSS("main"))
	for _, shown := range []string{"Verloop: Sanne de Vries", "Signaleringsoverleg december – gehouden op", "Signaleringsoverleg januari – gepland op",
		"Negen dagen afwezig.", "Weer afwezig op maandag.", "Huisbezoek plannen met de ouders", "Samen optrekken met de school", "jamal (Jongerenwerk)"} {
		if !strings.Contains(got, shown) {
			t.Errorf("the chronology lacks %q:\n%s", shown, got)
		}
	}
	for _, hidden := range []string{"Gezien bij de skatebaan.", "Daan Jansen", "Durft thuis", "Noor Visser", "foto's"} {
		if strings.Contains(got, hidden) {
			t.Errorf("the chronology shows %q:\n%s", hidden, got)
		}
	}
	if i, j := strings.Index(got, "Negen dagen afwezig."), strings.Index(got, "Weer afwezig op maandag."); i < 0 || j < i {
		t.Errorf("the signals are not under their meetings in order:\n%s", got)
	}
}

// actorOf is the account with e-mail address email as an actor.
func actorOf(t *testing.T, s *site, email string) signal.Actor {
	t.Helper()
	u, _, err := s.app.DB.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return signal.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}
}

// itemOf is the ref of the young person named name on the site's meeting.
func itemOf(t *testing.T, s *site, chair signal.Actor, name string) string {
	t.Helper()
	ag, err := s.app.Meetings.Agenda(context.Background(), chair, s.meeting, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range ag.Items {
		if it.Youth != nil && it.Youth.Name == name {
			return it.Ref
		}
	}
	t.Fatalf("%s is not on the agenda", name)
	return ""
}
