package app

import (
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
}

// OpenAuditLog returns the operator's use cases on the audit log of the
// database file at path (signald audit), without the rest of the
// application: no migration, no writer of the service's, no key store, no
// policy. Each use opens the file for just what it does, so the service
// may be running. The file must exist; check before, so a typo never
// creates an empty database.
func OpenAuditLog(path string, opts AuditLogOptions) *signal.AuditLog {
	return signal.NewAuditLog(sqlite.NewAuditFile(path, opts.Signer, opts.Verifier))
}
