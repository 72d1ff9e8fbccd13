package audit

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
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
	// A stored checkpoint signed by a key that is neither Verifier nor one
	// of Trusted is reported in VerifyResult.Untrusted and not used: it
	// proves nothing, and it must not make the log "tampered" for good (a
	// checkpoint once signed by a temporary key). A checkpoint whose
	// signature by a trusted key does not verify is tampering.
	Verifier note.Verifier
	// Trusted are earlier checkpoint keys, rotated out (signald audit
	// rotate-key), still trusted for the checkpoints they signed.
	Trusted []note.Verifier
	// Readers caps the connections of db that Verify reads with at once
	// (0 means up to 4). On a pool shared with requests, leave some free.
	Readers int
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
	// Untrusted are the stored checkpoints signed by keys not trusted
	// (see VerifyOptions.Verifier); they were not used as anchors.
	Untrusted []UntrustedCheckpoint
}

// UntrustedCheckpoint is a stored checkpoint signed by a key the operator
// does not trust.
type UntrustedCheckpoint struct {
	ID   int64  // its row in audit_checkpoints
	Size int64  // the log size it claims
	Keys string // the names of the keys that signed it
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
	origins, err := checkVerifiable(ctx, db)
	if err != nil {
		return res, fmt.Errorf("verify audit log: %w", err)
	}

	anchors, untrusted, err := collectAnchors(ctx, db, opts)
	if err != nil {
		return res, err
	}
	res.Untrusted = untrusted

	// The log's extent now; entries appended while verifying are left for
	// the next run.
	var (
		size     sql.NullInt64
		headHash []byte
	)
	err = db.QueryRowContext(ctx, "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1").Scan(&size, &headHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return res, fmt.Errorf("verify audit log: %w", err)
	}
	res.Size = size.Int64
	copy(res.Head[:], headHash)

	// Where to start: from the beginning, or at a trusted checkpoint's last
	// entry, which is rehashed (from its stored predecessor) and compared
	// with the checkpoint's head.
	first := int64(1)
	if f := opts.From; f != nil && f.Size > 0 {
		if f.Size > res.Size {
			return res, tampered(res.Size+1, "entry %d missing: log has %d entries, the checkpoint of %s says %d: cut back", res.Size+1, res.Size, f.Time.Format(time.RFC3339), f.Size)
		}
		first = f.Size
	}
	if first <= res.Size {
		readers := maxWorkers
		if opts.Readers > 0 {
			readers = min(readers, int64(opts.Readers))
		}
		hashed, err := verifyRange(ctx, db, first, res.Size, readers, anchors)
		res.Hashed = hashed
		if err != nil {
			return res, err
		}
	}

	// The end: a checkpoint beyond it, or SQLite's own record of the highest
	// sequence number it issued, show entries removed from the end.
	for _, a := range sortedAnchors(anchors) {
		if a.Size > res.Size {
			return res, tampered(res.Size+1, "entry %d missing: log has %d entries, %s says %d: cut back", res.Size+1, res.Size, a.name, a.Size)
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
		return res, tampered(res.Size+1, "entry %d missing: log has %d entries, but SQLite issued sequence numbers up to %d: entries %d to %d were removed (cut back)", res.Size+1, res.Size, hw.Int64, res.Size+1, hw.Int64)
	}
	if origins {
		if err := checkOrigins(ctx, db, first, res.Size); err != nil {
			return res, err
		}
	}
	res.Elapsed = now().Sub(start)
	return res, nil
}

// checkOrigins checks that every client address still kept for the
// entries first..last matches the commitment its entry holds (and so the
// chain): an address altered in audit_origins is reported at its entry.
// Forgotten addresses have nothing left to check.
func checkOrigins(ctx context.Context, db *sql.DB, first, last int64) error {
	rows, err := db.QueryContext(ctx, `SELECT o.seq, o.ip, o.salt, e.origin_ip FROM audit_origins o
		JOIN audit_entries e ON e.seq = o.seq WHERE o.seq BETWEEN ? AND ? ORDER BY o.seq`, first, last)
	if err != nil {
		return fmt.Errorf("verify audit log: read kept addresses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq   int64
			ip, c string
			salt  []byte
		)
		if err := rows.Scan(&seq, &ip, &salt, &c); err != nil {
			return fmt.Errorf("verify audit log: read kept addresses: %w", err)
		}
		if ipCommitment(ip, salt) != c {
			return tampered(seq, "entry %d: the client address kept for it does not match the commitment in the entry: altered", seq)
		}
	}
	return rows.Err()
}

// anchor is a checkpoint the log must contain, with a name for messages.
type anchor struct {
	Checkpoint
	name string
}

// collectAnchors gathers the given checkpoints and those stored in the
// database, by size; two checkpoints of one size must agree.
func collectAnchors(ctx context.Context, db *sql.DB, opts VerifyOptions) (map[int64]anchor, []UntrustedCheckpoint, error) {
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
			return nil, nil, err
		}
	}
	for _, c := range opts.Checkpoints {
		if err := add(anchor{c, "the checkpoint of " + c.Time.Format(time.RFC3339)}); err != nil {
			return nil, nil, err
		}
	}
	stored, err := StoredCheckpoints(ctx, db)
	if err != nil {
		return nil, nil, fmt.Errorf("verify audit log: %w", err)
	}
	var untrusted []UntrustedCheckpoint
	var trusted note.Verifiers
	if opts.Verifier != nil {
		trusted = note.VerifierList(append([]note.Verifier{opts.Verifier}, opts.Trusted...)...)
	}
	for _, s := range stored {
		name := fmt.Sprintf("stored checkpoint %d", s.ID)
		if trusted != nil {
			n, err := note.Open([]byte(s.Note), trusted)
			var unknown *note.UnverifiedNoteError
			if errors.As(err, &unknown) {
				var keys []string
				for _, sig := range unknown.Note.UnverifiedSigs {
					keys = append(keys, sig.Name)
				}
				untrusted = append(untrusted, UntrustedCheckpoint{ID: s.ID, Size: s.Size, Keys: strings.Join(keys, ", ")})
				continue
			}
			if err != nil {
				return nil, nil, tampered(s.Size, "%s: checkpoint signature: %v", name, err)
			}
			c, err := parseCheckpoint(n.Text)
			if err != nil {
				return nil, nil, tampered(s.Size, "%s: %v", name, err)
			}
			if c.Size != s.Size || c.Head != s.Head {
				return nil, nil, tampered(s.Size, "%s: its signed text says size %d, its columns say %d", name, c.Size, s.Size)
			}
		}
		if err := add(anchor{s.Checkpoint, name}); err != nil {
			return nil, nil, err
		}
	}
	return anchors, untrusted, nil
}

func sortedAnchors(m map[int64]anchor) []anchor {
	out := make([]anchor, 0, len(m))
	for _, a := range m {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Size < out[j].Size })
	return out
}

// minPerWorker is the fewest entries worth a reader of their own, and
// maxWorkers the most readers; variables so tests can split small logs.
var (
	minPerWorker int64 = 50_000
	maxWorkers   int64 = 4
)

// verifyRange checks entries first..last. Each entry's hash is recomputed
// from its content and its predecessor's stored hash; if that holds for
// every entry, the stored hashes are the chain, by induction from the
// genesis (or from the trusted entry before first). So the work splits into
// ranges checked in parallel, each by a reader of its own, and the first bad
// entry is the lowest any range reports: the same answer a sequential walk
// gives. Reading rows, not hashing, limits the speed, so each row is read as
// three columns, SQLite building the encoding's fields itself (fieldsSQL).
func verifyRange(ctx context.Context, db *sql.DB, first, last, readers int64, anchors map[int64]anchor) (int64, error) {
	n := last - first + 1
	workers := max(1, min(readers, n/minPerWorker))
	type result struct {
		hashed int64
		err    error
	}
	results := make([]result, workers)
	var wg sync.WaitGroup
	per := n / workers
	for i := range workers {
		lo := first + i*per
		hi := lo + per - 1
		if i == workers-1 {
			hi = last
		}
		wg.Go(func() {
			results[i].hashed, results[i].err = verifyChunk(ctx, db, lo, hi, anchors)
		})
	}
	wg.Wait()
	var (
		hashed int64
		bad    *TamperError
	)
	for _, r := range results {
		hashed += r.hashed
		var te *TamperError
		switch {
		case errors.As(r.err, &te):
			if bad == nil || te.Seq < bad.Seq {
				bad = te
			}
		case r.err != nil:
			return hashed, r.err
		}
	}
	if bad != nil {
		return hashed, bad
	}
	return hashed, nil
}

// verifyChunk checks entries lo..hi, reading from lo-1 for the chain input.
func verifyChunk(ctx context.Context, db *sql.DB, lo, hi int64, anchors map[int64]anchor) (int64, error) {
	rows, err := db.QueryContext(ctx, "SELECT seq, hash, "+fieldsSQL+" FROM audit_entries WHERE seq >= ? AND seq <= ? ORDER BY seq", lo-1, hi)
	if err != nil {
		return 0, fmt.Errorf("verify audit log: %w", err)
	}
	defer rows.Close()
	var (
		seq      int64
		hash     sql.RawBytes
		fields   sql.RawBytes
		prev     [32]byte // genesis for entry 1
		havePrev = lo == 1
		expected = lo
		buf      = make([]byte, 0, 1024)
		hashed   int64
	)
	for rows.Next() {
		if err := rows.Scan(&seq, &hash, &fields); err != nil {
			return hashed, fmt.Errorf("verify audit log: read entry after %d: %w", expected-1, err)
		}
		if seq == lo-1 {
			// The predecessor: its own hash is checked by the range before
			// (or vouched for by a trusted checkpoint).
			copy(prev[:], hash)
			havePrev = true
			continue
		}
		if !havePrev {
			return hashed, tampered(lo-1, "entry %d missing", lo-1)
		}
		if seq != expected {
			if expected == 1 {
				return hashed, tampered(1, "entry 1 missing: the log starts at %d", seq)
			}
			return hashed, tampered(expected, "entry %d missing: sequence jumps from %d to %d", expected, expected-1, seq)
		}
		buf = append(appendHeader(buf[:0], seq), fields...)
		sum := chainHash(&prev, buf)
		if !bytes.Equal(sum[:], hash) {
			return hashed, tampered(seq, "entry %d: hash does not match its content (altered, replaced or moved)", seq)
		}
		if a, ok := anchors[seq]; ok && sum != a.Head {
			return hashed, tampered(seq, "entry %d hashes differently than %s says: the log was rewritten or rolled back", seq, a.name)
		}
		prev = sum
		expected++
		hashed++
	}
	if err := rows.Err(); err != nil {
		return hashed, fmt.Errorf("verify audit log: %w", err)
	}
	if expected <= hi {
		// The range ends early: the entries after it are gone.
		var next sql.NullInt64
		if err := db.QueryRowContext(ctx, "SELECT min(seq) FROM audit_entries WHERE seq > ?", hi).Scan(&next); err != nil {
			return hashed, fmt.Errorf("verify audit log: %w", err)
		}
		if expected == 1 {
			return hashed, tampered(1, "entry 1 missing: the log starts at %d", next.Int64)
		}
		return hashed, tampered(expected, "entry %d missing: sequence jumps from %d to %d", expected, expected-1, next.Int64)
	}
	return hashed, nil
}
