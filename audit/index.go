package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The review's indexes (by young person, actor, organisation, action,
// outcome and rule) live in one table, audit_index, written in bulk (by
// IndexIfDue, which the engine's writer calls before a batch's COMMIT)
// rather than by each commit; migrations 3 and 4 say why. These say how
// often: at the first batch after indexEvery has passed, or sooner once
// indexAfter entries wait. Between two runs the entries after the mark are
// found by scanning them, so the longer the wait, the more a search scans (a
// few thousand rows cost a millisecond or two) and the fewer pages the index
// costs per entry.
const (
	indexEvery = time.Second
	indexAfter = 4096
)

// Facets of audit_index: what its key is a value of.
const (
	facetSubject = "subject" // the pseudonym's last 16 characters (see subjectKey)
	facetActor   = "actor"
	facetOrg     = "org"
	facetAction  = "action"
	facetOutcome = "outcome"
	facetRule    = "rule"
)

// indexSQL adds the entries after the mark to the index, sorted so that the
// entries of one key go into one page together, and moves the mark to the
// end of the log. A decision without an outcome or rule is indexed under ""
// rather than refused: the step must never fail on an entry the writer
// accepted.
const indexSQL = `
INSERT INTO audit_index (facet, key, entry)
	SELECT f.facet, f.key, f.seq FROM (
		SELECT 'subject' AS facet, substr(subject, -16) AS key, seq FROM audit_entries WHERE subject <> ''
		UNION ALL SELECT 'actor', actor_user, seq FROM audit_entries
		UNION ALL SELECT 'org', actor_org, seq FROM audit_entries
		UNION ALL SELECT 'action', action, seq FROM audit_entries
		UNION ALL SELECT 'outcome', COALESCE(json_extract(decision, '$.outcome'), ''), seq FROM audit_entries WHERE decision IS NOT NULL
		UNION ALL SELECT 'rule', COALESCE(json_extract(decision, '$.rule'), ''), seq FROM audit_entries WHERE decision IS NOT NULL
	) f WHERE f.seq > (SELECT through FROM audit_index_mark)
	ORDER BY 1, 2, 3;
UPDATE audit_index_mark SET through = (SELECT COALESCE(max(seq), 0) FROM audit_entries)
	WHERE through < (SELECT COALESCE(max(seq), 0) FROM audit_entries);`

// subjectKey is the key of a pseudonym in the index: its last 16
// characters, 64 bits or more of a keyed hash whatever its prefix, a third
// of the whole. Searches compare the whole subject as well.
func subjectKey(subject string) string {
	return subject[max(0, len(subject)-16):]
}

// execer is what indexEntries needs of a transaction or a handle.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// indexEntries brings the index up to the end of the log.
func indexEntries(ctx context.Context, db execer) error {
	if _, err := db.ExecContext(ctx, indexSQL); err != nil {
		return fmt.Errorf("index audit entries: %w", err)
	}
	return nil
}

// IndexIfDue brings the bulk index up to the end of the log inside the
// Appender's transaction when that is due: the engine calls it just before
// COMMIT of a transaction that appended entries. It runs at the first
// transaction after indexEvery has passed, or sooner once indexAfter
// entries wait.
//
// The step runs in a savepoint of its own: when it fails, only the index
// step is undone (and logged), the transaction goes on to commit, and its
// entries stay findable by the scan after the mark. The next try waits
// indexEvery. The error returned is one that leaves the transaction itself
// unusable.
func (a *Appender) IndexIfDue(ctx context.Context) error {
	c := a.c
	if c.unindexed == 0 {
		return nil
	}
	if time.Since(c.indexed) < indexEvery && (c.unindexed < indexAfter || c.indexFailed) {
		return nil
	}
	c.indexed = time.Now()
	tx := a.tx
	if _, err := tx.ExecContext(ctx, "SAVEPOINT audit_index"); err != nil {
		return fmt.Errorf("index audit entries: %w", err)
	}
	if err := indexEntries(ctx, tx); err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO audit_index"); rerr != nil {
			return fmt.Errorf("%w; and roll back: %w", err, rerr)
		}
		if _, rerr := tx.ExecContext(ctx, "RELEASE audit_index"); rerr != nil {
			return fmt.Errorf("%w; and release: %w", err, rerr)
		}
		c.indexFailed = true
		c.log.Warn("audit writer: index not brought up to date; searches scan the entries after its mark meanwhile", "err", err)
		return nil
	}
	if _, err := tx.ExecContext(ctx, "RELEASE audit_index"); err != nil {
		return fmt.Errorf("index audit entries: %w", err)
	}
	c.unindexed, c.indexFailed = 0, false
	return nil
}

// byIndex is a filter the index serves: entries whose facet has the key
// key, or, when upTo is set, a key from key (inclusive) to upTo (exclusive).
type byIndex struct {
	facet, key, upTo string
}

// entryQuery is a read of entries: through the index (via), or by sequence
// number when via is nil; within lo and hi (inclusive, 0 for no bound); with
// where's conditions on audit_entries' own columns, which hold whichever way
// the entries are reached (so via only makes it faster); in sequence order.
type entryQuery struct {
	via    *byIndex
	lo, hi int64
	where  []string
	args   []any
	desc   bool
	limit  int // 0: no limit
	// noOrigins reads a log from before audit_origins (version 4).
	noOrigins bool
}

// sql returns the statement and its arguments. Through the index it is a
// union of the indexed entries (up to the mark) and a scan of those after
// it, merged in sequence order: one statement, so one snapshot, and for one
// key no sort of all matches before the first row (a range of keys is
// sorted, as it was with the ordinary indexes).
func (q entryQuery) sql() (string, []any) {
	recordColumns := recordColumns
	if q.noOrigins {
		recordColumns = strings.Replace(recordColumns, keptAddress, "NULL", 1)
	}
	order := " ORDER BY 1"
	if q.desc {
		order += " DESC"
	}
	limit := ""
	if q.limit > 0 {
		limit = " LIMIT " + strconv.Itoa(q.limit)
	}
	if q.via == nil {
		conds, args := q.bounds("seq")
		return "SELECT " + recordColumns + " FROM audit_entries" + where(append(conds, q.where...)) + order + limit,
			append(args, q.args...)
	}
	const mark = "(SELECT through FROM audit_index_mark)"
	keyCond, args := "i.key = ?", []any{q.via.facet, q.via.key}
	if q.via.upTo != "" {
		keyCond, args = "i.key >= ? AND i.key < ?", append(args, q.via.upTo)
	}
	bounds, boundArgs := q.bounds("i.entry")
	indexed := where(append(append([]string{"i.facet = ?", keyCond, "i.entry <= " + mark}, bounds...), q.where...))
	args = append(append(args, boundArgs...), q.args...)
	bounds, boundArgs = q.bounds("seq")
	after := where(append(append([]string{"seq > " + mark}, bounds...), q.where...))
	args = append(append(args, boundArgs...), q.args...)
	return "SELECT i.entry, " + strings.TrimPrefix(recordColumns, "seq, ") +
		" FROM audit_index i JOIN audit_entries ON seq = i.entry" + indexed +
		" UNION ALL SELECT " + recordColumns + " FROM audit_entries" + after +
		order + limit, args
}

// bounds are q's bounds on the sequence number col.
func (q entryQuery) bounds(col string) ([]string, []any) {
	var (
		conds []string
		args  []any
	)
	if q.lo > 0 {
		conds, args = append(conds, col+" >= ?"), append(args, q.lo)
	}
	if q.hi > 0 {
		conds, args = append(conds, col+" <= ?"), append(args, q.hi)
	}
	return conds, args
}

func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}
