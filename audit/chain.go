package audit

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// The chain, in full (format version 1):
//
//	hash(1) = SHA-256(genesis ‖ encoding(entry 1)),  genesis = 32 zero bytes
//	hash(n) = SHA-256(hash(n-1) ‖ encoding(entry n))
//
//	encoding(entry) = "signaal-audit-v1" ‖ uint64be(seq) ‖ fields
//	fields = for each column, in this order: decimal(len) ‖ ":" ‖ bytes
//	    time, actor_user, actor_role, actor_org, action, object, subject,
//	    decision, origin_request, origin_ip
//
// origin_ip is, since audit migration 5, a salted commitment to the
// client's address (commitIP), the address itself kept in audit_origins
// until ForgetIPs removes it; entries from before hold the address.
//
// Each field is length-prefixed (a netstring without the trailing comma), so
// no two different entries share an encoding, whatever bytes a tamperer puts
// in a column. The columns are hashed exactly as stored (time as fixed-width
// RFC 3339 UTC text, the decision as the JSON text stored), so verifying
// needs no parsing, and no JSON encoder's choices can ever make a stored
// entry hash differently. A NULL decision (no decision) encodes like an
// empty one. Sequence numbers start at 1 and have no gaps; the sequence
// number is hashed, so an entry moved to another position no longer matches.
//
// The fields part is simple enough for SQLite to build itself (see
// fieldsSQL), which is what lets Verify read three columns per entry instead
// of twelve: reading columns, not hashing, is what limits its speed.

// hashTag separates this hash's inputs from any other SHA-256 use.
const hashTag = "signaal-audit-v1"

// timeLayout is RFC 3339 in UTC with a fixed nine-digit fraction, so the
// stored text sorts in time order and is byte-for-byte reproducible.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// columns is the number of hashed columns after seq.
const columns = 10

// row is an entry as stored, column by column; ip and salt are the
// client's address and the salt of its commitment in cols[9], kept in
// audit_origins (see commitIP).
type row struct {
	seq  int64
	cols [columns][]byte
	ip   string
	salt []byte
}

// ipCommitPrefix starts an origin_ip column that holds a commitment to the
// address rather than the address.
const ipCommitPrefix = "ipc1:"

// commitIP replaces the address in r's origin_ip column by a salted
// commitment, base64url(SHA-256(tag ‖ salt ‖ address)) after ipCommitPrefix,
// and keeps the address and the salt in r for audit_origins. The chain
// hashes the commitment; once ForgetIPs deleted the address and its salt,
// the commitment cannot be turned back into an address (a random 16-byte
// salt, so not even by trying all 2^32 IPv4 addresses), while the hash, and
// so the chain, stays as it was.
func commitIP(r *row) {
	if len(r.cols[9]) == 0 {
		return
	}
	r.ip = string(r.cols[9])
	r.salt = make([]byte, 16)
	rand.Read(r.salt)
	r.cols[9] = []byte(ipCommitment(r.ip, r.salt))
}

// AddressSQL is the SQL expression of an entry's client address, in a
// query over audit_entries (not aliased): the address kept in
// audit_origins, "" once forgotten, or for entries from before audit
// migration 5 the origin_ip column itself.
const AddressSQL = `CASE WHEN origin_ip LIKE '` + ipCommitPrefix + `%'
	THEN coalesce((SELECT ip FROM audit_origins o WHERE o.seq = audit_entries.seq), '')
	ELSE origin_ip END`

func ipCommitment(ip string, salt []byte) string {
	h := sha256.New()
	h.Write([]byte("signaal-audit-ip-v1\x00"))
	h.Write(salt)
	h.Write([]byte(ip))
	return ipCommitPrefix + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// fieldsSQL is the SQL expression computing the fields part of the
// encoding of a row of audit_entries; appendFields is its Go twin, and the
// tests check they agree.
const fieldsSQL = `octet_length(time) || ':' || time ||
	octet_length(actor_user) || ':' || actor_user ||
	octet_length(actor_role) || ':' || actor_role ||
	octet_length(actor_org) || ':' || actor_org ||
	octet_length(action) || ':' || action ||
	octet_length(object) || ':' || object ||
	octet_length(subject) || ':' || subject ||
	coalesce(octet_length(decision), 0) || ':' || coalesce(decision, '') ||
	octet_length(origin_request) || ':' || origin_request ||
	octet_length(origin_ip) || ':' || origin_ip`

// appendFields appends the fields part of r's encoding to buf.
func appendFields(buf []byte, r *row) []byte {
	for _, c := range r.cols {
		buf = strconv.AppendInt(buf, int64(len(c)), 10)
		buf = append(buf, ':')
		buf = append(buf, c...)
	}
	return buf
}

// appendEncoding appends the canonical encoding of r to buf.
func appendEncoding(buf []byte, r *row) []byte {
	return appendFields(appendHeader(buf, r.seq), r)
}

// appendHeader appends the encoding's tag and sequence number.
func appendHeader(buf []byte, seq int64) []byte {
	buf = append(buf, hashTag...)
	return binary.BigEndian.AppendUint64(buf, uint64(seq))
}

// chainHash returns SHA-256(prev ‖ enc).
func chainHash(prev *[32]byte, enc []byte) [32]byte {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(enc)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// EntryHash returns the chain hash of record r given the previous entry's
// hash (32 zero bytes for the first entry). It is what [Verify] recomputes;
// it is exported so that the chain can be checked independently of this
// package's SQL.
func EntryHash(prev [32]byte, r Record) ([32]byte, error) {
	row, err := toRow(r.Seq, r.Entry)
	if err != nil {
		return [32]byte{}, err
	}
	if r.StoredIP != "" {
		row.cols[9] = []byte(r.StoredIP)
	}
	return chainHash(&prev, appendEncoding(nil, &row)), nil
}

// toRow turns a validated entry into its stored columns.
func toRow(seq int64, e Entry) (row, error) {
	r := row{seq: seq}
	var decision []byte
	if e.Decision != nil {
		decision = appendDecision(make([]byte, 0, 256+len(e.Decision.Input)), e.Decision)
	}
	r.cols = [columns][]byte{
		[]byte(e.Time.UTC().Format(timeLayout)),
		[]byte(e.Actor.UserID),
		[]byte(e.Actor.Role),
		[]byte(e.Actor.OrgID),
		[]byte(e.Action),
		[]byte(e.Object),
		[]byte(e.Subject),
		decision,
		[]byte(e.Actor.RequestID),
		[]byte(e.Actor.IP),
	}
	return r, nil
}

// appendDecision appends d as JSON, byte for byte what json.Marshal makes
// of it (the tests check), without reflection: it runs on the writer's
// goroutine for every decision. Lists are [] rather than null, and a missing
// input is {}, so the JSON reads the same whether a list was nil or empty;
// a decision with an input digest has no input (entries since the digest
// was introduced), one without has "input" as it always had, so every
// entry from before encodes, and hashes, as it was written.
func appendDecision(b []byte, d *Decision) []byte {
	b = append(b, `{"outcome":`...)
	b = appendJSONString(b, d.Outcome)
	b = append(b, `,"level":`...)
	b = appendJSONString(b, d.Level)
	b = append(b, `,"rule":`...)
	b = appendJSONString(b, d.Rule)
	b = append(b, `,"fields":`...)
	b = appendJSONList(b, d.Fields)
	b = append(b, `,"obligations":`...)
	b = appendJSONList(b, d.Obligations)
	b = append(b, `,"reasons":`...)
	b = appendJSONList(b, d.Reasons)
	b = append(b, `,"policy_version":`...)
	b = appendJSONString(b, d.PolicyVersion)
	b = append(b, `,"purpose":`...)
	b = appendJSONString(b, d.Purpose)
	b = append(b, `,"recipient":`...)
	b = appendJSONString(b, d.Recipient)
	switch {
	case len(d.Input) > 0:
		b = append(b, `,"input":`...)
		b = append(b, d.Input...) // compact, checked by validate
	case d.InputDigest == "":
		b = append(b, `,"input":{}`...) // as every entry without an input has it
	}
	if d.InputDigest != "" {
		b = append(b, `,"input_digest":`...)
		b = appendJSONString(b, d.InputDigest)
	}
	if len(d.Texts) > 0 {
		b = append(b, `,"texts":`...)
		b = appendJSONList(b, d.Texts)
	}
	return append(b, '}')
}

func appendJSONList(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString quotes s; codes need no escaping, anything else (only
// in records read back from a tampered log) goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	if only(s, isCodeByte) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// fromRow turns stored columns back into a record; ip is the address kept
// in audit_origins, if any.
func fromRow(r *row, hash []byte, ip sql.NullString) (Record, error) {
	rec := Record{Seq: r.seq, StoredIP: string(r.cols[9])}
	copy(rec.Hash[:], hash)
	t, err := time.Parse(time.RFC3339Nano, string(r.cols[0]))
	if err != nil {
		return Record{}, fmt.Errorf("entry %d: time: %w", r.seq, err)
	}
	rec.Time = t.UTC()
	rec.Actor = signal.Actor{UserID: string(r.cols[1]), Role: signal.Role(r.cols[2]), OrgID: string(r.cols[3]),
		RequestID: string(r.cols[8]), IP: string(r.cols[9])}
	if strings.HasPrefix(rec.Actor.IP, ipCommitPrefix) {
		rec.Actor.IP = ip.String // "" once forgotten
	}
	rec.Action = signal.AuditAction(r.cols[4])
	rec.Object = string(r.cols[5])
	rec.Subject = string(r.cols[6])
	if len(r.cols[7]) > 0 {
		var d Decision
		if err := json.Unmarshal(r.cols[7], &d); err != nil {
			return Record{}, fmt.Errorf("entry %d: decision: %w", r.seq, err)
		}
		rec.Decision = &d
	}
	return rec, nil
}
