package audit_test

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

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/audit/audittest"
)

// The benchmark measures its target against a baseline in the same run,
// and reports the ratio (see the issue):
//
//	SIGNAAL_AUDIT_BENCH_ENTRIES=1000000 go test -run '^$' -bench Verify -benchtime 3x ./audit  # (c)
//
// Add SIGNAAL_AUDIT_BENCH_DIR=DIR to keep the built log for the next run.
// Appending, (a) and (b), is the write engine's: see signal/sqlite's
// writer_bench_test.go.

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
	db, err := openWrite(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := audit.Migrate(context.Background(), db); err != nil {
		b.Fatal(err)
	}
	w, err := newTestWriter(db, audit.ChainOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	for done := 0; done < n; {
		chunk := min(10000, n-done)
		err := w.Do(context.Background(), func(ctx context.Context, tx *audit.Appender) error {
			for i := range chunk {
				if _, err := tx.Append(ctx, audittest.Entry(done+i)); err != nil {
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
	db, err := openRead(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var verifyTime, scanTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		res, err := audit.Verify(ctx, db, audit.VerifyOptions{})
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
		cols [audit.Columns + 1]sql.RawBytes
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
