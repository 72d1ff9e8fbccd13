package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a statement that the log had Size entries with head hash
// Head at Time. Signed, and stored somewhere the database's administrators
// cannot change, it lets anyone later prove the log was not cut back,
// rolled back or rewritten before that point (the transparency-log idea of
// Certificate Transparency and Go's checksum database).
//
// Its text is a signed note (golang.org/x/mod/sumdb/note, Ed25519) whose
// body is, one per line: the origin (the signing key's name), the size in
// decimal, the head hash in base64, and the time in RFC 3339 UTC:
//
//	signaal-audit/host-1
//	1234
//	q1bS…=
//	2026-11-22T20:15:00Z
//
//	— signaal-audit/host-1 Az3…
type Checkpoint struct {
	Origin string
	Size   int64
	Head   [32]byte
	Time   time.Time
}

// Text returns the checkpoint's unsigned note body.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Head[:]), c.Time.UTC().Format(time.RFC3339))
}

// Sign returns the checkpoint as a signed note.
func (c Checkpoint) Sign(signer note.Signer) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: c.Text()}, signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint checks a signed checkpoint's signature with verifier and
// parses it.
func OpenCheckpoint(msg []byte, verifier note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return Checkpoint{}, fmt.Errorf("checkpoint is not signed by key %s", verifier.Name())
		}
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	return parseCheckpoint(n.Text)
}

func parseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 4 {
		return Checkpoint{}, fmt.Errorf("checkpoint: want 4 lines (origin, size, head, time), got %d", len(lines))
	}
	var c Checkpoint
	c.Origin = lines[0]
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return Checkpoint{}, fmt.Errorf("checkpoint: size %q is not a count of entries", lines[1])
	}
	c.Size = size
	head, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(head) != len(c.Head) {
		return Checkpoint{}, fmt.Errorf("checkpoint: head is not a base64 SHA-256 hash")
	}
	copy(c.Head[:], head)
	if c.Time, err = time.Parse(time.RFC3339, lines[3]); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: time: %w", err)
	}
	return c, nil
}

// Checkpoint signs the log's current size and head with signer, stores the
// signed checkpoint in audit_checkpoints (insert-only, so the privacy
// officer's console can list every checkpoint issued) inside the
// Appender's transaction, and returns it. Reading the head and storing the
// checkpoint happen in one transaction, so the checkpoint describes exactly
// the log it is stored with. Its time is the chain's clock, to the second.
func (a *Appender) Checkpoint(ctx context.Context, signer note.Signer) (Checkpoint, []byte, error) {
	c := Checkpoint{Origin: signer.Name(), Time: a.c.now().UTC().Truncate(time.Second)}
	var head []byte
	switch err := a.tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1").Scan(&c.Size, &head); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return Checkpoint{}, nil, err
	default:
		copy(c.Head[:], head)
	}
	msg, err := c.Sign(signer)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	if _, err := a.tx.ExecContext(ctx, "INSERT INTO audit_checkpoints (size, head, time, note) VALUES (?, ?, ?, ?)",
		c.Size, c.Head[:], c.Time.Format(time.RFC3339), string(msg)); err != nil {
		return Checkpoint{}, nil, err
	}
	return c, msg, nil
}

// StoredCheckpoint is a checkpoint as kept in audit_checkpoints.
type StoredCheckpoint struct {
	ID int64
	Checkpoint
	Note string // the signed note
}

// StoredCheckpoints lists the checkpoints issued, oldest first.
func StoredCheckpoints(ctx context.Context, db *sql.DB) ([]StoredCheckpoint, error) {
	rows, err := db.QueryContext(ctx, "SELECT id, size, head, time, note FROM audit_checkpoints ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list audit checkpoints: %w", err)
	}
	defer rows.Close()
	var out []StoredCheckpoint
	for rows.Next() {
		var (
			s    StoredCheckpoint
			head []byte
			t    string
		)
		if err := rows.Scan(&s.ID, &s.Size, &head, &t, &s.Note); err != nil {
			return nil, fmt.Errorf("list audit checkpoints: %w", err)
		}
		if len(head) != len(s.Head) {
			return nil, tampered(s.Size, "stored checkpoint %d: head is not 32 bytes", s.ID)
		}
		copy(s.Head[:], head)
		if s.Time, err = time.Parse(time.RFC3339, t); err != nil {
			return nil, tampered(s.Size, "stored checkpoint %d: time %q is not RFC 3339", s.ID, t)
		}
		// The origin is only in the signed text; reading it needs no key
		// (Verify checks the signatures when given the public key).
		var unverified *note.UnverifiedNoteError
		if _, err := note.Open([]byte(s.Note), note.VerifierList()); !errors.As(err, &unverified) {
			return nil, tampered(s.Size, "stored checkpoint %d: not a signed note", s.ID)
		}
		c, err := parseCheckpoint(unverified.Note.Text)
		if err != nil {
			return nil, tampered(s.Size, "stored checkpoint %d: %v", s.ID, err)
		}
		s.Origin = c.Origin
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit checkpoints: %w", err)
	}
	return out, nil
}

// Head returns the log's size and head hash (zero for an empty log).
func Head(ctx context.Context, db *sql.DB) (int64, [32]byte, error) {
	var (
		size int64
		head []byte
		h    [32]byte
	)
	err := db.QueryRowContext(ctx, "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1").Scan(&size, &head)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, h, nil
	case err != nil:
		return 0, h, fmt.Errorf("read audit log head: %w", err)
	}
	copy(h[:], head)
	return size, h, nil
}

// CheckpointKeyFile is the default name of the checkpoint signing key in the
// keys directory.
const CheckpointKeyFile = "checkpoint-ed25519.key"

// LoadOrCreateKey reads the checkpoint signing key at path, or creates it
// (mode 0600, its directory 0700) on first use, named name (for example
// "signaal-audit/<host>"). The key is a Go signed-note private key; next to
// it a ".pub" file holds the public verifier key to hand to whoever keeps
// the checkpoints. The key is kept outside the database on purpose: whoever
// can rewrite the log must not also be able to sign for it.
func LoadOrCreateKey(path, name string) (note.Signer, string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKey(path, name)
	}
	if err != nil {
		return nil, "", fmt.Errorf("read checkpoint key: %w", err)
	}
	return parseSignerKey(path, b)
}

// LoadKey reads the checkpoint signing key at path; it never creates one.
func LoadKey(path string) (note.Signer, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("read checkpoint key: %w", err)
	}
	return parseSignerKey(path, b)
}

func createKey(path, name string) (note.Signer, string, error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return nil, "", fmt.Errorf("create checkpoint key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, "", fmt.Errorf("create checkpoint key: %w", err)
	}
	// O_EXCL: if another process created the key meanwhile, use theirs
	// rather than overwrite it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadKey(path)
	}
	if err != nil {
		return nil, "", fmt.Errorf("create checkpoint key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return nil, "", fmt.Errorf("create checkpoint key: %w", err)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return nil, "", fmt.Errorf("create checkpoint key: %w", err)
	}
	if err := os.WriteFile(PublicKeyPath(path), []byte(vkey+"\n"), 0o644); err != nil {
		return nil, "", fmt.Errorf("write checkpoint public key: %w", err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("create checkpoint key: %w", err)
	}
	return signer, vkey, nil
}

// PublicKeyPath is where the public key of the signing key at path is kept.
func PublicKeyPath(keyPath string) string {
	return strings.TrimSuffix(keyPath, ".key") + ".pub"
}

// parseSignerKey parses a signed-note private key and derives its public
// verifier key, so the signing key alone is enough to verify.
func parseSignerKey(path string, b []byte) (note.Signer, string, error) {
	skey := string(bytes.TrimSpace(b))
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("checkpoint key %s: %w", path, err)
	}
	// PRIVATE+KEY+<name>+<hash>+<base64(0x01 ‖ seed)>; the name has no "+",
	// the base64 may.
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		return nil, "", fmt.Errorf("checkpoint key %s: not an Ed25519 key", path)
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return nil, "", fmt.Errorf("checkpoint key %s: %w", path, err)
	}
	return signer, vkey, nil
}

// NewVerifier parses a public verifier key (the text of a ".pub" file).
func NewVerifier(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("checkpoint public key: %w", err)
	}
	return v, nil
}
