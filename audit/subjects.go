package audit

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The index by young person (audit_subject_index, migration 3) is written in
// bulk by the writer rather than by each commit; see the migration for why.
// These say how often: at the first batch after indexEvery has passed, or
// sooner once indexAfter entries wait. Between two runs the entries after
// the mark are found by scanning them (subjectFilter), so the longer the
// wait, the more a search by young person scans (a few thousand rows cost a
// millisecond or two) and the fewer pages the index costs per entry.
const (
	indexEvery = time.Second
	indexAfter = 4096
)

// subjectFilter is the WHERE condition, and its arguments, that selects the
// entries about subject: those in the index, and those after its mark not
// yet indexed. Both are read in one statement, so one snapshot: an entry is
// either below the mark and indexed, or above it and scanned.
func subjectFilter(subject string) (string, []any) {
	return `seq IN (
		SELECT seq FROM audit_subject_index WHERE key = substr(?, -16)
		UNION ALL
		SELECT seq FROM audit_entries WHERE seq > (SELECT through FROM audit_subject_mark)
	) AND subject = ?`, []any{subject, subject}
}

// indexSubjectsSQL adds the entries after the mark to the index, sorted so
// that entries of one young person go into one page together, and moves the
// mark to the end of the log.
const indexSubjectsSQL = `
INSERT INTO audit_subject_index (key, seq)
	SELECT substr(subject, -16), seq FROM audit_entries
	WHERE seq > (SELECT through FROM audit_subject_mark) AND subject <> ''
	ORDER BY 1, 2;
UPDATE audit_subject_mark SET through = (SELECT COALESCE(max(seq), 0) FROM audit_entries)
	WHERE through < (SELECT COALESCE(max(seq), 0) FROM audit_entries);`

// execer is what indexSubjects needs of a transaction or a handle.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// indexSubjects brings the index by young person up to the end of the log.
func indexSubjects(ctx context.Context, db execer) error {
	if _, err := db.ExecContext(ctx, indexSubjectsSQL); err != nil {
		return fmt.Errorf("index audit entries by young person: %w", err)
	}
	return nil
}

// indexDue reports whether the batch about to commit should also bring the
// index by young person up to date.
func (w *Writer) indexDue() bool {
	if w.unindexed == 0 {
		return false
	}
	return time.Since(w.indexed) >= indexEvery || (w.unindexed >= indexAfter && !w.indexFailed)
}

// indexInBatch runs indexSubjects inside the batch's transaction, in a
// savepoint of its own: when it fails, only the index step is undone, the
// batch commits, and its entries stay findable by the scan after the mark.
// The next try waits indexEvery either way.
func (w *Writer) indexInBatch(ctx context.Context, tx *sql.Tx) error {
	w.indexed = time.Now()
	if _, err := tx.ExecContext(ctx, "SAVEPOINT audit_index"); err != nil {
		return fmt.Errorf("index audit entries by young person: %w", err)
	}
	if err := indexSubjects(ctx, tx); err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO audit_index"); rerr != nil {
			return fmt.Errorf("%w; and roll back: %w", err, rerr)
		}
		if _, rerr := tx.ExecContext(ctx, "RELEASE audit_index"); rerr != nil {
			return fmt.Errorf("%w; and release: %w", err, rerr)
		}
		w.indexFailed = true
		w.log.Warn("audit writer: index by young person not brought up to date; searches scan the entries after its mark meanwhile", "err", err)
		return nil
	}
	if _, err := tx.ExecContext(ctx, "RELEASE audit_index"); err != nil {
		return fmt.Errorf("index audit entries by young person: %w", err)
	}
	w.unindexed, w.indexFailed = 0, false
	return nil
}
