package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/audit/audittest"
)

// testLog is a migrated database file with a running writer.
type testLog struct {
	path string
	db   *sql.DB // the write handle
	w    *Writer
}

func newTestLog(t testing.TB, opts WriterOptions) *testLog {
	t.Helper()
	path, db := audittest.MigratedDB(t, OpenWrite)
	w, err := NewWriter(db, opts)
	return &testLog{path: path, db: db, w: audittest.Closing(t, w, err)}
}

func readHandle(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := OpenRead(path)
	return audittest.Closing(t, db, err)
}

func TestNewWriterRefusesUnmigratedDatabase(t *testing.T) {
	db, err := OpenWrite(filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := NewWriter(db, WriterOptions{}); err == nil || !strings.Contains(err.Error(), "audit.Migrate") {
		t.Fatalf("NewWriter on an unmigrated database: got %v, want an error saying to run audit.Migrate", err)
	}
}

// TestFailingUnitDoesNotSinkItsBatch holds the writer in one unit while the
// others queue up, so they all run in one batch, one of them failing.
func TestFailingUnitDoesNotSinkItsBatch(t *testing.T) {
	l := newTestLog(t, WriterOptions{})
	ctx := context.Background()
	if _, err := l.db.ExecContext(ctx, "CREATE TABLE notes (id INTEGER PRIMARY KEY, unit INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	holding := make(chan struct{})
	blockerDone := make(chan error, 1)
	go func() {
		blockerDone <- l.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
			close(holding)
			<-release
			_, err := tx.Append(ctx, audittest.Entry(0))
			return err
		})
	}()
	<-holding
	batchesBefore := l.w.Stats().Batches

	const units, failing = 10, 4
	errs := make([]error, units)
	var wg sync.WaitGroup
	for i := range units {
		wg.Go(func() {
			errs[i] = l.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO notes (unit) VALUES (?)", i); err != nil {
					return err
				}
				if _, err := tx.Append(ctx, audittest.Entry(i)); err != nil {
					return err
				}
				if i == failing {
					return errors.New("unit 4 changed its mind")
				}
				return nil
			})
		})
	}
	for len(l.w.queue) < units {
		runtime.Gosched()
	}
	close(release)
	if err := <-blockerDone; err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	for i, err := range errs {
		if i == failing {
			if err == nil || err.Error() != "unit 4 changed its mind" {
				t.Errorf("failing unit: got %v, want its own error", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("unit %d: %v", i, err)
		}
	}
	if got := l.w.Stats().Batches - batchesBefore; got != 1 {
		t.Errorf("the %d queued units ran in %d batches, want 1", units, got)
	}
	if n := audittest.Count(t, l.db, "SELECT count(*) FROM notes"); n != units-1 {
		t.Errorf("notes has %d rows, want %d", n, units-1)
	}
	if n := audittest.Count(t, l.db, "SELECT count(*) FROM notes WHERE unit = ?", failing); n != 0 {
		t.Errorf("the failing unit's row was stored")
	}
	if n := audittest.ChainOK(t, l.db); n != units {
		t.Errorf("log has %d entries, want %d (blocker + %d successful units)", n, units, units-1)
	}
}

// TestFailingCommitFailsEveryUnitOfTheBatch makes the COMMIT itself fail
// with a deferred foreign key that is only checked at commit time.
func TestFailingCommitFailsEveryUnitOfTheBatch(t *testing.T) {
	l := newTestLog(t, WriterOptions{})
	ctx := context.Background()
	if _, err := l.db.ExecContext(ctx, `
		CREATE TABLE orgs (id INTEGER PRIMARY KEY);
		CREATE TABLE members (id INTEGER PRIMARY KEY, org INTEGER REFERENCES orgs (id) DEFERRABLE INITIALLY DEFERRED)`); err != nil {
		t.Fatal(err)
	}
	audittest.AppendOne(t, l.w.Do, audittest.Entry(1))

	release := make(chan struct{})
	holding := make(chan struct{})
	errs := make([]error, 3)
	var wg sync.WaitGroup
	wg.Go(func() {
		errs[0] = l.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
			close(holding)
			<-release
			_, err := tx.Append(ctx, audittest.Entry(2))
			return err
		})
	})
	<-holding
	wg.Go(func() {
		errs[1] = l.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
			// Accepted by the savepoint, refused by the COMMIT.
			if _, err := tx.ExecContext(ctx, "INSERT INTO members (org) VALUES (42)"); err != nil {
				return err
			}
			_, err := tx.Append(ctx, audittest.Entry(3))
			return err
		})
	})
	wg.Go(func() {
		errs[2] = l.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
			_, err := tx.Append(ctx, audittest.Entry(4))
			return err
		})
	})
	for len(l.w.queue) < 2 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	// The blocker ran alone in its batch and committed; the other two shared
	// the batch whose COMMIT failed.
	if errs[0] != nil {
		t.Fatalf("unit in the earlier batch: %v", errs[0])
	}
	for i, err := range errs[1:] {
		if err == nil || !strings.Contains(err.Error(), "commit audit batch") || !strings.Contains(err.Error(), "FOREIGN KEY") {
			t.Errorf("unit %d of the failed batch: got %v, want the commit's foreign key error", i+1, err)
		}
	}
	if n := audittest.ChainOK(t, l.db); n != 2 {
		t.Fatalf("log has %d entries, want 2 (nothing of the failed batch)", n)
	}
	// The writer goes on after a failed commit, and the chain continues
	// from the file, not from the lost batch.
	if seq := audittest.AppendOne(t, l.w.Do, audittest.Entry(5)); seq != 3 {
		t.Fatalf("entry after a failed batch got seq %d, want 3", seq)
	}
	audittest.ChainOK(t, l.db)
}

func TestDoSkipsCancelledUnitAndSurvivesPanics(t *testing.T) {
	l := newTestLog(t, WriterOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := l.w.Do(ctx, func(context.Context, *Tx) error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("cancelled unit: err %v, ran %v; want context.Canceled and not run", err, ran)
	}
	err := l.w.Do(context.Background(), func(ctx context.Context, tx *Tx) error {
		if _, err := tx.Append(ctx, audittest.Entry(1)); err != nil {
			return err
		}
		panic("bug in a handler")
	})
	if err == nil || !strings.Contains(err.Error(), "bug in a handler") {
		t.Fatalf("panicking unit: got %v, want its panic as an error", err)
	}
	if seq := audittest.AppendOne(t, l.w.Do, audittest.Entry(2)); seq != 1 {
		t.Fatalf("after the panicking unit the next entry got seq %d, want 1 (its entry rolled back)", seq)
	}
}

func TestTxIsInvalidAfterItsUnit(t *testing.T) {
	l := newTestLog(t, WriterOptions{})
	var kept *Tx
	if err := l.w.Do(context.Background(), func(_ context.Context, tx *Tx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := kept.Append(context.Background(), audittest.Entry(1)); !errors.Is(err, errTxDone) {
		t.Fatalf("Append on a kept Tx: got %v, want errTxDone", err)
	}
}

func TestCloseRunsQueuedUnitsThenRefuses(t *testing.T) {
	l := newTestLog(t, WriterOptions{})
	ctx := context.Background()
	release := make(chan struct{})
	holding := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, 5)
	wg.Go(func() {
		errs[0] = l.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
			close(holding)
			<-release
			_, err := tx.Append(ctx, audittest.Entry(0))
			return err
		})
	})
	<-holding
	for i := 1; i < len(errs); i++ {
		wg.Go(func() {
			errs[i] = l.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
				_, err := tx.Append(ctx, audittest.Entry(i))
				return err
			})
		})
	}
	for len(l.w.queue) < len(errs)-1 {
		runtime.Gosched()
	}
	closed := make(chan error)
	go func() { closed <- l.w.Close() }()
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("unit %d queued before Close: %v", i, err)
		}
	}
	if err := l.w.Do(ctx, func(context.Context, *Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Do after Close: got %v, want ErrClosed", err)
	}
	if n := audittest.ChainOK(t, l.db); n != int64(len(errs)) {
		t.Fatalf("log has %d entries, want %d", n, len(errs))
	}
}

func TestConcurrentAppendsKeepTheChain(t *testing.T) {
	const goroutines, each = 64, 200
	l := newTestLog(t, WriterOptions{})
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				err := l.w.Do(context.Background(), func(ctx context.Context, tx *Tx) error {
					_, err := tx.Append(ctx, audittest.Entry(g*each+i))
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := audittest.ChainOK(t, l.db); n != goroutines*each {
		t.Fatalf("log has %d entries, want %d", n, goroutines*each)
	}
	res, err := audit.Verify(context.Background(), readHandle(t, l.path), audit.VerifyOptions{})
	if err != nil || res.Size != goroutines*each {
		t.Fatalf("verify after concurrent appends: %+v, %v", res, err)
	}
	if s := l.w.Stats(); s.Batches >= s.Units {
		t.Errorf("%d units in %d batches: concurrent units were not batched", s.Units, s.Batches)
	}
}

// TestSyncAnswersOnlyDurableBatches runs a writer whose commits do not
// wait for the disk (as the service's: synchronous=NORMAL and Sync): no
// caller may be answered before a Sync that began after its entry was
// committed, however many callers overlap.
func TestSyncAnswersOnlyDurableBatches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signaal.db")
	db := openWriteHandle(strings.Replace(WriteDSN(path), "_synchronous=FULL", "_synchronous=NORMAL", 1), writePragmas)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := audit.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	read := readHandle(t, path)
	// durable is the log's size as committed when the last finished Sync
	// began: what that Sync made durable.
	var durable, syncs atomic.Int64
	syncWAL := func() error {
		size, err := audit.Size(ctx, read)
		if err != nil {
			return err
		}
		time.Sleep(time.Millisecond) // a slow disk, so that batches overlap it
		if err := SyncWAL(path)(); err != nil {
			return err
		}
		syncs.Add(1)
		for {
			d := durable.Load()
			if size <= d || durable.CompareAndSwap(d, size) {
				return nil
			}
		}
	}
	w, err := NewWriter(db, WriterOptions{Sync: syncWAL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	const callers, each = 32, 20
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := range each {
				var seq int64
				err := w.Do(ctx, func(ctx context.Context, tx *Tx) error {
					var err error
					seq, err = tx.Append(ctx, audittest.Entry(c*each+i))
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if d := durable.Load(); d < seq {
					t.Errorf("entry %d answered when only %d were durable", seq, d)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := audittest.ChainOK(t, db); n != callers*each {
		t.Fatalf("log has %d entries, want %d", n, callers*each)
	}
	st := w.Stats()
	if st.Syncs == 0 || st.Syncs != syncs.Load() || st.Batches < st.Syncs {
		t.Fatalf("stats %+v, %d syncs done", st, syncs.Load())
	}
	t.Logf("%d entries in %d batches, %d syncs", callers*each, st.Batches, st.Syncs)
}

// TestFailedSyncStopsTheWriter: after a failed fsync nobody can say what
// the disk holds, so the batch's callers and every later one get the error.
func TestFailedSyncStopsTheWriter(t *testing.T) {
	_, db := audittest.MigratedDB(t, OpenWrite)
	ctx := context.Background()
	diskGone := errors.New("input/output error")
	var fail atomic.Bool
	w, err := NewWriter(db, WriterOptions{Sync: func() error {
		if fail.Load() {
			return diskGone
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	appendOne := func() error {
		return w.Do(ctx, func(ctx context.Context, tx *Tx) error { _, err := tx.Append(ctx, audittest.Entry(1)); return err })
	}
	if err := appendOne(); err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	if err := appendOne(); !errors.Is(err, diskGone) {
		t.Fatalf("got %v, want the sync's error", err)
	}
	fail.Store(false) // the disk answers again: the writer stays stopped
	for range 2 {
		if err := appendOne(); !errors.Is(err, diskGone) {
			t.Fatalf("after the failed sync: got %v, want the sync's error", err)
		}
	}
}

// TestSyncWALNeedsTheWAL: a missing WAL is an error, never a sync of
// nothing.
func TestSyncWALNeedsTheWAL(t *testing.T) {
	if err := SyncWAL(filepath.Join(t.TempDir(), "none.db"))(); err == nil {
		t.Fatal("SyncWAL of a database without a WAL succeeded")
	}
}

// auditIndexAfter is the audit log's indexAfter: once that many entries
// wait, the next batch brings the bulk index up to date.
const auditIndexAfter = 4096

// auditIndexMark is how far the audit log's bulk index reaches.
func auditIndexMark(t *testing.T, db *sql.DB) int {
	t.Helper()
	return audittest.Count(t, db, "SELECT through FROM audit_index_mark")
}

// TestWriterRunsTheAuditIndexStepInABatch: the batch that follows
// auditIndexAfter waiting entries brings the audit log's bulk index up to
// date inside its own transaction; when that step fails, the batch still
// commits and its entries are found by the scan after the mark.
func TestWriterRunsTheAuditIndexStepInABatch(t *testing.T) {
	for _, failing := range []bool{false, true} {
		t.Run(fmt.Sprintf("index step fails: %v", failing), func(t *testing.T) {
			l := newTestLog(t, WriterOptions{})
			audittest.AppendOne(t, l.w.Do, audittest.Entry(0)) // the first batch indexes
			if failing {
				if _, err := l.db.Exec(`CREATE TRIGGER refuse_index BEFORE INSERT ON audit_index
					BEGIN SELECT RAISE(ABORT, 'index refused for the test'); END`); err != nil {
					t.Fatal(err)
				}
			}
			before := auditIndexMark(t, l.db)
			entries := make([]audit.Entry, auditIndexAfter)
			for i := range entries {
				entries[i] = audittest.Entry(i + 1)
			}
			err := l.w.Do(context.Background(), func(ctx context.Context, tx *Tx) error {
				_, err := tx.AppendAll(ctx, entries...)
				return err
			})
			if err != nil {
				t.Fatalf("the batch failed with its index step: %v", err)
			}
			want := auditIndexAfter + 1
			if failing {
				want = before
			}
			if got := auditIndexMark(t, l.db); got != want {
				t.Fatalf("index mark at %d, want %d", got, want)
			}
			found := 0
			for _, err := range audit.Entries(context.Background(), l.db, audit.Filter{Subject: audittest.Subject}) {
				if err != nil {
					t.Fatal(err)
				}
				found++
			}
			if found != auditIndexAfter+1 {
				t.Fatalf("search by young person found %d entries, want %d", found, auditIndexAfter+1)
			}
			audittest.ChainOK(t, l.db)
		})
	}
}
