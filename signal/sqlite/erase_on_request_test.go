package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// eraseOnRequest erases what cooperation coop holds about young person
// youth the one way there is: a registered request (stored as the console
// registers it), its plan, and the erasure of exactly that plan, by the
// operator at the shell (signald youth erase --request --confirm).
func eraseOnRequest(t testing.TB, db *sqlite.DB, vault signal.Vault, now time.Time, coop, youth string) signal.ErasureAnswer {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return now }
	ps := db.Privacy()
	privacy := signal.NewPrivacy(signal.PrivacyDeps{Store: ps, Log: ps, Recorder: ps, Requests: ps, Directory: db,
		Retention: signal.NewRetention(ps, vault, signal.RetentionOptions{Now: clock}), Now: clock})
	r := signal.AccessRequest{ID: signal.NewID("req"), Cooperation: coop, Subject: youth, Requester: signal.Requesters[0],
		ReceivedOn: signal.Today(now), Deadline: signal.Today(now.AddDate(0, 1, 0)), Status: signal.RequestOpen,
		RegisteredBy: "usr_po", RegisteredAt: now}
	if err := ps.CreateRequest(ctx, cli, r, []signal.AuditEvent{{Action: signal.ActionAccessRequestRegister, Object: "access-request/" + r.ID, Subject: youth}}); err != nil {
		t.Fatalf("register the request: %v", err)
	}
	plan, err := privacy.ErasurePlan(ctx, cli, r.ID)
	if err != nil {
		t.Fatalf("erasure plan: %v", err)
	}
	a, err := privacy.EraseOnRequest(ctx, cli, r.ID, signal.ErasureObjection, plan.Fingerprint)
	if err != nil {
		t.Fatalf("erase on request: %v", err)
	}
	return a
}
