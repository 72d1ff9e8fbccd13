package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/audit/audittest"
	"github.com/signaal-nl/signaal/signal"
)

func TestSearchFiltersNewestFirst(t *testing.T) {
	l := newTestLog(t, audit.ChainOptions{})
	const otherYouth = "yp:b3RoZXIgeW91bmcgcGVyc29uIGhlcmU"
	for i := 1; i <= 12; i++ {
		e := audittest.Entry(i)
		switch {
		case i%4 == 0:
			e.Action, e.Decision, e.Subject = signal.ActionLoginFail, nil, ""
			e.Actor = signal.Actor{}
		case i%3 == 0:
			e.Action = signal.ActionSignalRead
			e.Actor = signal.Actor{UserID: "u-99", Role: "coordinator", OrgID: "org-municipality"}
			e.Subject = otherYouth
			e.Decision.Outcome, e.Decision.Rule = "escalate", "R6"
		}
		audittest.AppendOne(t, l.w.Do, e)
	}
	db := readHandle(t, l.path)
	tests := []struct {
		name string
		q    audit.Query
		want []int64
	}{
		{"everything, newest first", audit.Query{}, []int64{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"a page", audit.Query{Limit: 3}, []int64{12, 11, 10}},
		{"the page after cursor 10", audit.Query{Before: 10, Limit: 3}, []int64{9, 8, 7}},
		{"by actor", audit.Query{UserID: "u-99"}, []int64{9, 6, 3}},
		{"by organisation", audit.Query{Org: "org-school-3"}, []int64{11, 10, 7, 5, 2, 1}},
		{"by role", audit.Query{Role: "coordinator"}, []int64{9, 6, 3}},
		{"by action", audit.Query{Action: string(signal.ActionLoginFail)}, []int64{12, 8, 4}},
		{"by action prefix", audit.Query{Action: "signal."}, []int64{9, 6, 3}},
		{"by young person", audit.Query{Subject: otherYouth}, []int64{9, 6, 3}},
		{"by outcome", audit.Query{Outcome: "escalate"}, []int64{9, 6, 3}},
		{"by rule", audit.Query{Rule: "R8"}, []int64{11, 10, 7, 5, 2, 1}},
		{"by object", audit.Query{Object: "signal/5"}, []int64{5}},
		{"by time", audit.Query{Since: time.Date(2026, 11, 22, 9, 0, 0, 10, time.UTC), Until: time.Date(2026, 11, 22, 9, 0, 0, 12, time.UTC)}, []int64{11, 10}},
		{"combined", audit.Query{Action: string(signal.ActionShareDecide), Rule: "R8", Before: 7}, []int64{5, 2, 1}},
		{"nothing matches", audit.Query{UserID: "nobody"}, nil},
		{"one cooperation's organisations and the anonymous", audit.Query{Orgs: []string{"org-municipality"}}, []int64{12, 9, 8, 6, 4, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := audit.Search(context.Background(), db, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range page.Records {
				got = append(got, r.Seq)
			}
			if !equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSearchPagesThroughEverythingOnce(t *testing.T) {
	l := filledLog(t, 23)
	db := readHandle(t, l.path)
	var seen []int64
	q := audit.Query{Limit: 5}
	pages := 0
	for {
		page, err := audit.Search(context.Background(), db, q)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page.Records {
			seen = append(seen, r.Seq)
		}
		if page.Next == 0 {
			break
		}
		q.Before = page.Next
	}
	if pages != 5 || len(seen) != 23 || seen[0] != 23 || seen[22] != 1 {
		t.Fatalf("%d pages, saw %v", pages, seen)
	}
	if _, err := audit.Search(context.Background(), db, audit.Query{Limit: audit.MaxPage + 1}); err == nil {
		t.Fatal("a page over MaxPage was accepted")
	}
}

// TestSearchUsesAnIndexForEveryFilter reads SQLite's query plan: a filter
// that scans the table would make the review slow on a long log.
func TestSearchUsesAnIndexForEveryFilter(t *testing.T) {
	l := filledLog(t, 3)
	db := readHandle(t, l.path)
	for _, tt := range []struct {
		name string
		q    audit.Query
	}{
		{"young person", audit.Query{Subject: audittest.Subject}},
		{"actor", audit.Query{UserID: "u-17"}},
		{"organisation", audit.Query{Org: "org"}},
		{"action", audit.Query{Action: string(signal.ActionLoginFail)}},
		{"outcome", audit.Query{Outcome: "escalate"}},
		{"rule", audit.Query{Rule: "R6"}},
		{"young person in a cooperation, a page further", audit.Query{Subject: audittest.Subject, Orgs: []string{"a", "b"}, Before: 3}},
		{"actor and action", audit.Query{UserID: "u-17", Action: string(signal.ActionShareDecide)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			query, args := audit.SearchSQL(tt.q, 51)
			rows, err := db.Query("EXPLAIN QUERY PLAN "+query, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatal(err)
				}
				plan += detail + "; "
			}
			// The index in sequence order for the entries up to the mark,
			// the primary key for those after it, merged without a sort.
			if !strings.Contains(plan, "SEARCH i USING PRIMARY KEY (facet=? AND key=?") ||
				!strings.Contains(plan, "MERGE") || strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "SCAN audit_entries") {
				t.Fatalf("plan %q does not read an index in seq order", plan)
			}
		})
	}
}

// BenchmarkSearchMillion filters a log of 1,000,000 entries by young person
// and by actor, and compares each with a baseline in the same run: reading
// the newest page by primary key (the cheapest query the table allows).
// Target: a filtered page in under 200 ms; the ratio says how close to the
// baseline an indexed filter comes.
func BenchmarkSearchMillion(b *testing.B) {
	const n = 1_000_000
	path := filepath.Join(b.TempDir(), "million.db")
	filled := time.Now()
	fillMillion(b, path, n)
	b.Logf("filled %d entries in %v", n, time.Since(filled).Round(time.Millisecond))
	db, err := openRead(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	measure := func(q audit.Query) time.Duration {
		b.Helper()
		start := time.Now()
		page, err := audit.Search(ctx, db, q)
		if err != nil {
			b.Fatal(err)
		}
		if len(page.Records) == 0 {
			b.Fatalf("query %+v found nothing", q)
		}
		return time.Since(start)
	}
	baseline := audit.Query{Limit: 50}
	cases := []struct {
		name string
		q    audit.Query
	}{
		{"young_person", audit.Query{Subject: youthOf(4242), Limit: 50}},
		{"actor", audit.Query{UserID: "usr-7", Limit: 50}},
		{"actor_page_deep", audit.Query{UserID: "usr-7", Before: n / 2, Limit: 50}},
		{"outcome", audit.Query{Outcome: "escalate", Limit: 50}},
		// As the console asks: scoped to one cooperation's 20 organisations.
		{"young_person_in_cooperation", audit.Query{Subject: youthOf(4242), Orgs: benchOrgs(20), Limit: 50}},
		{"newest_in_cooperation", audit.Query{Orgs: benchOrgs(20), Limit: 50}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var base, filtered time.Duration
			for b.Loop() {
				base += measure(baseline)
				filtered += measure(c.q)
			}
			per := float64(filtered.Nanoseconds()) / float64(b.N)
			b.ReportMetric(per/1e6, "ms/filtered")
			b.ReportMetric(float64(base.Nanoseconds())/float64(b.N)/1e6, "ms/baseline")
			b.ReportMetric(float64(filtered)/float64(max(base, 1)), "x_baseline")
		})
	}
}

// benchOrgs are the first n organisations of the benchmark log.
func benchOrgs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("org-%d", i)
	}
	return out
}

// youthOf is the pseudonym of young person i of the benchmark log.
func youthOf(i int) string { return fmt.Sprintf("yp:%030d", i) }

// fillMillion writes a chained log of n entries in one transaction, the
// way the writer would but without its per-unit overhead: 500 actors, 5,000
// young people, a mix of actions, one in 40 decisions an escalation.
func fillMillion(b *testing.B, path string, n int) {
	b.Helper()
	// No journal and no sync: a benchmark file that a crash may lose is
	// fine, and it fills in seconds instead of minutes.
	w, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=OFF&_synchronous=OFF&_cache_size=-262144")
	if err != nil {
		b.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	defer w.Close()
	ctx := context.Background()
	if err := audit.Migrate(ctx, w); err != nil {
		b.Fatal(err)
	}
	// Indexes are built after the rows (one sort each), not row by row.
	var indexes []string
	rows, err := w.Query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_entries' AND sql IS NOT NULL")
	if err != nil {
		b.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var name, ddl string
		if err := rows.Scan(&name, &ddl); err != nil {
			b.Fatal(err)
		}
		names, indexes = append(names, name), append(indexes, ddl)
	}
	rows.Close()
	for _, name := range names {
		if _, err := w.Exec("DROP INDEX " + name); err != nil {
			b.Fatal(err)
		}
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.Prepare(`INSERT INTO audit_entries
		(seq, time, actor_user, actor_role, actor_org, action, object, subject, decision, origin_request, origin_ip, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	actions := []signal.AuditAction{signal.ActionShareDecide, signal.ActionSignalRead, signal.ActionSignalsList, signal.ActionSignalCreate, signal.ActionLoginOK}
	var prev [32]byte
	buf := make([]byte, 0, 1024)
	for i := 1; i <= n; i++ {
		e := audittest.Entry(i)
		e.Time = start.Add(time.Duration(i) * 30 * time.Second)
		e.Actor = signal.Actor{UserID: fmt.Sprintf("usr-%d", i%500), Role: "reporter", OrgID: fmt.Sprintf("org-%d", i%40)}
		e.Action = actions[i%len(actions)]
		e.Object = fmt.Sprintf("signal/%d", i/3)
		e.Subject = youthOf(i % 5000)
		if e.Action != signal.ActionShareDecide {
			e.Decision = nil
		} else if i%40 == 0 {
			e.Decision.Outcome, e.Decision.Rule = "escalate", "R6"
		}
		e, err := audit.Validate(e)
		if err != nil {
			b.Fatal(err)
		}
		r, err := audit.ToRow(int64(i), e)
		if err != nil {
			b.Fatal(err)
		}
		buf = audit.AppendEncoding(buf[:0], &r)
		h := audit.ChainHash(&prev, buf)
		prev = h
		var decision any
		if r.Col(7) != nil {
			decision = string(r.Col(7))
		}
		if _, err := stmt.Exec(r.Seq(), string(r.Col(0)), string(r.Col(1)), string(r.Col(2)), string(r.Col(3)),
			string(r.Col(4)), string(r.Col(5)), string(r.Col(6)), decision, string(r.Col(8)), string(r.Col(9)), h[:]); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for _, ddl := range indexes {
		if _, err := w.Exec(ddl); err != nil {
			b.Fatal(err)
		}
	}
	if err := audit.IndexEntries(ctx, w); err != nil { // as the writer would have
		b.Fatal(err)
	}
	if _, err := w.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
}
