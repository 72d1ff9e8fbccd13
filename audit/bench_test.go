package audit

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The benchmarks measure each target against a baseline in the same run,
// and report the ratio (see the issue):
//
//	go test -run '^$' -bench Append -benchtime 2000x ./audit  # (a); (b) then does 64 x 2000
//	SIGNAAL_AUDIT_BENCH_ENTRIES=1000000 go test -run '^$' -bench Verify -benchtime 3x ./audit  # (c)
//
// Add SIGNAAL_AUDIT_BENCH_DIR=DIR to (c) to keep the built log for the
// next run.

// baselineTable has the audit entry's columns and nothing else: no chain,
// no triggers, no indexes.
const baselineTable = `CREATE TABLE plain (
	seq INTEGER PRIMARY KEY, time TEXT NOT NULL, actor_user TEXT NOT NULL, actor_role TEXT NOT NULL,
	actor_org TEXT NOT NULL, action TEXT NOT NULL, object TEXT NOT NULL, subject TEXT NOT NULL,
	decision TEXT, origin_request TEXT NOT NULL, origin_ip TEXT NOT NULL, hash BLOB NOT NULL) STRICT`

// baseline is plain single-row durable inserts: one row per transaction,
// synchronous=FULL, WAL, in a database file of its own.
type baseline struct {
	db   *sql.DB
	stmt *sql.Stmt
	args []any
}

func newBaseline(b *testing.B) *baseline {
	b.Helper()
	db, err := OpenWrite(filepath.Join(b.TempDir(), "plain.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(baselineTable); err != nil {
		b.Fatal(err)
	}
	stmt, err := db.Prepare("INSERT INTO plain (time, actor_user, actor_role, actor_org, action, object, subject, decision, origin_request, origin_ip, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		b.Fatal(err)
	}
	r, err := toRow(1, testEntry(1))
	if err != nil {
		b.Fatal(err)
	}
	args := make([]any, 0, 11)
	for _, c := range r.cols {
		args = append(args, string(c))
	}
	args = append(args, make([]byte, 32))
	return &baseline{db: db, stmt: stmt, args: args}
}

// insert stores one row in a transaction of its own.
func (p *baseline) insert(b *testing.B) {
	tx, err := p.db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Stmt(p.stmt).Exec(p.args...); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAppendOneCaller is (a): one caller, one durable append per Do,
// against plain single-row durable inserts. Target: ratio >= 0.8. The two
// alternate in small rounds so machine noise hits both alike.
func BenchmarkAppendOneCaller(b *testing.B) {
	l := newTestLog(b, WriterOptions{})
	p := newBaseline(b)
	e := testEntry(1)
	ctx := context.Background()
	var appendTime, plainTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		p.insert(b)
		t1 := time.Now()
		if err := l.w.Do(ctx, func(ctx context.Context, tx *Tx) error { _, err := tx.Append(ctx, e); return err }); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		plainTime += t1.Sub(t0)
		appendTime += t2.Sub(t1)
	}
	b.StopTimer()
	appends := float64(b.N) / appendTime.Seconds()
	plain := float64(b.N) / plainTime.Seconds()
	b.ReportMetric(appends, "appends/s")
	b.ReportMetric(plain, "baseline_inserts/s")
	b.ReportMetric(appends/plain, "ratio")
}

// BenchmarkAppend64Callers is (b): 64 callers each waiting for its own
// durable append through Do (group commit), against (a)'s baseline measured
// here. One op is one round of 64 appends (each caller one), so even
// -benchtime 1x measures a batch. Target: ratio >= 10.
func BenchmarkAppend64Callers(b *testing.B) {
	const callers = 64
	l := newTestLog(b, WriterOptions{})
	p := newBaseline(b)
	e := testEntry(1)
	ctx := context.Background()
	batchesBefore := l.w.Stats().Batches
	// The baseline and the group rounds alternate in a few segments, so a
	// change in the machine's load hits both alike.
	segments := min(b.N, 5)
	var groupTime, plainTime time.Duration
	plainN := 0
	b.ResetTimer()
	for s := range segments {
		rounds := b.N/segments + boolInt(s < b.N%segments)
		n := min(max(rounds*2, 20), 200)
		t0 := time.Now()
		for range n {
			p.insert(b)
		}
		plainTime += time.Since(t0)
		plainN += n

		t1 := time.Now()
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				for range rounds {
					if err := l.w.Do(ctx, func(ctx context.Context, tx *Tx) error { _, err := tx.Append(ctx, e); return err }); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		groupTime += time.Since(t1)
	}
	b.StopTimer()
	appends := float64(callers*b.N) / groupTime.Seconds()
	plain := float64(plainN) / plainTime.Seconds()
	b.ReportMetric(appends, "appends/s")
	b.ReportMetric(plain, "baseline_inserts/s")
	b.ReportMetric(appends/plain, "ratio")
	b.ReportMetric(float64(callers*b.N)/float64(l.w.Stats().Batches-batchesBefore), "units/batch")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// benchLogs caches the logs BenchmarkVerify builds, by size, across the
// benchmark's rounds; TestMain removes them, unless they are kept in
// SIGNAAL_AUDIT_BENCH_DIR for the next run (building 1M entries takes
// minutes).
var benchLogs = struct {
	sync.Mutex
	dir   string
	keep  bool
	paths map[int]string
}{paths: map[int]string{}}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchLogs.dir != "" && !benchLogs.keep {
		os.RemoveAll(benchLogs.dir)
	}
	os.Exit(code)
}

// benchLog returns a log file of n entries, written through Do and Append
// in units of up to 10,000 entries.
func benchLog(b *testing.B, n int) string {
	benchLogs.Lock()
	defer benchLogs.Unlock()
	if p, ok := benchLogs.paths[n]; ok {
		return p
	}
	if benchLogs.dir == "" {
		if dir := os.Getenv("SIGNAAL_AUDIT_BENCH_DIR"); dir != "" {
			benchLogs.dir, benchLogs.keep = dir, true
		} else {
			dir, err := os.MkdirTemp("", "audit-bench-")
			if err != nil {
				b.Fatal(err)
			}
			benchLogs.dir = dir
		}
	}
	path := filepath.Join(benchLogs.dir, fmt.Sprintf("log-%d.db", n))
	if _, err := os.Stat(path); err == nil && benchLogs.keep {
		benchLogs.paths[n] = path // built by an earlier run
		return path
	}
	db, err := OpenWrite(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := Migrate(context.Background(), db); err != nil {
		b.Fatal(err)
	}
	w, err := NewWriter(db, WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	for done := 0; done < n; {
		chunk := min(10000, n-done)
		err := w.Do(context.Background(), func(ctx context.Context, tx *Tx) error {
			for i := range chunk {
				if _, err := tx.Append(ctx, testEntry(done+i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += chunk
	}
	benchLogs.paths[n] = path
	return path
}

// BenchmarkVerify is (c): verify a log of SIGNAAL_AUDIT_BENCH_ENTRIES
// entries (default 100,000, so that `-benchtime 1x` stays quick; set
// 1000000 for the figure), against reading the same rows without
// hashing. Target: 1,000,000 entries in under 3 s.
func BenchmarkVerify(b *testing.B) {
	n := 100_000
	if s := os.Getenv("SIGNAAL_AUDIT_BENCH_ENTRIES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("SIGNAAL_AUDIT_BENCH_ENTRIES=%q: want a positive number of entries", s)
		}
		n = v
	}
	path := benchLog(b, n)
	db, err := OpenRead(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var verifyTime, scanTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		res, err := Verify(ctx, db, VerifyOptions{})
		if err != nil || res.Size != int64(n) {
			b.Fatalf("verify: %+v, %v", res, err)
		}
		t1 := time.Now()
		scanned := scanOnly(b, db)
		t2 := time.Now()
		if scanned != int64(n) {
			b.Fatalf("scanned %d rows, want %d", scanned, n)
		}
		verifyTime += t1.Sub(t0)
		scanTime += t2.Sub(t1)
	}
	b.StopTimer()
	perSec := float64(n) * float64(b.N) / verifyTime.Seconds()
	scanPerSec := float64(n) * float64(b.N) / scanTime.Seconds()
	b.ReportMetric(float64(n), "entries")
	b.ReportMetric(perSec, "entries/s")
	b.ReportMetric(1e6/perSec, "s/1M_entries")
	b.ReportMetric(scanPerSec, "baseline_scan_entries/s")
	b.ReportMetric(perSec/scanPerSec, "ratio")
}

// scanOnly reads every entry's columns the way Verify does, without hashing:
// the floor Verify cannot beat.
func scanOnly(b *testing.B, db *sql.DB) int64 {
	rows, err := db.Query(`SELECT seq, time, actor_user, actor_role, actor_org, action, object, subject,
		decision, origin_request, origin_ip, hash FROM audit_entries ORDER BY seq`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var (
		seq  int64
		cols [columns + 1]sql.RawBytes
		dest = []any{&seq}
		n    int64
	)
	for i := range cols {
		dest = append(dest, &cols[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}
