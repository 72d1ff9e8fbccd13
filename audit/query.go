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
// newest first. The most selective filter with an index (young person,
// actor, rule, outcome, organisation, action: audit_index, see
// entryQuery) is read in sequence order and the others are checked on its
// entries; the page is found by keyset (seq < Before) rather than OFFSET,
// so the thousandth page costs what the first does, also on a log of
// millions of entries.
func Search(ctx context.Context, db *sql.DB, q Query) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > MaxPage {
		return Page{}, fmt.Errorf("search audit log: limit %d is more than %d", limit, MaxPage)
	}
	query, args := q.read(limit + 1).sql()
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

// read is the query of q's filters, newest first, at most limit entries.
func (q Query) read(limit int) entryQuery {
	e := entryQuery{desc: true, limit: limit}
	if q.Before > 0 {
		e.hi = q.Before - 1
	}
	add := func(cond string, a ...any) { e.where, e.args = append(e.where, cond), append(e.args, a...) }
	// The first filter of these that is set is read through the index.
	via := func(b byIndex) {
		if e.via == nil {
			e.via = &b
		}
	}
	if q.Subject != "" {
		add("subject = ?", q.Subject)
		via(byIndex{facet: facetSubject, key: subjectKey(q.Subject)})
	}
	if q.UserID != "" {
		add("actor_user = ?", q.UserID)
		via(byIndex{facet: facetActor, key: q.UserID})
	}
	if q.Rule != "" {
		add("decision IS NOT NULL AND json_extract(decision, '$.rule') = ?", q.Rule)
		via(byIndex{facet: facetRule, key: q.Rule})
	}
	if q.Outcome != "" {
		add("decision IS NOT NULL AND json_extract(decision, '$.outcome') = ?", q.Outcome)
		via(byIndex{facet: facetOutcome, key: q.Outcome})
	}
	if q.Org != "" {
		add("actor_org = ?", q.Org)
		via(byIndex{facet: facetOrg, key: q.Org})
	}
	switch a := q.Action; {
	case a == "":
	case strings.HasSuffix(a, "."):
		// A prefix as a range of keys: '/' sorts right after '.'.
		upTo := a[:len(a)-1] + "/"
		add("action >= ? AND action < ?", a, upTo)
		via(byIndex{facet: facetAction, key: a, upTo: upTo})
	default:
		add("action = ?", a)
		via(byIndex{facet: facetAction, key: a})
	}
	if !q.Since.IsZero() {
		add("time >= ?", q.Since.UTC().Format(timeLayout))
	}
	if !q.Until.IsZero() {
		add("time < ?", q.Until.UTC().Format(timeLayout))
	}
	if q.Role != "" {
		add("actor_role = ?", q.Role)
	}
	if q.Object != "" {
		add("object = ?", q.Object)
	}
	if len(q.Orgs) > 0 {
		// Checked on each entry, never read through the index: a
		// cooperation's organisations are most of the log, which is read
		// newest first anyway.
		add("(actor_org IN (?"+strings.Repeat(", ?", len(q.Orgs)-1)+") OR actor_org = '')", anySlice(q.Orgs)...)
	}
	return e
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
