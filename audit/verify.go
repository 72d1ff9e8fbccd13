package audit

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// ErrTampered is matched (errors.Is) by every *TamperError.
var ErrTampered = errors.New("audit log tampered with")

// TamperError reports the first sign that the log was altered: the entry
// (sequence number) where the stored log stops being the log that was
// written, and what is wrong there.
type TamperError struct {
	Seq     int64  // the first bad sequence number
	Problem string // a sentence for the privacy officer, starting with the entry
}

func (e *TamperError) Error() string   { return e.Problem }
func (e *TamperError) Is(t error) bool { return t == ErrTampered }
func tampered(seq int64, format string, args ...any) *TamperError {
	return &TamperError{Seq: seq, Problem: fmt.Sprintf(format, args...)}
}

// VerifyOptions configure Verify. The zero value verifies the whole log
// against itself and the checkpoints stored in it.
type VerifyOptions struct {
	// From is a trusted checkpoint (from outside the database) to start at:
	// entries before it are not rehashed, the entry at From.Size must hash
	// to From.Head, and the chain is checked from there on. Use it for a
	// quick check of what was added since; a full check leaves it nil.
	From *Checkpoint
	// Checkpoints are trusted checkpoints the log must still contain: the
	// log must be at least that long and hash to the same head at that
	// size. This is what catches a log cut back, rolled back to a backup,
	// or rewritten from the start with recomputed hashes.
	Checkpoints []Checkpoint
	// Verifier, if set, checks the signatures of the checkpoints stored in
	// the database; without it only their size and head are compared.
	Verifier note.Verifier
	// Now measures the elapsed time for the rate; nil means time.Now.
	Now func() time.Time
}

// VerifyResult summarises an intact log.
type VerifyResult struct {
	Size      int64         // number of entries (the last sequence number)
	Head      [32]byte      // hash of the last entry; zero for an empty log
	Hashed    int64         // entries whose hash was recomputed
	Anchors   int           // checkpoints (given and stored) the log matched
	Elapsed   time.Duration // time spent
	HighWater int64         // highest sequence number SQLite ever issued
}

// Rate is the number of entries verified per second.
func (r VerifyResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Hashed) / r.Elapsed.Seconds()
}

// HeadString is the head hash as "sha256:<hex>".
func (r VerifyResult) HeadString() string { return "sha256:" + hex.EncodeToString(r.Head[:]) }

// Verify walks the log in db (a read handle) and checks every entry's hash
// against its content and its predecessor, that sequence numbers run 1, 2,
// 3, … without gaps, that no entry was removed from the end, and that the
// log contains every trusted and stored checkpoint. It returns a
// *TamperError (ErrTampered) naming the first bad sequence number, or
// another error if the log could not be read.
//
// Someone with write access to the file can drop the triggers, edit an
// entry and recompute every later hash; that log is internally consistent
// again, and only a checkpoint kept outside the database reveals it. So
// issue checkpoints regularly and store them elsewhere.
func Verify(ctx context.Context, db *sql.DB, opts VerifyOptions) (VerifyResult, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	var res VerifyResult

	anchors, err := collectAnchors(ctx, db, opts)
	if err != nil {
		return res, err
	}

	// Where to start: from the beginning, or from the entry before a
	// trusted checkpoint's last entry, whose stored hash is the chain input
	// of that last entry (which is rehashed and compared with the head).
	var (
		prev     [32]byte
		expected int64 = 1
	)
	if f := opts.From; f != nil && f.Size > 0 {
		expected = f.Size
		if f.Size > 1 {
			var h []byte
			err := db.QueryRowContext(ctx, "SELECT hash FROM audit_entries WHERE seq = ?", f.Size-1).Scan(&h)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return res, tamperedTail(ctx, db, f.Size-1, *f)
			case err != nil:
				return res, fmt.Errorf("verify audit log: %w", err)
			case len(h) != 32:
				return res, tampered(f.Size-1, "entry %d: stored hash is not 32 bytes", f.Size-1)
			}
			copy(prev[:], h)
		}
	}

	rows, err := db.QueryContext(ctx, `SELECT seq, time, actor_user, actor_role, actor_org, action, object, subject,
		decision, origin_request, origin_ip, hash FROM audit_entries WHERE seq >= ? ORDER BY seq`, expected)
	if err != nil {
		return res, fmt.Errorf("verify audit log: %w", err)
	}
	defer rows.Close()

	var (
		r     row
		hash  sql.RawBytes
		cols  [columns]sql.RawBytes
		dest  = make([]any, 0, columns+2)
		buf   = make([]byte, 0, 1024)
		count int64
	)
	dest = append(dest, &r.seq)
	for i := range cols {
		dest = append(dest, &cols[i])
	}
	dest = append(dest, &hash)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return res, fmt.Errorf("verify audit log: read entry after %d: %w", expected-1, err)
		}
		if r.seq != expected {
			if expected == 1 && opts.From == nil {
				return res, tampered(1, "entry 1 missing: the log starts at %d", r.seq)
			}
			return res, tampered(expected, "entry %d missing: sequence jumps from %d to %d", expected, expected-1, r.seq)
		}
		for i := range cols {
			r.cols[i] = []byte(cols[i])
		}
		buf = appendEncoding(buf[:0], &r)
		sum := chainHash(&prev, buf)
		if !bytes.Equal(sum[:], hash) {
			return res, tampered(r.seq, "entry %d: hash does not match its content (altered, replaced or moved)", r.seq)
		}
		if a, ok := anchors[r.seq]; ok && sum != a.Head {
			return res, tampered(r.seq, "entry %d hashes differently than %s says: the log was rewritten or rolled back", r.seq, a.name)
		}
		prev = sum
		expected++
		count++
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("verify audit log: %w", err)
	}
	res.Size = expected - 1
	res.Head = prev
	res.Hashed = count

	if f := opts.From; f != nil && f.Size > res.Size {
		return res, tampered(res.Size+1, "log has %d entries, the checkpoint of %s says %d: cut back", res.Size, f.Time.Format(time.RFC3339), f.Size)
	}
	// The end: a checkpoint beyond it, or SQLite's own record of the highest
	// sequence number it issued, show entries removed from the end.
	for _, a := range sortedAnchors(anchors) {
		if a.Size > res.Size {
			return res, tampered(res.Size+1, "log has %d entries, %s says %d: cut back", res.Size, a.name, a.Size)
		}
		res.Anchors++
	}
	var hw sql.NullInt64
	err = db.QueryRowContext(ctx, "SELECT seq FROM sqlite_sequence WHERE name = 'audit_entries'").Scan(&hw)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return res, fmt.Errorf("verify audit log: read sequence: %w", err)
	}
	res.HighWater = hw.Int64
	if hw.Int64 > res.Size {
		return res, tampered(res.Size+1, "log has %d entries, but SQLite issued sequence numbers up to %d: entries %d to %d were removed (cut back)", res.Size, hw.Int64, res.Size+1, hw.Int64)
	}
	res.Elapsed = now().Sub(start)
	return res, nil
}

// anchor is a checkpoint the log must contain, with a name for messages.
type anchor struct {
	Checkpoint
	name string
}

// collectAnchors gathers the given checkpoints and those stored in the
// database, by size; two checkpoints of one size must agree.
func collectAnchors(ctx context.Context, db *sql.DB, opts VerifyOptions) (map[int64]anchor, error) {
	anchors := make(map[int64]anchor)
	add := func(a anchor) error {
		if a.Size == 0 {
			return nil
		}
		if old, ok := anchors[a.Size]; ok && old.Head != a.Head {
			return tampered(a.Size, "entry %d: %s and %s disagree about its hash: a checkpoint was forged or the log forked", a.Size, old.name, a.name)
		}
		anchors[a.Size] = a
		return nil
	}
	if f := opts.From; f != nil {
		if err := add(anchor{*f, "the checkpoint of " + f.Time.Format(time.RFC3339)}); err != nil {
			return nil, err
		}
	}
	for _, c := range opts.Checkpoints {
		if err := add(anchor{c, "the checkpoint of " + c.Time.Format(time.RFC3339)}); err != nil {
			return nil, err
		}
	}
	stored, err := StoredCheckpoints(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	for _, s := range stored {
		name := fmt.Sprintf("stored checkpoint %d", s.ID)
		if opts.Verifier != nil {
			c, err := OpenCheckpoint([]byte(s.Note), opts.Verifier)
			if err != nil {
				return nil, tampered(s.Size, "%s: %v", name, err)
			}
			if c.Size != s.Size || c.Head != s.Head {
				return nil, tampered(s.Size, "%s: its signed text says size %d, its columns say %d", name, c.Size, s.Size)
			}
		}
		if err := add(anchor{s.Checkpoint, name}); err != nil {
			return nil, err
		}
	}
	return anchors, nil
}

func sortedAnchors(m map[int64]anchor) []anchor {
	out := make([]anchor, 0, len(m))
	for _, a := range m {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Size < out[j].Size })
	return out
}

// tamperedTail reports a log shorter than a trusted checkpoint it was asked
// to start from.
func tamperedTail(ctx context.Context, db *sql.DB, missing int64, f Checkpoint) error {
	var size sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max(seq) FROM audit_entries").Scan(&size); err != nil {
		return fmt.Errorf("verify audit log: %w", err)
	}
	if size.Int64 < f.Size {
		return tampered(size.Int64+1, "log has %d entries, the checkpoint of %s says %d: cut back", size.Int64, f.Time.Format(time.RFC3339), f.Size)
	}
	return tampered(missing, "entry %d missing", missing)
}
