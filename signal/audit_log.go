package signal

import (
	"context"
	"io"
	"time"
)

// AuditLog is the operator's use of the audit log at the server's shell
// (signald audit verify, checkpoint and export): on the database file,
// with or without the service running. Its use cases are not themselves
// audited: verifying and exporting only read (whoever can read the file can
// copy it anyway, so an entry would prove nothing), and a checkpoint is
// its own record in the insert-only checkpoints table. The privacy
// officer's console reaches the log through Privacy, which audits.
type AuditLog struct {
	chain AuditChain
}

// AuditChain is the audit log of one database file as the operator's
// commands reach it. Package sqlite implements it over package audit.
type AuditChain interface {
	// OpenCheckpoint checks a signed checkpoint (kept outside Signaal)
	// against the checkpoint key and parses it.
	OpenCheckpoint(ctx context.Context, note []byte) (AuditCheckpoint, error)
	// CheckChain checks every entry against its content and predecessor,
	// the checkpoints stored in the log and the trusted ones given. A
	// tampered log is an outcome (Intact false), not an error.
	CheckChain(ctx context.Context, trusted []AuditCheckpoint) (AuditVerification, error)
	// IssueCheckpoint signs the log's current head and stores it.
	IssueCheckpoint(ctx context.Context) (AuditCheckpoint, error)
	// ExportAudit streams the entries at or after since (all if zero) to w
	// in sequence order and returns how many it wrote.
	ExportAudit(ctx context.Context, since time.Time, w io.Writer, format AuditFormat) (int64, error)
}

// AuditFormat is a format of the audit log's export.
type AuditFormat string

// The export formats.
const (
	AuditJSONL AuditFormat = "jsonl" // one JSON object per line
	AuditCSV   AuditFormat = "csv"   // a header row, then one row per entry
)

// NewAuditLog returns the operator's use cases over chain.
func NewAuditLog(chain AuditChain) *AuditLog { return &AuditLog{chain: chain} }

// operatorOnly refuses anyone but the operator at the server's shell.
func operatorOnly(actor Actor) error {
	if actor.Role != RoleSystem {
		return Errorf(CodeForbidden, "only the operator at the server's shell works on the audit log's file")
	}
	return nil
}

// OpenCheckpoint checks the signature of a checkpoint kept outside Signaal
// (the output of Checkpoint) and returns it, to hand to Verify.
//
// Callers: the operator (RoleSystem, signald audit verify --checkpoint).
// Errors: CodeForbidden for anyone else; CodeInvalid when the note is not
// a checkpoint signed by the checkpoint key.
func (l *AuditLog) OpenCheckpoint(ctx context.Context, actor Actor, note []byte) (AuditCheckpoint, error) {
	if err := operatorOnly(actor); err != nil {
		return AuditCheckpoint{}, err
	}
	return l.chain.OpenCheckpoint(ctx, note)
}

// Verify checks the whole chain: every entry's hash against its content
// and its predecessor, no gaps, nothing cut from the end, every checkpoint
// stored in the log (their signatures too, when the checkpoint key is
// known) and every trusted checkpoint given (from OpenCheckpoint). A
// tampered log is an outcome: Intact false, FirstBad and Problem say where.
//
// Callers: the operator (RoleSystem, signald audit verify).
// Errors: CodeForbidden for anyone else; a database without an audit log
// or one that cannot be read is an error without a code.
func (l *AuditLog) Verify(ctx context.Context, actor Actor, trusted []AuditCheckpoint) (AuditVerification, error) {
	if err := operatorOnly(actor); err != nil {
		return AuditVerification{}, err
	}
	return l.chain.CheckChain(ctx, trusted)
}

// Checkpoint signs the log's current size and head with the checkpoint key
// and stores it; its Note is what to keep outside Signaal.
//
// Callers: the operator (RoleSystem, signald audit checkpoint).
// Errors: CodeForbidden for anyone else; CodeUnavailable without a
// checkpoint key.
func (l *AuditLog) Checkpoint(ctx context.Context, actor Actor) (AuditCheckpoint, error) {
	if err := operatorOnly(actor); err != nil {
		return AuditCheckpoint{}, err
	}
	return l.chain.IssueCheckpoint(ctx)
}

// Export streams the entries at or after since (all if zero) to w in
// sequence order, for archiving, and returns how many it wrote.
//
// Callers: the operator (RoleSystem, signald audit export).
// Errors: CodeForbidden for anyone else; CodeInvalid for an unknown
// format.
func (l *AuditLog) Export(ctx context.Context, actor Actor, since time.Time, w io.Writer, format AuditFormat) (int64, error) {
	if err := operatorOnly(actor); err != nil {
		return 0, err
	}
	switch format {
	case AuditJSONL, AuditCSV:
	default:
		return 0, &Error{Code: CodeInvalid, Message: "unknown export format", Fields: []FieldError{{Field: "format", Problem: "want jsonl or csv, got " + string(format)}}}
	}
	return l.chain.ExportAudit(ctx, since, w, format)
}
