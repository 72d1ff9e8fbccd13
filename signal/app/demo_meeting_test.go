package app_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/auth"
)

// The demo's meeting shows a newcomer a filled agenda: a match, and signals
// at each level the meeting can see; seeding twice adds nothing.
func TestDemoMeetingSeedsAFilledAgendaOnce(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Options{DB: filepath.Join(t.TempDir(), "signaal.db"),
		PasswordParams: auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for range 2 {
		if err := a.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
	}
	db, meetings := a.DB, a.Meetings
	var nSignals, nMeetings int
	db.Read().QueryRow(`SELECT count(*) FROM signals`).Scan(&nSignals)
	db.Read().QueryRow(`SELECT count(*) FROM meetings`).Scan(&nMeetings)
	if nSignals != len(app.DemoSignals) || nMeetings != 1 {
		t.Fatalf("after seeding twice: %d signals, %d meetings; want %d, 1", nSignals, nMeetings, len(app.DemoSignals))
	}
	u, _, err := db.UserByEmail(ctx, "zorgcoordinator@demo.signaal.nl")
	if err != nil {
		t.Fatal(err)
	}
	chair := signal.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}
	list, err := meetings.List(ctx, chair)
	if err != nil {
		t.Fatal(err)
	}
	ag, err := meetings.Agenda(ctx, chair, list[0].ID, false)
	if err != nil {
		t.Fatal(err)
	}
	levels := map[signal.Level]bool{}
	for _, it := range ag.Items {
		for _, s := range it.Signals {
			levels[s.Level] = true
		}
	}
	if len(ag.Items) != 3 || !ag.Items[0].Match || len(levels) != 4 {
		t.Errorf("demo agenda: %d items (first a match: %v), levels %v; want 3 with a match first, 4 levels", len(ag.Items), len(ag.Items) > 0 && ag.Items[0].Match, levels)
	}

	// The demo's agreement is recorded once, and the demo reporter's form
	// offers what it says: every purpose, the meeting a party, the police
	// (no partner of the demo) not.
	var agreements int
	db.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionAgreementSet).Scan(&agreements)
	r, _, err := db.UserByEmail(ctx, "mentor@demo.signaal.nl")
	if err != nil {
		t.Fatal(err)
	}
	offer, err := a.Signals.Offer(ctx, signal.Actor{UserID: r.ID, OrgID: r.OrgID, Role: r.Role})
	if err != nil || agreements != 1 || !offer.Recorded || len(offer.Purposes) != len(signal.Purposes) ||
		!offer.Recipient[signal.RecipientSignalMeeting] || offer.Recipient[signal.RecipientPolice] {
		t.Errorf("the demo reporter's offer: %+v, %v, %d agreements recorded; want the demo agreement's, recorded once", offer, err, agreements)
	}
}
