package web

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
)

// TestAuditForgetsAddressesAfter90Days: logins from 127.0.0.1 put the
// address in the audit log; at 89 days the hourly job keeps it, at 91 it
// forgets it (and records that it did), the chain still verifies, and the
// database file's raw bytes (and its WAL) no longer hold the address.
func TestAuditForgetsAddressesAfter90Days(t *testing.T) {
	var mu sync.Mutex
	clock := time.Now().UTC()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	set := func(t time.Time) { mu.Lock(); defer mu.Unlock(); clock = t }
	dir := t.TempDir()
	e := newEnv(t, func(d *testDeps) {
		d.Options.Now = now
		d.Options.DB = filepath.Join(dir, "signaal.db")
	})
	start := now()
	for _, r := range []signal.Role{signal.RoleReporter, signal.RoleCoordinator} {
		e.token(r)
	}
	e.login(e.users[signal.RoleReporter].Email, "wrong password")
	e.login(e.users[signal.RoleCoordinator].Email, "wrong password")
	ctx := context.Background()
	// The privacy officer's oversight counts failed logins per address:
	// both under 127.0.0.1 (each entry commits to its address with its own
	// salt; the count goes by the address kept).
	per, err := e.app.DB.Privacy().CountPerAddress(ctx, signal.ActionLoginFail, nil, start.Add(-time.Hour), start.Add(time.Hour))
	if err != nil || len(per) != 1 || per[0].IP != "127.0.0.1" || per[0].Count != 2 {
		t.Fatalf("failed logins per address: %+v, %v; want 127.0.0.1 twice", per, err)
	}
	raw := func() []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "signaal.db"))
		if err != nil {
			t.Fatal(err)
		}
		if wal, err := os.ReadFile(filepath.Join(dir, "signaal.db-wal")); err == nil {
			b = append(b, wal...)
		}
		return b
	}
	var ips int
	for r, err := range audit.Entries(ctx, e.app.DB.Read(), audit.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Actor.IP == "127.0.0.1" {
			ips++
		}
	}
	if ips < 3 {
		t.Fatalf("%d entries with the client's address; want the logins' at least", ips)
	}

	if !bytes.Contains(raw(), []byte("127.0.0.1")) {
		t.Fatal("the address is not in the file before forgetting: the byte search proves nothing")
	}

	set(start.Add(89 * 24 * time.Hour))
	if n, err := e.app.ForgetAuditIPs(ctx); err != nil || n != 0 {
		t.Fatalf("at 89 days: forgot %d, %v; want none", n, err)
	}
	set(start.Add(91 * 24 * time.Hour))
	var n int64
	n, err = e.app.ForgetAuditIPs(ctx)
	if err != nil || n < int64(ips) {
		t.Fatalf("at 91 days: forgot %d, %v; want %d", n, err, ips)
	}
	for r, err := range audit.Entries(ctx, e.app.DB.Read(), audit.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Actor.IP != "" {
			t.Errorf("entry %d (%s) still names %s", r.Seq, r.Action, r.Actor.IP)
		}
	}
	if acts := e.auditActions(); !strings.HasPrefix(acts[len(acts)-1], string(signal.ActionAuditIPsForget)+" "+signal.AuditIPJob.UserID+" audit/ips-before/") {
		t.Fatalf("the forgetting is not on record: %q", acts[len(acts)-1])
	}
	if _, err := audit.Verify(ctx, e.app.DB.Read(), audit.VerifyOptions{}); err != nil {
		t.Fatalf("the chain after forgetting: %v", err)
	}
	// The rows are zeroed (secure_delete) in the pages the forgetting
	// wrote; the file gets those pages, and the WAL loses its images from
	// before, once a checkpoint may run: at once, or at the checkpointer's
	// next tick (every 250 ms) while a reader still uses older frames. On a
	// loaded machine that is not always at once, so the file is read again
	// for a while; an address still there after 20 s is a failure.
	deadline := time.Now().Add(20 * time.Second)
	for {
		b := raw()
		i := bytes.Index(b, []byte("127.0.0.1"))
		if i < 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("20 s after forgetting, the database file still holds 127.0.0.1: …%q…", b[max(0, i-80):min(len(b), i+40)])
		}
		time.Sleep(100 * time.Millisecond)
	}
}
