package sqlite

import (
	"context"
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
	return verification(out, res, err)
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
		return signal.AuditCheckpoint{}, err
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
	return audit.Export(ctx, db, since, w, audit.Format(format))
}

func untrustedOf(us []audit.UntrustedCheckpoint) []signal.AuditUntrusted {
	var out []signal.AuditUntrusted
	for _, u := range us {
		out = append(out, signal.AuditUntrusted{ID: u.ID, Size: u.Size, Keys: u.Keys})
	}
	return out
}
