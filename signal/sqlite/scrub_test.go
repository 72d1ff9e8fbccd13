package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// TestErasureNeverMakesAWriterWaitForAReader: after an erasure the WAL's old
// page images are dropped with a TRUNCATE checkpoint, which must wait for
// every reader. With a reader holding a read transaction (a long query,
// Litestream's own), that checkpoint used to hold the write lock while it
// waited, so every submission stalled behind the reader (issue 13: about
// 20 s per erasure with Litestream running). Now the erasure and the next
// write go through at once, and the WAL is truncated once the reader is
// done.
func TestErasureNeverMakesAWriterWaitForAReader(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	db := open(t, path)
	u := reporterOf(t, db)
	co, err := db.CooperationOf(ctx, u.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	youths, err := db.WriteSyntheticSignals(ctx, sqlite.SyntheticSignals{OrgID: u.OrgID, ReporterID: u.ID, CooperationID: co.ID,
		Signals: 200, YoungPeople: 40, ObservedOn: func(y, i int) signal.Date { return signal.DateOf(time.Now().AddDate(0, 0, -y-i)) }})
	if err != nil {
		t.Fatal(err)
	}

	// A reader in the middle of a read transaction, as Litestream keeps one.
	rdb, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	rtx, err := rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRow(`SELECT count(*) FROM signals`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("reader: %d signals, %v", n, err)
	}

	p := db.Privacy()
	erase := func(youth string) time.Duration {
		t.Helper()
		var es []signal.Erasure
		rows, err := db.Read().Query(`SELECT id FROM signals WHERE youth = ?`, youth)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			es = append(es, signal.Erasure{SignalID: id, Youth: youth, Reason: signal.ErasureObjection})
		}
		rows.Close()
		start := time.Now()
		emptied, err := p.EraseYouth(ctx, cli, youth, es,
			func(e signal.Erasure) signal.AuditEvent {
				return signal.AuditEvent{Action: signal.ActionSignalErase, Object: "signal/" + e.SignalID, Subject: youth}
			},
			func(y string) signal.AuditEvent {
				return signal.AuditEvent{Action: signal.ActionYouthKeyErase, Object: "youth-key", Subject: y}
			})
		if err != nil || !emptied {
			t.Fatalf("erase %s: emptied %v, %v", youth, emptied, err)
		}
		p.Scrub(ctx)
		return time.Since(start)
	}
	// Two erasures in a row, each with its scrub: the second is the writer
	// that used to wait for the first one's checkpoint.
	for i, youth := range youths[:2] {
		if took := erase(youth); took > time.Second {
			t.Fatalf("erasure %d with its WAL truncation took %v while a reader held a transaction; want no wait for the reader", i+1, took)
		}
	}

	rtx.Rollback()
	deadline := time.Now().Add(5 * time.Second)
	for {
		fi, err := os.Stat(path + "-wal")
		if err == nil && fi.Size() == 0 {
			return // truncated once the reader was done
		}
		if time.Now().After(deadline) {
			t.Fatalf("the WAL is %d bytes 5 s after the reader finished (%v); want it truncated after the erasures", fi.Size(), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
