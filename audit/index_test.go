package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/audit/audittest"
	"github.com/signaal-nl/signaal/signal"
)

// subjectEntry is audittest.Entry about young person k of a few.
func subjectEntry(i, k int) audit.Entry {
	e := audittest.Entry(i)
	e.Subject = fmt.Sprintf("yp:%030d", k)
	return e
}

// seqsAbout returns what Search and Entries find about subject, each in
// ascending order; they must agree.
func seqsAbout(t *testing.T, db *sql.DB, subject string) []int64 {
	t.Helper()
	ctx := context.Background()
	var viaSearch []int64
	for q := (audit.Query{Subject: subject, Limit: 3}); ; {
		page, err := audit.Search(ctx, db, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			viaSearch = append(viaSearch, r.Seq)
		}
		if page.Next == 0 {
			break
		}
		q.Before = page.Next
	}
	slices.Reverse(viaSearch)
	var viaEntries []int64
	for r, err := range audit.Entries(ctx, db, audit.Filter{Subject: subject}) {
		if err != nil {
			t.Fatal(err)
		}
		viaEntries = append(viaEntries, r.Seq)
	}
	if !slices.Equal(viaSearch, viaEntries) {
		t.Fatalf("Search found %v, Entries %v", viaSearch, viaEntries)
	}
	return viaSearch
}

func mark(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var through int64
	if err := db.QueryRow("SELECT through FROM audit_index_mark").Scan(&through); err != nil {
		t.Fatal(err)
	}
	return through
}

// TestSearchByYoungPersonFindsIndexedAndNewEntries: an access request must
// find every entry about the young person, whether the writer has put it in
// the index by young person yet or not, and nothing about anyone else.
func TestSearchByYoungPersonFindsIndexedAndNewEntries(t *testing.T) {
	l := newTestLog(t, audit.ChainOptions{})
	ctx := context.Background()
	// The first batch indexes at once (nothing was indexed before); the
	// next ones within indexEvery do not.
	for i := 1; i <= 9; i++ {
		audittest.AppendOne(t, l.w.Do, subjectEntry(i, i%3))
	}
	through := mark(t, l.db)
	if through < 1 || through >= 9 {
		t.Fatalf("mark at %d after 9 quick single appends, want the first batch indexed and the rest not yet", through)
	}
	want := map[int][]int64{0: {3, 6, 9}, 1: {1, 4, 7}, 2: {2, 5, 8}}
	for k, seqs := range want {
		if got := seqsAbout(t, l.db, fmt.Sprintf("yp:%030d", k)); !slices.Equal(got, seqs) {
			t.Errorf("young person %d, mark at %d: found %v, want %v", k, through, got, seqs)
		}
	}
	if got := seqsAbout(t, l.db, "yp:"+fmt.Sprintf("%030d", 7)); len(got) != 0 {
		t.Errorf("found %v about a young person with no entries", got)
	}
	// Another pseudonym with the same last 16 characters shares the index
	// key; the full subject still decides.
	twin := "zz:" + fmt.Sprintf("%030d", 1)
	if got := seqsAbout(t, l.db, twin); len(got) != 0 {
		t.Errorf("found %v about a pseudonym that only shares the index key", got)
	}

	// Bringing the index up to date changes nothing that is found.
	if err := audit.IndexEntries(ctx, l.db); err != nil {
		t.Fatal(err)
	}
	if got := mark(t, l.db); got != 9 {
		t.Fatalf("mark at %d after indexing, want 9", got)
	}
	if n := audittest.Count(t, l.db, "SELECT count(*) FROM audit_index WHERE facet = 'subject'"); n != 9 {
		t.Fatalf("index holds %d entries, want 9", n)
	}
	for k, seqs := range want {
		if got := seqsAbout(t, l.db, fmt.Sprintf("yp:%030d", k)); !slices.Equal(got, seqs) {
			t.Errorf("young person %d after indexing: found %v, want %v", k, got, seqs)
		}
	}
	// Entries without a subject are not indexed.
	e := audittest.Entry(10)
	e.Subject = ""
	audittest.AppendOne(t, l.w.Do, e)
	if err := audit.IndexEntries(ctx, l.db); err != nil {
		t.Fatal(err)
	}
	if n, m := audittest.Count(t, l.db, "SELECT count(*) FROM audit_index WHERE facet = 'subject'"), mark(t, l.db); n != 9 || m != 10 {
		t.Fatalf("index holds %d entries, mark %d; want 9 and 10", n, m)
	}
}

// TestWriterIndexesYoungPeopleInBulk: once indexAfter entries wait, the
// batch that follows brings the index up to date, in the same transaction.
func TestWriterIndexesYoungPeopleInBulk(t *testing.T) {
	l := newTestLog(t, audit.ChainOptions{})
	audittest.AppendOne(t, l.w.Do, subjectEntry(0, 0)) // the first batch indexes
	ctx := context.Background()
	entries := make([]audit.Entry, audit.IndexAfter)
	for i := range entries {
		entries[i] = subjectEntry(i+1, i%50)
	}
	err := l.w.Do(ctx, func(ctx context.Context, tx *audit.Appender) error {
		_, err := tx.AppendAll(ctx, entries...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mark(t, l.db), int64(audit.IndexAfter+1); got != want {
		t.Fatalf("mark at %d, want %d: the batch that reached indexAfter did not index", got, want)
	}
	if n := audittest.Count(t, l.db, "SELECT count(*) FROM audit_index WHERE facet = 'subject'"); n != audit.IndexAfter+1 {
		t.Fatalf("index holds %d entries, want %d", n, audit.IndexAfter+1)
	}
	if got := seqsAbout(t, l.db, fmt.Sprintf("yp:%030d", 7)); len(got) != 82 || got[0] != 9 { // entries i+2 for i%50 == 7
		t.Fatalf("young person 7: found %d entries starting %v", len(got), got[:min(3, len(got))])
	}
}

// TestFailingIndexStepLosesNothing: when bringing the index up to date
// fails, the batch's own work still commits, and its entries are found by
// the scan after the mark.
func TestFailingIndexStepLosesNothing(t *testing.T) {
	l := newTestLog(t, audit.ChainOptions{})
	audittest.AppendOne(t, l.w.Do, subjectEntry(1, 1))
	if _, err := l.db.Exec(`CREATE TRIGGER refuse_index BEFORE INSERT ON audit_index
		BEGIN SELECT RAISE(ABORT, 'index refused for the test'); END`); err != nil {
		t.Fatal(err)
	}
	entries := make([]audit.Entry, audit.IndexAfter)
	for i := range entries {
		entries[i] = subjectEntry(i+2, 1)
	}
	err := l.w.Do(context.Background(), func(ctx context.Context, tx *audit.Appender) error {
		_, err := tx.AppendAll(ctx, entries...)
		return err
	})
	if err != nil {
		t.Fatalf("the batch failed with its index step: %v", err)
	}
	if got := mark(t, l.db); got != 1 {
		t.Fatalf("mark moved to %d although the index step failed", got)
	}
	// Every entry is about young person 1: seq 1 to indexAfter+1.
	want := int64(1)
	for r, err := range audit.Entries(context.Background(), l.db, audit.Filter{Subject: fmt.Sprintf("yp:%030d", 1)}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Seq != want {
			t.Fatalf("found entry %d, want %d", r.Seq, want)
		}
		want++
	}
	if want != audit.IndexAfter+2 {
		t.Fatalf("found entries 1 to %d, want 1 to %d", want-1, audit.IndexAfter+1)
	}
	chainOK(t, l.db)
}

// TestMigrationIndexesExistingEntries: a log written before the index by
// young person existed gets every entry indexed by the migration.
func TestMigrationIndexesExistingEntries(t *testing.T) {
	l := newTestLog(t, audit.ChainOptions{})
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		audittest.AppendOne(t, l.w.Do, subjectEntry(i, i%2))
	}
	// Back to schema version 2, as an older program left it.
	shell(t, l.path, `
		DROP TABLE audit_index; DROP TABLE audit_index_mark;
		CREATE INDEX audit_entries_subject ON audit_entries (subject, seq) WHERE subject <> '';
		CREATE INDEX audit_entries_actor ON audit_entries (actor_user, seq);
		CREATE INDEX audit_entries_org ON audit_entries (actor_org, seq);
		CREATE INDEX audit_entries_action ON audit_entries (action, seq);
		CREATE INDEX audit_entries_outcome ON audit_entries (json_extract(decision, '$.outcome'), seq) WHERE decision IS NOT NULL;
		CREATE INDEX audit_entries_rule ON audit_entries (json_extract(decision, '$.rule'), seq) WHERE decision IS NOT NULL;
		DROP TABLE audit_origins;
		DELETE FROM audit_migrations WHERE version > 2;`)
	if err := audit.Migrate(ctx, l.db); err != nil {
		t.Fatal(err)
	}
	if got := mark(t, l.db); got != 5 {
		t.Fatalf("mark at %d after the migration, want 5", got)
	}
	if got := seqsAbout(t, l.db, fmt.Sprintf("yp:%030d", 1)); !slices.Equal(got, []int64{1, 3, 5}) {
		t.Fatalf("found %v, want [1 3 5]", got)
	}
	// Every facet of every entry, and nothing of the old indexes but time.
	if n := audittest.Count(t, l.db, "SELECT count(*) FROM audit_index"); n != 5*6 {
		t.Fatalf("index holds %d keys, want 30 (5 entries, 6 facets)", n)
	}
	if n := audittest.Count(t, l.db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'audit_entries' AND name <> 'audit_entries_time' AND sql IS NOT NULL"); n != 0 {
		t.Fatalf("%d of the old indexes are still there", n)
	}
	for _, q := range []audit.Query{{UserID: "u-17"}, {Org: "org-school-3"}, {Action: string(signal.ActionShareDecide)}, {Action: "share."}, {Outcome: "ask_consent"}, {Rule: "R8"}} {
		if page, err := audit.Search(ctx, l.db, q); err != nil || len(page.Records) != 5 {
			t.Errorf("%+v after the migration: %d entries, %v; want all 5", q, len(page.Records), err)
		}
	}
}
