// Package audit is Signaal's append-only, tamper-evident audit log, kept in
// SQLite next to the service's own tables: its entries and their
// validation, the hash chain, verification, checkpoints, export and search.
//
// Privacy officers must be able to prove, months later, who decided what
// about which young person, under which policy version, who looked at what,
// and that nobody altered or removed a record (AVG art. 5(2), accountability;
// art. 30 and 32). The log is built so that it proves this instead of merely
// promising it:
//
//   - Every entry is chained: its hash is SHA-256 over the previous entry's
//     hash and the entry's canonical encoding (see [EntryHash]). Altering,
//     deleting, inserting or reordering an entry breaks the chain at that
//     entry, and [Verify] names it.
//   - UPDATE and DELETE are refused by the database itself (triggers), so a
//     bug or an SQL injection in the service cannot rewrite history; someone
//     with a SQLite shell who drops the triggers is still caught by the chain.
//   - Signed checkpoints (size and head hash, Ed25519, in Go's signed-note
//     format) can be stored elsewhere; a log later cut back, rolled back or
//     rewritten from the start no longer matches them.
//
// Entries are appended through a [Chain], always inside a transaction of the
// store's own: the store's write engine (signal/sqlite, which owns the
// connection, its settings, group commit and the fsync) begins the
// transaction and hands it to [Chain.Begin]; the unit of work appends its
// entries with [Appender.Append] beside the rows of the action they record,
// so an action and its audit entry are stored together or not at all: no
// audit, no action. This package opens no write connection, sets no PRAGMA
// and runs no goroutine of its own.
//
// Reading ([Verify], [Export], [Entries], [Search]) takes a plain read
// handle and never the writer.
package audit

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// Entry is one audit record as the service hands it to [Appender.Append].
//
// Entries hold codes and identifiers, never content: no names, birth dates or
// free text about a young person (AVG art. 5(1)(c), data minimisation; the log
// is kept far longer than the signals it describes). Append refuses values
// that look like free text where a code belongs.
type Entry struct {
	// Time of the event; zero means the chain's clock. Stored in UTC with
	// nanoseconds.
	Time time.Time
	// Actor is who did it and the request it came from; empty UserID for
	// an unauthenticated attempt. Role is one of signal.Roles or
	// signal.RoleSystem; IP is a
	// literal IPv4 or IPv6 address, or "".
	Actor signal.Actor
	// Action is what was done, one of the constants of signal.AuditAction
	// (signal/audit_actions.go): a dotted lower-case verb.
	Action signal.AuditAction
	// Object is the identifier of what the action concerns, e.g.
	// "signal/01HZX3…" or "policy/sha256:…"; empty if none.
	Object string
	// Subject is the caller's keyed pseudonym of the young person concerned
	// (an HMAC of the person's identity under a server secret, encoded in
	// base64url or hex, optionally with a short lower-case prefix such as
	// "yp:"), "" if none. It is never a name, a birth date or a BSN: Append
	// refuses anything that does not look like a pseudonym.
	Subject string
	// Decision is the sharing decision, when the action made one.
	Decision *Decision
}

// Decision records a sharing decision: what the policy decided, by which
// rule, under which policy version, on which input (rule R11 of the reference
// rule set: inputs, rule, outcome, fields, recipient, purpose, and decisions
// NOT to share too).
type Decision struct {
	Outcome       string   `json:"outcome"`
	Level         string   `json:"level"`
	Rule          string   `json:"rule"`
	Fields        []string `json:"fields"`
	Obligations   []string `json:"obligations"`
	Reasons       []string `json:"reasons"` // reason codes only
	PolicyVersion string   `json:"policy_version"`
	Purpose       string   `json:"purpose"`
	Recipient     string   `json:"recipient"`
	// Input is the policy input document (enums, booleans, age; never free
	// text), as entries written before the log kept InputDigest hold it.
	// Leave it empty and set InputDigest: the answers in it are few
	// booleans and enums, which whoever reads the database would read
	// (or, from a plain hash, guess) about the young person.
	Input json.RawMessage `json:"input,omitempty"`
	// InputDigest is the caller's keyed digest of the input document (e.g.
	// "hmac:<hex>"): it binds the decision to its input without telling
	// the input. With it set, the entry has no "input" at all.
	InputDigest string `json:"input_digest,omitempty"`
	// Texts are, for a disclosure, the texts that went to the recipient as
	// codes: which text, which version and a keyed digest, never the text
	// (the caller's format, e.g. "<signal id>:facts:minimal:<digest>").
	// Omitted when empty, so entries without it hash as before.
	Texts []string `json:"texts,omitempty"`
}

// Record is an entry as stored: its sequence number and chain hash besides
// the entry itself.
type Record struct {
	Seq  int64
	Hash [32]byte
	Entry
	// StoredIP is the origin_ip column as stored and hashed: for entries
	// since audit migration 5 a commitment to Actor.IP (which is "" once
	// ForgetIPs forgot the address); for older ones the address itself.
	StoredIP string
}

// ErrInvalidEntry is matched (errors.Is) by every *EntryError.
var ErrInvalidEntry = errors.New("invalid audit entry")

// EntryError says which fields of an Entry were refused and why. The field
// names are the entry's wire spelling ("action", "actor.role",
// "decision.input").
type EntryError struct {
	Problems []FieldProblem
}

// FieldProblem is one refused field.
type FieldProblem struct {
	Field   string
	Problem string
}

func (e *EntryError) Error() string {
	var b strings.Builder
	b.WriteString("invalid audit entry")
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.Field)
		b.WriteString(": ")
		b.WriteString(p.Problem)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalidEntry) true for every *EntryError.
func (e *EntryError) Is(target error) bool { return target == ErrInvalidEntry }
