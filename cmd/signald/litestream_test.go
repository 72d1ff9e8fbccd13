package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal/litestreamtest"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// auditHead is the newest audit sequence number of the database at path,
// read as any reader would.
func auditHead(t *testing.T, path string) int64 {
	t.Helper()
	h, err := sqlite.OpenRead(path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var seq sql.NullInt64
	if err := h.QueryRow(`SELECT max(seq) FROM audit_entries`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq.Int64
}

// timedSubmission is one acknowledged report and how long its answer took.
type timedSubmission struct {
	id, facts string
	sent      time.Time
	took      time.Duration
}

// p99 is the 99th percentile of the submissions' latencies (0 without any).
func p99(subs []timedSubmission) time.Duration {
	if len(subs) == 0 {
		return 0
	}
	ds := make([]time.Duration, len(subs))
	for i, s := range subs {
		ds[i] = s.took
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, len(ds)*99/100)]
}

// TestLitestreamReplicaHoldsWhatWasAcknowledged runs the real Litestream
// (v0.3.13) beside the real serve, replicating the database to a file
// replica, while reporters submit signals and a privacy officer erases six
// young people. The promise: writes go on while an erasure runs beside
// Litestream (every submission answered 201, and submissions acknowledged
// after each erasure; the latencies before and around the erasures are
// logged, their ratio is the benchmark's to measure, not asserted here);
// and when the data disk is lost, the replica restores a database that,
// with the separately kept master.key, starts, verifies its audit chain,
// and holds every acknowledged signal readable with its facts, or erased
// with a recorded erasure when its young person was erased, never both
// and never neither.
func TestLitestreamReplicaHoldsWhatWasAcknowledged(t *testing.T) {
	t.Setenv("SIGNAAL_KEYS", "")
	bin := litestreamtest.Binary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	db := filepath.Join(data, "signaal.db")
	s := startServe(t, "--demo", "--db", db, "--retention-every", "0")
	c := newDemoClient(t, s.url)

	ls := litestreamtest.Replicate(t, bin, db, dir)

	// Six young people to erase, five signals each, and their references.
	const erasedYouths, perYouth = 6, 5
	erasedIDs := map[string]bool{}
	var refs []string
	for y := range erasedYouths {
		for i := range perYouth {
			id, status, body := c.submit(fmt.Sprintf("Replica Jongere %d", y), fmt.Sprintf("Wordt gewist %d/%d.", y, i))
			if id == "" {
				t.Fatalf("submit: %d %s", status, body)
			}
			erasedIDs[id] = true
			if i == 0 {
				_, v := c.read(id)
				if v.Youth == nil || v.Youth.Ref == "" {
					t.Fatalf("signal %s: no young person's reference", id)
				}
				refs = append(refs, v.Youth.Ref)
			}
		}
	}

	// Reporters keep submitting about other young people throughout.
	var (
		mu       sync.Mutex
		acked    []timedSubmission
		problems []string
	)
	ctx, stopLoad := context.WithCancel(context.Background())
	var load sync.WaitGroup
	for w := range 4 {
		load.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				facts := fmt.Sprintf("Blijft staan %d/%d.", w, i)
				sent := time.Now()
				id, status, body := c.submit(fmt.Sprintf("Last Jongere %d-%d", w, i%7), facts)
				took := time.Since(sent)
				mu.Lock()
				if id == "" {
					problems = append(problems, fmt.Sprintf("submit: %d %s", status, body))
				} else {
					acked = append(acked, timedSubmission{id, facts, sent, took})
				}
				mu.Unlock()
			}
		})
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	waitFor := func(n int, what string) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for count() < n {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d of %d submissions acknowledged in 2 minutes", what, count(), n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(100, "before the erasures")
	erasing := time.Now()
	for i := range refs {
		status, body := c.eraseByRequest(fmt.Sprintf("Replica Jongere %d", i))
		if status != 200 {
			t.Fatalf("erase young person %d: %d %s", i, status, body)
		}
		// Writes go on after each erasure, with Litestream reading beside
		// it (it holds a read transaction on the database throughout).
		waitFor(count()+20, fmt.Sprintf("after erasure %d", i+1))
	}
	waitFor(count()+100, "after the erasures")
	stopLoad()
	load.Wait()
	if len(problems) > 0 {
		t.Fatalf("%d submissions failed beside Litestream, first: %s", len(problems), problems[0])
	}
	var before, around []timedSubmission
	for _, a := range acked {
		if a.sent.Before(erasing) {
			before = append(before, a)
		} else {
			around = append(around, a)
		}
	}
	t.Logf("beside Litestream: %d submissions before the erasures (p99 %v), %d during and after them (p99 %v), ratio %.2f",
		len(before), p99(before), len(around), p99(around), float64(p99(around))/float64(max(1, p99(before))))

	// The replica catches up (asynchronously: its recovery point is the
	// last sync, about sync-interval behind).
	probe := filepath.Join(dir, "probe", "signaal.db")
	os.MkdirAll(filepath.Dir(probe), 0o700)
	head := auditHead(t, db)
	deadline := time.Now().Add(time.Minute)
	for {
		err := ls.Restore(probe)
		var got int64
		if err == nil {
			got = auditHead(t, probe)
		}
		if got == head {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica holds audit entries up to %d a minute after the load stopped (%v); the database has %d", got, err, head)
		}
		time.Sleep(250 * time.Millisecond)
	}

	// The data disk is lost: serve and Litestream stop, the data
	// directory goes. master.key and the other key files were kept apart
	// (Litestream copies only the database).
	if code, stderr := s.stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr)
	}
	ls.Stop()
	keys := filepath.Join(dir, "kept-keys")
	if err := os.Rename(filepath.Join(data, "keys"), keys); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(data); err != nil {
		t.Fatal(err)
	}

	target := filepath.Join(dir, "restored", "signaal.db")
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := ls.Restore(target); err != nil {
		t.Fatal(err)
	}
	os.Chmod(target, 0o600)
	if err := os.Rename(keys, filepath.Join(filepath.Dir(target), "keys")); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runCmd(t, "", "audit", "verify", "--db", target); code != 0 {
		t.Fatalf("audit verify of the restored replica: %d %s %s", code, out, stderr)
	}

	// The demo accounts log in without a second factor only under --demo
	// (a real set-up asks them one), as the first serve above ran.
	r := startServe(t, "--demo", "--db", target, "--retention-every", "0")
	rc := newDemoClient(t, r.url)
	if status, checks := readyz(t, r.url); status != 200 {
		t.Fatalf("/readyz on the restored replica: %d %v", status, checks)
	}
	for id := range erasedIDs {
		status, v := rc.read(id)
		if status != 200 || !v.Erased || v.Facts != "" {
			t.Fatalf("signal %s of an erased young person after the restore: %d erased=%v; want erased", id, status, v.Erased)
		}
		if countRows(t, target, `SELECT count(*) FROM signal_erasures WHERE signal_id = ?`, id) != 1 {
			t.Fatalf("signal %s reads as erased without a recorded erasure", id)
		}
	}
	for _, a := range acked {
		status, v := rc.read(a.id)
		if status != 200 || v.Erased || v.Facts != a.facts {
			t.Fatalf("acknowledged signal %s after the restore: %d erased=%v facts %q; want %q", a.id, status, v.Erased, v.Facts, a.facts)
		}
	}
	if status, body := rc.call("GET", "/api/v1/signals", "jongerenwerker", nil); status != 200 {
		t.Fatalf("the reporter's list on the restored replica: %d %s", status, body)
	}
	t.Logf("restored from the replica: %d signals readable, %d erased with a record, audit chain verified", len(acked), len(erasedIDs))
}
