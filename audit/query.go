package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Query selects entries for the privacy officer's review ([Search]): newest
// first, a page at a time. Zero fields do not filter; set fields must all
// hold (AND).
type Query struct {
	Since   time.Time // entries at or after this time
	Until   time.Time // entries before this time
	UserID  string    // the actor's account
	Org     string    // the actor's organisation
	Role    string    // the actor's role
	Action  string    // exactly this action, or every action under a prefix ending in "." ("login.")
	Object  string    // exactly this object ("signal/…")
	Subject string    // this young person's keyed pseudonym
	Outcome string    // the decision's outcome ("escalate")
	Rule    string    // the decision's rule ("R6")
	// Orgs, when set, keeps only entries by actors of these organisations
	// or by no organisation (the system, unauthenticated attempts): the
	// privacy officer of one cooperation reviews that cooperation.
	Orgs []string
	// Before is the keyset cursor: only entries with a smaller sequence
	// number (the Next of the previous page); 0 starts at the newest.
	Before int64
	// Limit is the page size: default 50, at most MaxPage.
	Limit int
}

// MaxPage bounds a page of Search.
const MaxPage = 500

// Page is one page of a Search, newest first. Next is the cursor of the
// following (older) page, 0 on the last.
type Page struct {
	Records []Record
	Next    int64
}

// Search returns one page of the entries of db (a read handle) matching q,
// newest first. Every filter is served by an index that ends in seq (see
// migration 2), and the page is found by keyset (seq < Before) rather than
// OFFSET, so the thousandth page costs what the first does, also on a log
// of millions of entries.
func Search(ctx context.Context, db *sql.DB, q Query) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > MaxPage {
		return Page{}, fmt.Errorf("search audit log: limit %d is more than %d", limit, MaxPage)
	}
	var (
		where []string
		args  []any
	)
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if q.Before > 0 {
		add("seq < ?", q.Before)
	}
	if !q.Since.IsZero() {
		add("time >= ?", q.Since.UTC().Format(timeLayout))
	}
	if !q.Until.IsZero() {
		add("time < ?", q.Until.UTC().Format(timeLayout))
	}
	if q.UserID != "" {
		add("actor_user = ?", q.UserID)
	}
	if q.Org != "" {
		add("actor_org = ?", q.Org)
	}
	if q.Role != "" {
		add("actor_role = ?", q.Role)
	}
	switch a := q.Action; {
	case a == "":
	case strings.HasSuffix(a, "."):
		// A prefix as a range, so the action index serves it.
		add("action >= ? AND action < ?", a, a[:len(a)-1]+"/") // '/' sorts right after '.'
	default:
		add("action = ?", a)
	}
	if q.Object != "" {
		add("object = ?", q.Object)
	}
	if q.Subject != "" {
		cond, a := subjectFilter(q.Subject)
		add(cond, a...)
	}
	if len(q.Orgs) > 0 {
		add("(actor_org IN (?"+strings.Repeat(", ?", len(q.Orgs)-1)+") OR actor_org = '')", anySlice(q.Orgs)...)
	}
	if q.Outcome != "" {
		add("json_extract(decision, '$.outcome') = ? AND decision IS NOT NULL", q.Outcome)
	}
	if q.Rule != "" {
		add("json_extract(decision, '$.rule') = ? AND decision IS NOT NULL", q.Rule)
	}
	query := "SELECT " + recordColumns + " FROM audit_entries"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY seq DESC LIMIT ?"
	args = append(args, limit+1)
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return Page{}, fmt.Errorf("search audit log: %w", err)
	}
	defer rows.Close()
	var page Page
	err = scanRecords(rows, func(rec Record) bool {
		page.Records = append(page.Records, rec)
		return true
	})
	if err != nil {
		return Page{}, fmt.Errorf("search audit log: %w", err)
	}
	if len(page.Records) > limit {
		page.Records = page.Records[:limit]
		page.Next = page.Records[limit-1].Seq
	}
	return page, nil
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Size returns the number of entries in the log (its last sequence number).
func Size(ctx context.Context, db *sql.DB) (int64, error) {
	var n sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max(seq) FROM audit_entries").Scan(&n); err != nil {
		return 0, fmt.Errorf("read audit log size: %w", err)
	}
	return n.Int64, nil
}
