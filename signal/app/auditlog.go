package app

import (
	"context"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
	"golang.org/x/mod/sumdb/note"
)

// AuditLogOptions configure OpenAuditLog.
type AuditLogOptions struct {
	// Signer signs checkpoints; nil means none can be issued.
	Signer note.Signer
	// Verifier checks signed checkpoints, given or stored in the log; nil
	// means stored ones are compared by size and head only.
	Verifier note.Verifier
	// Trusted are earlier checkpoint keys, rotated out (signald audit
	// rotate-key): stored checkpoints they signed still count.
	Trusted []note.Verifier
}

// OpenAuditLog returns the operator's use cases on the audit log of the
// database file at path (signald audit), without the rest of the
// application: no migration, no writer of the service's, no key store, no
// policy. Each use opens the file for just what it does, so the service
// may be running. The file must exist; check before, so a typo never
// creates an empty database.
func OpenAuditLog(path string, opts AuditLogOptions) *signal.AuditLog {
	return signal.NewAuditLog(sqlite.NewAuditFile(path, opts.Signer, opts.Verifier, opts.Trusted...))
}

// CheckAuditLog fails, saying what to do, unless the database file at path
// holds an audit log this program can write to (write: a checkpoint) or
// read (verify, export), before a command does anything else (such as
// creating a checkpoint key).
func CheckAuditLog(ctx context.Context, path string, write bool) error {
	return sqlite.NewAuditFile(path, nil, nil).CheckSchema(ctx, write)
}

// Lock takes the ownership of the database file at path for purpose (see
// sqlite.Lock), for an operator's command that changes what the service
// owns but opens no application (signald audit rotate-key). It fails at
// once, saying what to do, while another process owns the database.
func Lock(path, purpose string) (release func() error, err error) {
	l, err := sqlite.AcquireLock(path, purpose)
	if err != nil {
		return nil, err
	}
	return l.Release, nil
}
