package sqlite

import (
	"context"
	"encoding/hex"
	"errors"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
	"golang.org/x/mod/sumdb/note"
)

// Integrity checks and anchors the audit chain of db for the privacy
// officer's console: verification, stored checkpoints and issuing new ones.
type Integrity struct {
	db       *DB
	signer   note.Signer
	verifier note.Verifier
	trusted  []note.Verifier
}

var _ signal.AuditIntegrity = (*Integrity)(nil)

// Integrity returns the chain's checks over db. signer signs the
// checkpoints issued (nil: none can be issued); verifier checks the
// signatures of stored ones when verifying (nil: only their size and head);
// trusted are earlier checkpoint keys (rotated out) whose stored
// checkpoints still count.
func (db *DB) Integrity(signer note.Signer, verifier note.Verifier, trusted ...note.Verifier) *Integrity {
	return &Integrity{db: db, signer: signer, verifier: verifier, trusted: trusted}
}

func headString(h [32]byte) string { return "sha256:" + hex.EncodeToString(h[:]) }

// VerifyAudit implements signal.AuditIntegrity.
func (in *Integrity) VerifyAudit(ctx context.Context, fromCheckpoint bool) (signal.AuditVerification, error) {
	out := signal.AuditVerification{}
	opts := audit.VerifyOptions{Verifier: in.verifier, Trusted: in.trusted}
	var te *audit.TamperError
	if fromCheckpoint {
		out.FromCheckpoint = true
		stored, err := audit.StoredCheckpoints(ctx, in.db.read)
		switch {
		case errors.As(err, &te):
			out.FirstBad, out.Problem = te.Seq, te.Problem
			return out, nil
		case err != nil:
			return out, err
		case len(stored) > 0:
			last := stored[len(stored)-1].Checkpoint
			opts.From = &last
		default:
			out.FromCheckpoint = false // no checkpoint yet
		}
	}
	res, err := audit.Verify(ctx, in.db.read, opts)
	return verification(out, res, err)
}

// verification adds Verify's outcome to out: a tampered log is an outcome
// (Intact false, FirstBad, Problem), any other failure an error.
func verification(out signal.AuditVerification, res audit.VerifyResult, err error) (signal.AuditVerification, error) {
	var te *audit.TamperError
	switch {
	case errors.As(err, &te):
		out.FirstBad, out.Problem = te.Seq, te.Problem
	case err != nil:
		return out, err
	default:
		out.Intact = true
		out.Size, out.Head, out.Hashed, out.Anchors, out.Elapsed = res.Size, res.HeadString(), res.Hashed, res.Anchors, res.Elapsed
	}
	out.Untrusted = untrustedOf(res.Untrusted)
	return out, nil
}

// Checkpoints implements signal.AuditIntegrity.
func (in *Integrity) Checkpoints(ctx context.Context) ([]signal.AuditCheckpoint, error) {
	stored, err := audit.StoredCheckpoints(ctx, in.db.read)
	if err != nil {
		return nil, err
	}
	out := make([]signal.AuditCheckpoint, len(stored))
	for i, cp := range stored {
		out[i] = signal.AuditCheckpoint{ID: cp.ID, Origin: cp.Origin, Size: cp.Size, Head: headString(cp.Head), Time: cp.Time, Note: cp.Note}
	}
	return out, nil
}

// IssueCheckpoint implements signal.AuditIntegrity.
func (in *Integrity) IssueCheckpoint(ctx context.Context) (signal.AuditCheckpoint, error) {
	if in.signer == nil {
		return signal.AuditCheckpoint{}, signal.Errorf(signal.CodeUnavailable, "this server has no checkpoint key")
	}
	cp, note, err := in.db.writer.Checkpoint(ctx, in.signer)
	if err != nil {
		return signal.AuditCheckpoint{}, err
	}
	return signal.AuditCheckpoint{Origin: cp.Origin, Size: cp.Size, Head: headString(cp.Head), Time: cp.Time, Note: string(note)}, nil
}

// ForgetIPs forgets the client addresses of the audit entries older than
// signal.AuditIPRetention at now, as actor (the hourly job), and says how
// many. Entries written before audit migration 5 hold the address in their
// hashed columns and keep it (see audit.Appender.ForgetIPs).
// The forgetting and its audit entry are one unit of work: no audit, no
// forgetting; nothing forgotten, nothing recorded.
func (in *Integrity) ForgetIPs(ctx context.Context, actor signal.Actor, now time.Time) (int64, error) {
	before := now.Add(-signal.AuditIPRetention)
	var n int64
	err := in.db.writer.Do(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		if n, err = tx.log.ForgetIPs(ctx, before); err != nil || n == 0 {
			return err
		}
		_, err = tx.log.AppendAll(ctx, audit.Entry{Actor: actor, Action: signal.ActionAuditIPsForget,
			Object: "audit/ips-before/" + before.UTC().Format("2006-01-02")})
		return err
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		// secure_delete zeroes the rows in the database file; the WAL's
		// page images from before go too.
		in.db.truncateWALSoon()
	}
	return n, nil
}
