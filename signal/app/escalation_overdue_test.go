package app_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/auth"
)

// radicalisationAnswers escalate to the privacy officer (the policy asks
// their judgement on a radicalisation concern without consent).
const radicalisationAnswers = `{"purpose": "radicalisation_concern",
	"consent": {"youth": "not_asked", "parents": "not_applicable", "recorded": false},
	"risk": {"acute_danger": false, "harm": "possible", "asking_endangers": false},
	"abuse": {"suspected": false}, "legal_duty": false}`

// TestEscalationTurnsOverdueAsTheClockMoves: an escalation is overdue when
// the privacy officer has not decided it three days after the policy
// escalated, whether it is open or in progress; the start page counts it,
// across a restart; once done it is overdue no more. The clock moves, the
// log keeps the time the policy decided.
func TestEscalationTurnsOverdueAsTheClockMoves(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{t: time.Now()}
	later := func(d time.Duration) { clock.Set(clock.Now().Add(d)) }
	db := filepath.Join(t.TempDir(), "signaal.db")
	open := func() *app.App {
		a, err := app.Open(ctx, app.Options{DB: db, Now: clock.Now,
			PasswordParams: auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
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
	mentor, officer := actor("mentor@demo.signaal.nl"), actor("privacy@demo.signaal.nl")
	var ours string // the escalated signal's object
	// state returns our escalation, the dashboard, and how many of the
	// cooperation's escalations (the demo's too) are overdue by the list.
	state := func(stage string) (signal.Escalation, signal.Dashboard, int) {
		t.Helper()
		d, err := a.Privacy.Dashboard(ctx, officer, signal.OversightWindow{Days: 7, Threshold: 50})
		if err != nil {
			t.Fatalf("%s: dashboard: %v", stage, err)
		}
		list, err := a.Privacy.Escalations(ctx, officer, "")
		if err != nil {
			t.Fatalf("%s: escalations: %v", stage, err)
		}
		overdue := 0
		var e *signal.Escalation
		for i := range list {
			if list[i].Overdue {
				overdue++
			}
			if list[i].Object == ours {
				e = &list[i]
			}
		}
		if e == nil {
			t.Fatalf("%s: no escalation of %s in %+v", stage, ours, list)
		}
		return *e, d, overdue
	}
	var ans signal.Answers
	if err := json.Unmarshal([]byte(radicalisationAnswers), &ans); err != nil {
		t.Fatal(err)
	}
	res, err := a.Signals.Submit(ctx, mentor, signal.NewSignal{Youth: signal.NewYouth{Name: "Rami Haddad", BirthDate: "2009-02-02"},
		Category: signal.CategoryRadicalisation, Facts: "Deelt filmpjes in de klassenapp.", ObservedOn: signal.Today(clock.Now()).String(),
		Answers: ans}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision.Outcome != signal.OutcomeEscalate {
		t.Fatalf("the radicalisation concern was decided %s, want escalate", res.Decision.Outcome)
	}
	ours = "signal/" + res.ID
	// From the moment the policy escalated, as the log has it.
	e0, _, _ := state("escalated")
	clock.Set(e0.DecidedAt)

	for _, step := range []struct {
		stage   string
		move    time.Duration
		status  signal.EscalationStatus
		age     int
		overdue bool
	}{
		{"new", 0, signal.EscalationOpen, 0, false},
		{"two days later", 48 * time.Hour, signal.EscalationOpen, 2, false},
		{"just under three days", 23*time.Hour + 59*time.Minute, signal.EscalationOpen, 2, false},
		{"past three days", 2 * time.Minute, signal.EscalationOpen, 3, true},
		{"in progress, still undecided", time.Hour, signal.EscalationInProgress, 3, true},
		{"after a restart", 24 * time.Hour, signal.EscalationInProgress, 4, true},
		{"done with a decision", time.Hour, signal.EscalationDone, 4, false},
	} {
		later(step.move)
		if step.stage == "after a restart" {
			a.Close()
			a = open()
		}
		e, _, _ := state(step.stage)
		if e.Status != step.status {
			change := signal.EscalationChange{Status: step.status}
			if step.status == signal.EscalationDone {
				d := signal.EscalationAgreed
				change.Decision = &d
			}
			if _, err := a.Privacy.UpdateEscalation(ctx, officer, e.Seq, change); err != nil {
				t.Fatalf("%s: %v", step.stage, err)
			}
		}
		e, d, overdue := state(step.stage)
		if e.AgeDays != step.age || e.Overdue != step.overdue {
			t.Errorf("%s: age %d days, overdue %v; want %d, %v", step.stage, e.AgeDays, e.Overdue, step.age, step.overdue)
		}
		if d.Overdue != overdue || (step.overdue && d.Overdue == 0) {
			t.Errorf("%s: the start page counts %d overdue, the list %d (ours overdue: %v)", step.stage, d.Overdue, overdue, e.Overdue)
		}
	}
}
