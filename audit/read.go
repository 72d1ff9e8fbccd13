package audit

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"
)

// Filter selects entries for Entries. Zero fields do not filter.
type Filter struct {
	FromSeq int64     // first sequence number, inclusive
	ToSeq   int64     // last sequence number, inclusive
	Since   time.Time // entries at or after this time
	Until   time.Time // entries before this time
	Action  string    // exactly this action, or every action under a prefix ending in "." ("login.")
	Subject string    // this young person's pseudonym (an access request, AVG art. 15)
	UserID  string    // this actor
	Limit   int       // at most this many entries
}

// Entries yields the entries of the log in db (a read handle) that match f,
// in sequence order, streaming them from the database. Page through a long
// log with FromSeq = last seen + 1 and a Limit. It stops at the first error,
// which it yields.
func Entries(ctx context.Context, db *sql.DB, f Filter) iter.Seq2[Record, error] {
	return entries(ctx, db, f.read())
}

func entries(ctx context.Context, db *sql.DB, eq entryQuery) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		q, args := eq.sql()
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			yield(Record{}, fmt.Errorf("read audit entries: %w", err))
			return
		}
		defer rows.Close()
		err = scanRecords(rows, func(rec Record) bool { return yield(rec, nil) })
		if err != nil {
			yield(Record{}, fmt.Errorf("read audit entries: %w", err))
		}
	}
}

// read is the query of f's filters, in sequence order: Search's (see
// Query.read), oldest first and between FromSeq and ToSeq.
func (f Filter) read() entryQuery {
	e := Query{Since: f.Since, Until: f.Until, Subject: f.Subject, UserID: f.UserID, Action: f.Action}.read(f.Limit)
	e.desc, e.lo, e.hi = false, f.FromSeq, f.ToSeq
	return e
}

// recordColumns is the select list [scanRecords] reads, in [row] order.
const recordColumns = `seq, time, actor_user, actor_role, actor_org, action, object, subject,
	decision, origin_request, origin_ip, hash, ` + keptAddress

// keptAddress is the address audit_origins keeps for an entry; NULL in a
// log from before it (entryQuery.noOrigins).
const keptAddress = `(SELECT ip FROM audit_origins o WHERE o.seq = audit_entries.seq)`

// scanRecords turns each row of rows (selected as recordColumns) into a
// record and hands it to each, until each returns false or the rows end. It
// returns the first scan or decoding error, unwrapped: the caller says what
// it was reading.
func scanRecords(rows *sql.Rows, each func(Record) bool) error {
	var (
		r    row
		hash []byte
		ip   sql.NullString
		dest = []any{&r.seq}
	)
	for i := range r.cols {
		dest = append(dest, &r.cols[i])
	}
	dest = append(dest, &hash, &ip)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		rec, err := fromRow(&r, hash, ip)
		if err != nil {
			return err
		}
		if !each(rec) {
			return nil
		}
	}
	return rows.Err()
}

// Format is an export format.
type Format string

// Export formats.
const (
	JSONL Format = "jsonl" // one JSON object per line
	CSV   Format = "csv"   // a header row, then one row per entry
)

// exportRecord is an entry in the export's JSON shape; the field order is
// the export's stable column order.
type exportRecord struct {
	Seq      int64     `json:"seq"`
	Time     string    `json:"time"`
	Actor    exportWho `json:"actor"`
	Action   string    `json:"action"`
	Object   string    `json:"object"`
	Subject  string    `json:"subject"`
	Decision *Decision `json:"decision"`
	Origin   exportReq `json:"origin"`
	Hash     string    `json:"hash"`
}

type exportWho struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
	Org    string `json:"org"`
}

type exportReq struct {
	RequestID string `json:"request_id"`
	IP        string `json:"ip"`
}

// csvHeader is the CSV export's stable column order.
var csvHeader = []string{
	"seq", "time", "actor_user_id", "actor_role", "actor_org", "action", "object", "subject",
	"outcome", "level", "rule", "fields", "obligations", "reasons", "policy_version", "purpose", "recipient", "input",
	"request_id", "ip", "hash", "input_digest",
}

// Export writes the entries at or after since (all if zero) to w, streamed
// row by row in sequence order, and returns how many it wrote. Times are RFC
// 3339 UTC; hashes are "sha256:<hex>" chain hashes, so an archive can be
// matched against a checkpoint. In CSV, lists are joined with "|" and the
// decision input is compact JSON (entries written since the log keeps
// input digests have an input_digest instead, the last column).
//
// Export only reads and records nothing itself. Today only the operator's
// signald audit export runs it (signal.AuditLog), unaudited, since whoever
// can run it can copy the file; an export offered through the API would
// have to audit it (signal.ActionAuditExport) in its service.
func Export(ctx context.Context, db *sql.DB, since time.Time, w io.Writer, format Format) (int64, error) {
	var write func(Record) error
	var flush func() error
	switch format {
	case JSONL, "":
		bw := bufio.NewWriterSize(w, 64<<10)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		write = func(r Record) error { return enc.Encode(toExport(r)) }
		flush = bw.Flush
	case CSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(csvHeader); err != nil {
			return 0, fmt.Errorf("export audit log: %w", err)
		}
		write = func(r Record) error { return cw.Write(csvRow(r)) }
		flush = func() error { cw.Flush(); return cw.Error() }
	default:
		return 0, fmt.Errorf("export audit log: unknown format %q (want jsonl or csv)", format)
	}
	// A log from before audit_origins (version 4) is exported as it is,
	// read-only like Verify: its entries hold their address themselves.
	origins, err := checkVerifiable(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("export audit log: %w", err)
	}
	q := Filter{Since: since}.read()
	q.noOrigins = !origins
	var n int64
	for r, err := range entries(ctx, db, q) {
		if err != nil {
			return n, fmt.Errorf("export audit log: %w", err)
		}
		if err := write(r); err != nil {
			return n, fmt.Errorf("export audit log: entry %d: %w", r.Seq, err)
		}
		n++
	}
	if err := flush(); err != nil {
		return n, fmt.Errorf("export audit log: %w", err)
	}
	return n, nil
}

func toExport(r Record) exportRecord {
	return exportRecord{
		Seq:      r.Seq,
		Time:     r.Time.UTC().Format(time.RFC3339Nano),
		Actor:    exportWho{r.Actor.UserID, string(r.Actor.Role), r.Actor.OrgID},
		Action:   string(r.Action),
		Object:   r.Object,
		Subject:  r.Subject,
		Decision: r.Decision,
		Origin:   exportReq{r.Actor.RequestID, r.Actor.IP},
		Hash:     "sha256:" + hex.EncodeToString(r.Hash[:]),
	}
}

func csvRow(r Record) []string {
	d := r.Decision
	if d == nil {
		d = &Decision{}
	}
	return []string{
		strconv.FormatInt(r.Seq, 10), r.Time.UTC().Format(time.RFC3339Nano),
		cell(r.Actor.UserID), cell(string(r.Actor.Role)), cell(r.Actor.OrgID), cell(string(r.Action)), cell(r.Object), cell(r.Subject),
		cell(d.Outcome), cell(d.Level), cell(d.Rule),
		cell(strings.Join(d.Fields, "|")), cell(strings.Join(d.Obligations, "|")), cell(strings.Join(d.Reasons, "|")),
		cell(d.PolicyVersion), cell(d.Purpose), cell(d.Recipient), string(d.Input),
		cell(r.Actor.RequestID), cell(r.Actor.IP),
		"sha256:" + hex.EncodeToString(r.Hash[:]), cell(d.InputDigest),
	}
}

// cell keeps a spreadsheet from reading a value as a formula (CSV
// injection): values starting with = + - @ get a leading apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}
