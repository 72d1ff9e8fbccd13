package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

// TestBrowserNotices: a mentor who was given an action in a meeting finds
// it under "Meldingen" on a phone, in Dutch and in English, with where to
// look and without the young person's name or the action's text; the page
// passes axe; someone with no notices is told so.
func TestBrowserNotices(t *testing.T) {
	if testing.Short() {
		t.Skip("a real browser; skipped with -short")
	}
	se := newSignalsEnv(t)
	ctx := context.Background()
	today := signal.Today(time.Now())
	se.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today.String(), signal.OutcomeShareFull), signal.OutcomeShareFull)
	se.mustSubmit("youthwork", youthBody("Sanne de Vries", "2011-04-30", today.String(), signal.OutcomeShareFull), signal.OutcomeShareFull)
	cu := se.users[signal.RoleCoordinator]
	chair := signal.Actor{UserID: cu.ID, OrgID: cu.OrgID, Role: cu.Role}
	mt, err := se.app.Meetings.Plan(ctx, chair, signal.NewMeeting{Title: "Overleg maart", StartsAt: time.Now().Add(time.Hour).Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	ag, err := se.app.Meetings.Agenda(ctx, chair, mt.ID, false)
	if err != nil || len(ag.Items) == 0 {
		t.Fatalf("agenda: %v %v", ag.Items, err)
	}
	const secret = "Gesprek met moeder over het verzuim"
	if _, err := se.app.Meetings.AddAction(ctx, chair, mt.ID, ag.Items[0].Ref, signal.NewAction{OwnerID: se.ids["school"], Description: secret,
		Due: signal.Today(time.Now().Add(7 * 24 * time.Hour)).String()}); err != nil {
		t.Fatal(err)
	}
	if _, err := se.app.Meetings.Hold(ctx, chair, mt.ID); err != nil {
		t.Fatal(err)
	}
	run, err := se.app.Notifications.Run(ctx)
	if err != nil || run.Assigned != 1 || run.Minutes != 1 || run.Matches != 2 {
		t.Fatalf("notices run: %+v %v; want 1 assigned, minutes to the coordinator, the match to both contacts", run, err)
	}

	p := browserLogin(t, se.url, se.users[signal.RoleReporter].Email, browsertest.Phone)
	// From the start page, the menu leads there.
	if l := p.ClickAndWait(browsertest.Name("Meldingen"), browsertest.CSS("main h1")); l.Status != 200 || !strings.HasSuffix(l.URL, "/meldingen") {
		t.Fatalf("the menu's Meldingen: %s", l)
	}
	page := p.Text(browsertest.CSS("main"))
	for _, want := range []string{"Meldingen", "Nieuwe actie voor u", "Actie bekijken"} {
		if !strings.Contains(page, want) {
			t.Errorf("Meldingen lacks %q:\n%s", want, page)
		}
	}
	for _, never := range []string{"Sanne", "Vries", secret, factsText} {
		if strings.Contains(page, never) {
			t.Errorf("Meldingen shows %q", never)
		}
	}
	p.AssertAccessible()
	p.Screenshot("meldingen-nl")
	// The link goes to the mentor's own actions, with the action.
	if l := p.ClickAndWait(browsertest.Name("Actie bekijken"), browsertest.CSS("main h1")); l.Status != 200 || !strings.HasSuffix(l.URL, "/signalen/terugkoppeling") ||
		!strings.Contains(p.Text(browsertest.CSS("main")), secret) {
		t.Fatalf("the notice's link: %s", l)
	}
	p.Goto(se.url+"/meldingen", browsertest.CSS("main h1"))
	p.ClickAndWait(browsertest.Name("English"), browsertest.CSS("main h1"))
	page = p.Text(browsertest.CSS("main"))
	for _, want := range []string{"Notices", "New action for you", "See the action"} {
		if !strings.Contains(page, want) {
			t.Errorf("Notices (English) lacks %q:\n%s", want, page)
		}
	}
	p.AssertAccessible()
	p.Screenshot("meldingen-en")

	q := browserLogin(t, se.url, "elsewhere@example.nl", browsertest.Phone)
	q.Goto(se.url+"/meldingen", browsertest.CSS("main h1"))
	if page := q.Text(browsertest.CSS("main")); !strings.Contains(page, "U heeft nog geen meldingen.") {
		t.Fatalf("no notices: %s", page)
	}
	q.AssertAccessible()
}
