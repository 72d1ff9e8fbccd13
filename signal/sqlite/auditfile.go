package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
	"golang.org/x/mod/sumdb/note"
)

// AuditFile is the audit log of a database file opened apart from the
// service, for the operator's commands (signal.AuditLog): each use opens
// the file for just what it does, read-only to verify and export, with a
// writer of its own to store a checkpoint, and closes it again.
type AuditFile struct {
	path     string
	signer   note.Signer
	verifier note.Verifier
	trusted  []note.Verifier
}

var _ signal.AuditChain = (*AuditFile)(nil)

// NewAuditFile returns the audit log of the database file at path. signer
// signs checkpoints (nil: none can be issued); verifier checks signed
// checkpoints, given or stored (nil: stored ones by size and head only);
// trusted are earlier checkpoint keys whose stored checkpoints still count.
func NewAuditFile(path string, signer note.Signer, verifier note.Verifier, trusted ...note.Verifier) *AuditFile {
	return &AuditFile{path: path, signer: signer, verifier: verifier, trusted: trusted}
}

// CheckSchema fails, saying what to do, unless the file holds an audit
// log this program can write to (write), or read as it is (verify and
// export also read a log from before audit_origins).
func (f *AuditFile) CheckSchema(ctx context.Context, write bool) error {
	db, err := OpenRead(f.path)
	if err != nil {
		return err
	}
	defer db.Close()
	return f.schemaErr(audit.CheckSchema(ctx, db, !write))
}

// schemaErr turns the audit package's schema errors into what an operator
// does about them; other errors pass unchanged.
func (f *AuditFile) schemaErr(err error) error {
	var se *audit.SchemaError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, audit.ErrNoLog):
		return &signal.Error{Code: signal.CodeUnavailable, Err: err, Message: fmt.Sprintf(
			"no audit log in this database (%s): is it Signaal's database? (signald serve gives a new database its log when it first starts)", f.path)}
	case errors.As(err, &se) && se.Version < se.Want:
		return &signal.Error{Code: signal.CodeUnavailable, Err: err, Message: fmt.Sprintf(
			"the audit log in %s is from an older signald (schema version %d, this one writes %d): start signald serve on it once, which migrates it, then run this command again",
			f.path, se.Version, se.Want)}
	case errors.As(err, &se):
		return &signal.Error{Code: signal.CodeUnavailable, Err: err, Message: fmt.Sprintf(
			"the audit log in %s is from a newer signald (schema version %d, this one knows %d): use that signald", f.path, se.Version, se.Want)}
	}
	return err
}

// OpenCheckpoint implements signal.AuditChain.
func (f *AuditFile) OpenCheckpoint(_ context.Context, msg []byte) (signal.AuditCheckpoint, error) {
	if f.verifier == nil {
		return signal.AuditCheckpoint{}, signal.Errorf(signal.CodeInvalid, "no public key to check the checkpoint's signature with")
	}
	cp, err := audit.OpenCheckpoint(msg, f.verifier)
	if err != nil {
		return signal.AuditCheckpoint{}, &signal.Error{Code: signal.CodeInvalid, Message: err.Error(), Err: err}
	}
	return signal.AuditCheckpoint{Origin: cp.Origin, Size: cp.Size, Head: headString(cp.Head), Time: cp.Time, Note: string(msg)}, nil
}

// CheckChain implements signal.AuditChain.
func (f *AuditFile) CheckChain(ctx context.Context, trusted []signal.AuditCheckpoint) (signal.AuditVerification, error) {
	var out signal.AuditVerification
	opts := audit.VerifyOptions{Verifier: f.verifier, Trusted: f.trusted}
	for _, t := range trusted {
		if f.verifier == nil {
			return out, signal.Errorf(signal.CodeInvalid, "no public key to check the checkpoint's signature with")
		}
		cp, err := audit.OpenCheckpoint([]byte(t.Note), f.verifier)
		if err != nil {
			return out, &signal.Error{Code: signal.CodeInvalid, Message: err.Error(), Err: err}
		}
		opts.Checkpoints = append(opts.Checkpoints, cp)
	}
	db, err := OpenRead(f.path)
	if err != nil {
		return out, err
	}
	defer db.Close()
	res, err := audit.Verify(ctx, db, opts)
	return verification(out, res, f.schemaErr(err))
}

// IssueCheckpoint implements signal.AuditChain: a writer of its own, every
// commit waiting for the disk. It writes, so it takes the database's owner
// lock: not beside a running service (which checkpoints itself hourly and
// from the privacy console), ErrInUse then.
func (f *AuditFile) IssueCheckpoint(ctx context.Context) (signal.AuditCheckpoint, error) {
	if f.signer == nil {
		return signal.AuditCheckpoint{}, signal.Errorf(signal.CodeUnavailable, "no checkpoint key")
	}
	lock, err := AcquireLock(f.path, "audit checkpoint")
	if err != nil {
		return signal.AuditCheckpoint{}, err
	}
	defer lock.Release()
	h, err := OpenWrite(f.path)
	if err != nil {
		return signal.AuditCheckpoint{}, err
	}
	defer h.Close()
	w, err := NewWriter(h, WriterOptions{})
	if err != nil {
		return signal.AuditCheckpoint{}, f.schemaErr(err)
	}
	cp, msg, err := w.Checkpoint(ctx, f.signer)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return signal.AuditCheckpoint{}, err
	}
	return signal.AuditCheckpoint{Origin: cp.Origin, Size: cp.Size, Head: headString(cp.Head), Time: cp.Time, Note: string(msg)}, nil
}

// ExportAudit implements signal.AuditChain.
func (f *AuditFile) ExportAudit(ctx context.Context, since time.Time, w io.Writer, format signal.AuditFormat) (int64, error) {
	db, err := OpenRead(f.path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	n, err := audit.Export(ctx, db, since, w, audit.Format(format))
	return n, f.schemaErr(err)
}

func untrustedOf(us []audit.UntrustedCheckpoint) []signal.AuditUntrusted {
	var out []signal.AuditUntrusted
	for _, u := range us {
		out = append(out, signal.AuditUntrusted{ID: u.ID, Size: u.Size, Keys: u.Keys})
	}
	return out
}
