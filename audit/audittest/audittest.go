// Package audittest holds what the tests of the audit log and of the stores
// that append to it share: a sample entry, a check of the hash chain that
// does not trust Verify, and a counting query. Only tests import it.
package audittest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
)

// Subject is the pseudonym of the young person every sample entry is about.
const Subject = "yp:Q2hhbmdlIG1lIHRvIGEgcmVhbCBITUFD"

// Entry is sample entry i: a sharing decision about Subject, with every
// field filled, at a time i nanoseconds after a fixed moment. Tests pin
// stored values and hashes to it: change nothing in it.
func Entry(i int) audit.Entry {
	return audit.Entry{
		Time:    time.Date(2026, 11, 22, 9, 0, 0, i, time.UTC),
		Actor:   signal.Actor{UserID: "u-17", Role: "reporter", OrgID: "org-school-3", RequestID: "req-1", IP: "192.0.2.7"},
		Action:  signal.ActionShareDecide,
		Object:  fmt.Sprintf("signal/%d", i),
		Subject: Subject,
		Decision: &audit.Decision{
			Outcome: "ask_consent", Level: "anonymous", Rule: "R8",
			Fields: []string{"facts"}, Obligations: []string{"record_justification"},
			Reasons: []string{"parents_not_asked"}, PolicyVersion: "sha256:0123abcd",
			Purpose: "coordinate_support", Recipient: "signal_meeting",
			Input: json.RawMessage(`{"purpose": "coordinate_support", "youth": {"age": 15, "capable": true}, "fields": ["facts"]}`),
		},
	}
}

// MigratedDB creates a database file in t.TempDir(), opens it with open (a
// write engine's opener), migrates the audit log into it and returns its
// path and the handle, which is closed when the test ends.
func MigratedDB(t testing.TB, open func(path string) (*sql.DB, error)) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "signaal.db")
	db, err := open(path)
	db = Closing(t, db, err)
	if err := audit.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return path, db
}

// Closing fails the test on err, the error of what opened c; otherwise it
// closes c when the test ends, and returns it.
func Closing[C io.Closer](t testing.TB, c C, err error) C {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Appender is what a write engine hands a unit of work to append through
// (audit.Appender, signal/sqlite's Tx).
type Appender interface {
	Append(ctx context.Context, e audit.Entry) (int64, error)
}

// AppendOne appends e in a unit of work of its own, run by do (a write
// engine's Do), and returns its sequence number.
func AppendOne[Tx Appender](t testing.TB, do func(context.Context, func(context.Context, Tx) error) error, e audit.Entry) int64 {
	t.Helper()
	var seq int64
	err := do(context.Background(), func(ctx context.Context, tx Tx) error {
		var err error
		seq, err = tx.Append(ctx, e)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// ChainOK recomputes the chain of every entry of the log in db with
// audit.EntryHash, independently of audit.Verify, checks the sequence
// numbers run from 1 without gaps, and returns the number of entries.
func ChainOK(t testing.TB, db *sql.DB) int64 {
	t.Helper()
	var prev [32]byte
	var n int64
	for rec, err := range audit.Entries(context.Background(), db, audit.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if rec.Seq != n {
			t.Fatalf("entry %d stored with seq %d", n, rec.Seq)
		}
		want, err := audit.EntryHash(prev, rec)
		if err != nil {
			t.Fatal(err)
		}
		if want != rec.Hash {
			t.Fatalf("entry %d: stored hash %x, recomputed %x", n, rec.Hash, want)
		}
		prev = want
	}
	return n
}

// Count runs query, which selects one number, on db.
func Count(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
