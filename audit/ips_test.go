package audit_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/audit/audittest"
	"github.com/signaal-nl/signaal/signal"
)

// TestForgetIPsKeepsTheChain: a log written by the program before audit
// migration 5 (the address inside the hashed columns) is upgraded; entries
// from then on commit to their address and keep it apart; ForgetIPs
// forgets the addresses of entries older than the cut-off; and the whole
// log still verifies, against a checkpoint signed before the forgetting
// too. In the file's raw bytes a forgotten address is gone, a recent one
// is there, and an address written before the upgrade is still there: it
// is part of its entry's hash.
func TestForgetIPsKeepsTheChain(t *testing.T) {
	ctx := context.Background()
	signer, verifier := testSigner(t)
	l := newTestLog(t, audit.ChainOptions{})
	if _, err := l.db.Exec("PRAGMA secure_delete = ON"); err != nil { // as signal/sqlite's writer runs
		t.Fatal(err)
	}

	// The log as the program before migration 5 left it: schema 4, three
	// entries whose origin_ip column is the address itself.
	const legacyIP, oldIP, newIP = "192.0.2.7", "198.51.100.23", "203.0.113.99"
	shell(t, l.path, `DROP TABLE audit_origins; DELETE FROM audit_migrations WHERE version = 5;`)
	var prev [32]byte
	for i := 1; i <= 3; i++ {
		r, err := audit.ToRow(int64(i), audittest.Entry(i)) // the old encoding: no commitment
		if err != nil {
			t.Fatal(err)
		}
		prev = audit.ChainHash(&prev, audit.AppendEncoding(nil, &r))
		args := []any{r.Seq()}
		for c := range audit.Columns {
			if v := r.Col(c); v == nil {
				args = append(args, nil)
			} else {
				args = append(args, string(v))
			}
		}
		if _, err := l.db.Exec(`INSERT INTO audit_entries (seq, time, actor_user, actor_role, actor_org, action, object, subject,
			decision, origin_request, origin_ip, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, prev[:])...); err != nil {
			t.Fatal(err)
		}
	}
	if v := audittest.Count(t, l.db, "SELECT max(version) FROM audit_migrations"); v != 4 {
		t.Fatalf("the simulated old log is at schema version %d, want 4", v)
	}
	// An operator verifies a copy of the old database, read-only, with
	// this program: no migration needed.
	if res, err := audit.Verify(ctx, readHandle(t, l.path), audit.VerifyOptions{}); err != nil || res.Hashed != 3 {
		t.Fatalf("verify the old log without migrating it: %+v, %v", res, err)
	}

	// The upgrade, and entries after it: two from long ago, one recent.
	if err := audit.Migrate(ctx, l.db); err != nil {
		t.Fatal(err)
	}
	w, err := newTestWriter(l.db, audit.ChainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	entry := func(at time.Time, ip string) audit.Entry {
		return audit.Entry{Time: at, Actor: signal.Actor{UserID: "u-17", Role: "reporter", OrgID: "org-school-3", RequestID: "req-2", IP: ip},
			Action: signal.ActionSignalRead, Object: "signal/s-1", Subject: audittest.Subject}
	}
	for _, e := range []audit.Entry{entry(now.AddDate(0, 0, -100), oldIP), entry(now.AddDate(0, 0, -91), oldIP), entry(now.AddDate(0, 0, -3), newIP), entry(now, "")} {
		if err := w.Do(ctx, func(ctx context.Context, a *audit.Appender) error { _, err := a.Append(ctx, e); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := w.Checkpoint(ctx, signer); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := l.db.QueryRow("SELECT origin_ip FROM audit_entries WHERE seq = 4").Scan(&stored); err != nil || !strings.HasPrefix(stored, audit.IPCommitPrefix) || strings.Contains(stored, oldIP) {
		t.Fatalf("origin_ip of an entry after the upgrade = %q, %v; want a commitment", stored, err)
	}

	// Forget what is older than 90 days.
	var n int64
	if err := w.Do(ctx, func(ctx context.Context, a *audit.Appender) error {
		var err error
		n, err = a.ForgetIPs(ctx, now.Add(-90*24*time.Hour))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("forgot %d addresses, want 2", n)
	}

	res, err := audit.Verify(ctx, readHandle(t, l.path), audit.VerifyOptions{Verifier: verifier})
	if err != nil {
		t.Fatalf("the log after forgetting does not verify: %v", err)
	}
	if res.Size != 7 || res.Hashed != 7 || res.Anchors < 1 {
		t.Fatalf("verify: %+v; want 7 entries hashed and the checkpoint matched", res)
	}
	chainOK(t, l.db)

	want := map[int64]string{1: legacyIP, 2: legacyIP, 3: legacyIP, 4: "", 5: "", 6: newIP, 7: ""}
	for r, err := range audit.Entries(ctx, readHandle(t, l.path), audit.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Actor.IP != want[r.Seq] {
			t.Errorf("entry %d: IP %q, want %q", r.Seq, r.Actor.IP, want[r.Seq])
		}
	}

	// An address altered where it is kept no longer matches its entry.
	shell(t, l.path, "DROP TRIGGER audit_origins_no_update; UPDATE audit_origins SET ip = '203.0.113.100' WHERE seq = 6")
	if _, err := audit.Verify(ctx, readHandle(t, l.path), audit.VerifyOptions{}); err == nil || !strings.Contains(err.Error(), "entry 6: the client address kept for it does not match") {
		t.Fatalf("an altered kept address: %v", err)
	}
	shell(t, l.path, "UPDATE audit_origins SET ip = '"+newIP+"' WHERE seq = 6")

	// The raw bytes of the file, after SQLite moved the WAL into it.
	if _, err := l.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(l.path)
	if err != nil {
		t.Fatal(err)
	}
	if wal, err := os.ReadFile(l.path + "-wal"); err == nil {
		raw = append(raw, wal...)
	}
	if bytes.Contains(raw, []byte(oldIP)) {
		t.Errorf("the forgotten address %s is still in the database file", oldIP)
	}
	if !bytes.Contains(raw, []byte(newIP)) {
		t.Errorf("the recent address %s is not in the file: the byte search proves nothing", newIP)
	}
	if !bytes.Contains(raw, []byte(legacyIP)) {
		t.Errorf("the address of an entry from before the upgrade is gone: did its hash change?")
	}
}
