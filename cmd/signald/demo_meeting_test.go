package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/policy"
	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/auth"
	"github.com/signaal-nl/signaal/signal/keystore"
	"github.com/signaal-nl/signaal/signal/sqlite"
	"github.com/signaal-nl/signaal/signal/textcheck"
)

// The demo's meeting shows a newcomer a filled agenda: a match, and signals
// at each level the meeting can see; seeding twice adds nothing.
func TestDemoMeetingSeedsAFilledAgendaOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "signaal.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, err := keystore.Open(ctx, filepath.Join(dir, "keys"), keystore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	engine, err := policy.Load(ctx, rego.FS)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(sqlite.DemoPassword, auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := newAccounts(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := seedDemo(ctx, accounts, hash); err != nil {
		t.Fatal(err)
	}
	disclosure := signal.NewDisclosure(keys, db, textcheck.Default())
	signals := signal.NewSignals(engine, keys, db.Signals(), disclosure, signal.SignalsOptions{})
	meetings := signal.NewMeetings(disclosure, keys, db.MeetingStores(), signal.MeetingsOptions{TextChecker: textcheck.Default()})
	for range 2 {
		if err := seedDemoMeeting(ctx, db, signals, meetings, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var nSignals, nMeetings int
	db.Read().QueryRow(`SELECT count(*) FROM signals`).Scan(&nSignals)
	db.Read().QueryRow(`SELECT count(*) FROM meetings`).Scan(&nMeetings)
	if nSignals != len(demoSignals) || nMeetings != 1 {
		t.Fatalf("after seeding twice: %d signals, %d meetings; want %d, 1", nSignals, nMeetings, len(demoSignals))
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
}
