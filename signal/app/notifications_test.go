package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/auth"
	"github.com/signaal-nl/signaal/signal/mail/mailtest"
)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// The promise of the notices across time, on the demo cooperation with a
// real SMTP server: the partners of a match are told each other's contact
// once; the owner of an action hears of it once when assigned, once on the
// due day and once when it is overdue, however the clock moves over the
// due date (twice) and across a restart; minutes ready reach the
// coordinator and the action's owner once; the privacy officer hears of
// each open escalation once. No message carries a young person's name,
// the signals' texts or the action's text, and each recipient's in-app
// list shows what was sent to them.
func TestNoticesOnceAcrossTime(t *testing.T) {
	ctx := context.Background()
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	day0 := time.Date(2026, 3, 2, 10, 0, 0, 0, amsterdam)
	clock := &testClock{t: day0}
	srv := mailtest.Start(t)
	db := filepath.Join(t.TempDir(), "signaal.db")
	open := func() *app.App {
		a, err := app.Open(ctx, app.Options{DB: db, Now: clock.Now, SMTP: srv.Config(), PublicURL: "https://signaal.example.nl",
			MailRetry: 20 * time.Millisecond, PasswordParams: auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	defer func() { a.Close() }()
	if err := a.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	actor := func(email string) signal.Actor {
		u, _, err := a.DB.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return signal.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}
	}
	chair, worker, mentor, po := actor("zorgcoordinator@demo.signaal.nl"), actor("jongerenwerker@demo.signaal.nl"),
		actor("mentor@demo.signaal.nl"), actor("privacy@demo.signaal.nl")

	total := signal.NotifyRun{}
	run := func(want signal.NotifyRun, when string) {
		t.Helper()
		got, err := a.Notifications.Run(ctx)
		if err != nil {
			t.Fatalf("%s: run: %v", when, err)
		}
		if got != want {
			t.Fatalf("%s: queued %+v; want %+v", when, got, want)
		}
		total.Assigned += got.Assigned
		total.Due += got.Due
		total.Overdue += got.Overdue
		total.Minutes += got.Minutes
		total.Escalations += got.Escalations
		total.Matches += got.Matches
	}
	// The demo has one young person signalled by two partners. Its
	// escalations (if the policy escalated any) go to the one officer.
	if err := a.Privacy.ScanEscalations(ctx); err != nil {
		t.Fatal(err)
	}
	var openEsc int
	if err := a.DB.Read().QueryRow(`SELECT count(*) FROM escalations WHERE status = 'open'`).Scan(&openEsc); err != nil {
		t.Fatal(err)
	}
	run(signal.NotifyRun{Matches: 2, Escalations: openEsc}, "after seeding")
	run(signal.NotifyRun{}, "again")

	meetings, err := a.Meetings.List(ctx, chair)
	if err != nil || len(meetings) != 1 {
		t.Fatalf("meetings: %v %v", meetings, err)
	}
	mt := meetings[0].ID
	ag, err := a.Meetings.Agenda(ctx, chair, mt, false)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "Huisbezoek plannen, moeder werkt tot vijf uur"
	due := signal.Today(day0.Add(48 * time.Hour))
	if _, err := a.Meetings.AddAction(ctx, chair, mt, ag.Items[0].Ref, signal.NewAction{OwnerID: worker.UserID, Description: secret, Due: due.String()}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Meetings.Hold(ctx, chair, mt); err != nil {
		t.Fatal(err)
	}
	// The minutes go to those who may read them: the coordinator and the
	// member partners' contact persons (the mentor, the youth worker).
	run(signal.NotifyRun{Assigned: 1, Minutes: 3}, "after the meeting")
	for _, who := range []signal.Actor{chair, worker, mentor} {
		if _, err := a.Meetings.Minutes(ctx, who, mt); err != nil {
			t.Errorf("%s was told the minutes are ready but cannot read them: %v", who.UserID, err)
		}
	}
	day := func(n int) time.Time { return day0.Add(time.Duration(n) * 24 * time.Hour) }
	for pass := range 2 { // the clock moves over the due date, back, and over it again
		for n, want := range []signal.NotifyRun{{}, {Due: 1}, {Overdue: 1}, {}} {
			if pass == 1 {
				want = signal.NotifyRun{}
			}
			clock.Set(day(n + 1))
			run(want, "pass "+string(rune('1'+pass))+", day "+signal.Today(clock.Now()).String())
		}
	}
	srv.Wait(t, 2+openEsc+3+3) // matches, escalations, assigned+due+overdue, minutes
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = open() // a restart: nothing is queued or sent again
	for n := 3; n <= 6; n++ {
		clock.Set(day(n))
		run(signal.NotifyRun{}, "after the restart, day "+signal.Today(clock.Now()).String())
	}
	want := 2 + openEsc + 3 + 3
	msgs := srv.Quiet(t, want, 500*time.Millisecond)
	if len(msgs) != want {
		t.Fatalf("%d messages; want %d", len(msgs), want)
	}
	byTo := map[string][]string{}
	for _, m := range msgs {
		byTo[m.To[0]] = append(byTo[m.To[0]], m.Subject)
		for _, s := range append(app.DemoTexts(), secret, "Sanne", "Daan", "Noor") {
			if strings.Contains(string(m.Raw), s) || strings.Contains(m.Body, s) || strings.Contains(m.Subject, s) {
				t.Errorf("message to %s carries %q:\n%s", m.To[0], s, m.Body)
			}
		}
	}
	count := func(to, subject string) int {
		n := 0
		for _, s := range byTo[to] {
			if strings.HasPrefix(s, subject) {
				n++
			}
		}
		return n
	}
	w := "jongerenwerker@demo.signaal.nl"
	for _, c := range []struct {
		to, subject string
		n           int
	}{
		{w, "Nieuwe actie voor u", 1}, {w, "Actie verloopt vandaag", 1}, {w, "Actie is te laat", 1}, {w, "Verslag klaar", 1}, {w, "Samenloop", 1},
		{"mentor@demo.signaal.nl", "Samenloop", 1}, {"mentor@demo.signaal.nl", "Verslag klaar", 1}, {"zorgcoordinator@demo.signaal.nl", "Verslag klaar", 1},
		{"privacy@demo.signaal.nl", "Escalatie", openEsc},
	} {
		if got := count(c.to, c.subject); got != c.n {
			t.Errorf("%s received %d %q; want %d (all: %v)", c.to, got, c.subject, c.n, byTo[c.to])
		}
	}
	// A match names the other partner's contact person, nothing else.
	for _, m := range msgs {
		if m.To[0] == "mentor@demo.signaal.nl" && strings.HasPrefix(m.Subject, "Samenloop") && !strings.Contains(m.Body, "Contactpersoon: Jamal (jongerenwerker)") {
			t.Errorf("the mentor's match message does not name the youth worker's contact:\n%s", m.Body)
		}
	}
	// In-app: the same, per person.
	for _, c := range []struct {
		who  signal.Actor
		want []signal.MailKind
	}{
		{worker, []signal.MailKind{signal.MailActionOverdue, signal.MailActionDue, signal.MailActionAssigned, signal.MailMinutesReady, signal.MailMatch}},
		{mentor, []signal.MailKind{signal.MailMinutesReady, signal.MailMatch}},
		{chair, []signal.MailKind{signal.MailMinutesReady}},
	} {
		list, err := a.Notifications.List(ctx, c.who)
		if err != nil {
			t.Fatal(err)
		}
		got := map[signal.MailKind]int{}
		for _, n := range list {
			got[n.Kind]++
			if !n.Sent || !strings.HasPrefix(n.Link, "/") {
				t.Errorf("in-app notice %+v: want sent, with a link", n)
			}
		}
		for _, k := range c.want {
			if got[k] != 1 {
				t.Errorf("%s's list has %d %s; want 1 (%+v)", c.who.UserID, got[k], k, list)
			}
		}
		if len(list) != len(c.want) {
			t.Errorf("%s's list has %d notices; want %d", c.who.UserID, len(list), len(c.want))
		}
	}
	if list, err := a.Notifications.List(ctx, po); err != nil || len(list) != openEsc {
		t.Errorf("the officer's list: %d (%v); want %d", len(list), err, openEsc)
	}
}

// An action corrected to another owner is told to the new owner once, as
// the first owner was told; a correction of its text alone tells no one
// again, and neither does a restart.
func TestReassignedActionIsToldToTheNewOwnerOnce(t *testing.T) {
	a := openDemo(t)
	ctx := context.Background()
	chair, worker, mentor := a.actor("zorgcoordinator@demo.signaal.nl"), a.actor("jongerenwerker@demo.signaal.nl"), a.actor("mentor@demo.signaal.nl")
	list, err := a.Meetings.List(ctx, chair)
	a.must(err)
	ag, err := a.Meetings.Agenda(ctx, chair, list[0].ID, false)
	a.must(err)
	due := signal.Today(a.clock.Now().Add(10 * 24 * time.Hour)).String()
	act, err := a.Meetings.AddAction(ctx, chair, list[0].ID, ag.Items[0].Ref, signal.NewAction{OwnerID: worker.UserID, Description: "Huisbezoek plannen", Due: due})
	a.must(err)
	assigned := func(when string, want int) {
		t.Helper()
		got, err := a.Notifications.Run(ctx)
		a.must(err)
		if got.Assigned != want {
			t.Fatalf("%s: %d assigned notices queued; want %d", when, got.Assigned, want)
		}
	}
	assigned("after the action", 1)
	_, err = a.Meetings.CorrectAction(ctx, chair, act.ID, signal.ActionCorrection{OwnerID: mentor.UserID, Description: "Huisbezoek plannen", Due: due})
	a.must(err)
	assigned("after the owner changed", 1)
	_, err = a.Meetings.CorrectAction(ctx, chair, act.ID, signal.ActionCorrection{OwnerID: mentor.UserID, Description: "Huisbezoek plannen met moeder", Due: due})
	a.must(err)
	assigned("after the text changed", 0)
	a.restart()
	assigned("after a restart", 0)
	rows, err := a.DB.Read().Query(`SELECT recipient FROM outbox WHERE kind = ? ORDER BY id`, string(signal.MailActionAssigned))
	a.must(err)
	defer rows.Close()
	var to []string
	for rows.Next() {
		var r string
		a.must(rows.Scan(&r))
		to = append(to, r)
	}
	if len(to) != 2 || to[0] != "jongerenwerker@demo.signaal.nl" || to[1] != "mentor@demo.signaal.nl" {
		t.Errorf("assigned notices went to %v; want the youth worker, then the mentor", to)
	}
}
