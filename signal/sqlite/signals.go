package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
)

// SignalStore keeps signals in the service database. Every write goes
// through the audit writer (DB.Do), together with its audit entries in one
// unit of work; reads use the read pool.
type SignalStore struct {
	w *DB
	r *sql.DB
}

var (
	_ signal.SignalStore = (*SignalStore)(nil)
	_ signal.Directory   = (*SignalStore)(nil)
)

// Signals returns the store of signals in db.
func (db *DB) Signals() *SignalStore {
	return &SignalStore{w: db, r: db.read}
}

const timeLayout = time.RFC3339Nano

// quick drops cancellation from ctx for statements that take microseconds:
// go-sqlite3 watches a cancellable context with a goroutine per statement,
// which doubles the CPU cost of a short insert or point query. Units of
// work need it most: they run one after another on the writer's goroutine,
// and the writer does not start a unit whose context is already done.
func quick(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// Organisation implements signal.Directory: DB.Organisation as a point
// query without a cancellation watcher (see quick), as every submission
// asks it.
func (s *SignalStore) Organisation(ctx context.Context, id string) (signal.Organisation, error) {
	return s.w.Organisation(quick(ctx), id)
}

const selectIdempotent = `SELECT idem_key_ref, idem_fingerprint, id, decision FROM signals WHERE idem_key_ref = ?`

// findIdempotent reads the signal an idempotency key stored; the replayed
// answer is that signal's id and decision.
func findIdempotent(row *sql.Row) (*signal.IdempotentResult, error) {
	var r signal.IdempotentResult
	var decision string
	err := row.Scan(&r.KeyRef, &r.Fingerprint, &r.SignalID, &decision)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", err)
	}
	r.Response.ID = r.SignalID
	if err := json.Unmarshal([]byte(decision), &r.Response.Decision); err != nil {
		return nil, fmt.Errorf("decode recorded decision: %w", err)
	}
	return &r, nil
}

// CreateSignal implements signal.SignalStore.
func (s *SignalStore) CreateSignal(ctx context.Context, actor signal.Actor, sig *signal.Signal, idem *signal.IdempotentResult, events []signal.AuditEvent) (*signal.IdempotentResult, error) {
	// Encode before Do: the unit runs on the writer's goroutine while other
	// callers wait, so it does no more than SQL.
	row, err := encodeSignal(sig)
	if err != nil {
		return nil, err
	}
	var keyRef, fingerprint any // NULL without a key
	if idem != nil {
		keyRef, fingerprint = idem.KeyRef, idem.Fingerprint
	}
	var versions any // NULL without versions
	if sig.Sealed.Versions != nil {
		versions = sig.Sealed.Versions
	}
	row = append(row, versions, keyRef, fingerprint, sealedOrNULL(sig.Sealed.Answers))
	entries, err := prepareEntries(actor, events)
	if err != nil {
		return nil, err
	}
	var replay *signal.IdempotentResult
	err = s.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
		ctx = quick(ctx)
		replay = nil
		if err := checkLiveKeys(ctx, tx, sig.Youth, sig.Sealed.Name, sig.Sealed.BirthDate, sig.Sealed.Facts, sig.Sealed.Opinions, sig.Sealed.Versions, sig.Sealed.Answers); err != nil {
			return err
		}
		// The key is claimed by the insert itself: a concurrent retry that
		// got here earlier (in this batch or a committed one) has it already,
		// and then nothing is stored.
		res, err := tx.ExecContext(ctx, `INSERT INTO signals (
			id, youth, org_id, reporter_id, cooperation_id, category, observed_on, age, capable,
			contains, has_opinions, status, answers, decision, meeting_level,
			name_ct, birth_date_ct, facts_ct, opinions_ct, created_at, updated_at, version,
			versions_ct, idem_key_ref, idem_fingerprint, answers_ct
		) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (idem_key_ref) WHERE idem_key_ref IS NOT NULL DO NOTHING`, row...)
		if err != nil {
			return fmt.Errorf("insert signal: %w", err)
		}
		if idem != nil {
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("insert signal: %w", err)
			} else if n == 0 {
				prev, err := findIdempotent(tx.QueryRowContext(ctx, selectIdempotent, idem.KeyRef))
				if err != nil {
					return err
				}
				if prev == nil {
					return fmt.Errorf("idempotency key %s conflicts but holds no signal", idem.KeyRef)
				}
				replay = prev // store nothing
				return nil
			}
		}
		return appendPrepared(ctx, tx, entries)
	})
	if errors.Is(err, signal.ErrKeyRetired) {
		s.w.keysErased(sig.Youth)
	}
	if err != nil {
		return nil, err
	}
	return replay, nil
}

// UpdateDecision implements signal.SignalStore.
func (s *SignalStore) UpdateDecision(ctx context.Context, actor signal.Actor, sig *signal.Signal, events []signal.AuditEvent) error {
	answers, err := plainAnswers(sig)
	if err != nil {
		return err
	}
	decision, err := json.Marshal(sig.Decision)
	if err != nil {
		return fmt.Errorf("encode decision: %w", err)
	}
	entries, err := prepareEntries(actor, events)
	if err != nil {
		return err
	}
	var versions any // NULL without versions (or once erased)
	if sig.Sealed.Versions != nil {
		versions = sig.Sealed.Versions
	}
	return s.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
		ctx = quick(ctx)
		// The texts per level (a completed draft may add them) are stored
		// only under the young person's live key, as a new signal's.
		if err := checkLiveKeys(ctx, tx, sig.Youth, sig.Sealed.Versions, sig.Sealed.Answers); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE signals
			SET answers = ?, answers_ct = ?, decision = ?, status = ?, meeting_level = ?, updated_at = ?, version = ?, versions_ct = ?
			WHERE id = ? AND version = ?`,
			string(answers), sealedOrNULL(sig.Sealed.Answers), string(decision), string(sig.Status), string(sig.MeetingLevel),
			sig.UpdatedAt.Format(timeLayout), sig.Version, versions, sig.ID, sig.Version-1)
		if err != nil {
			return fmt.Errorf("update signal: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update signal: %w", err)
		} else if n != 1 {
			return signal.Errorf(signal.CodeConflict, "the signal changed while you were answering; load it again")
		}
		return appendPrepared(ctx, tx, entries)
	})
}

// Record implements signal.SignalStore.
func (s *SignalStore) Record(ctx context.Context, actor signal.Actor, events []signal.AuditEvent) error {
	entries, err := prepareEntries(actor, events)
	if err != nil {
		return err
	}
	return s.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
		return appendPrepared(quick(ctx), tx, entries)
	})
}

// prepareEntries turns events into audit entries, validated and encoded
// before the unit of work, on the caller's goroutine rather than on the
// writer's, which every request waits for (see audit.Prepare). No events
// give nil.
func prepareEntries(actor signal.Actor, events []signal.AuditEvent) (*audit.Prepared, error) {
	entries, err := auditEntries(actor, events)
	if err != nil || len(entries) == 0 {
		return nil, err
	}
	p, err := audit.Prepare(entries...)
	if err != nil {
		return nil, fmt.Errorf("audit entries (%s, …): %w", entries[0].Action, err)
	}
	return p, nil
}

// appendPrepared appends what prepareEntries made, if anything.
func appendPrepared(ctx context.Context, tx *Tx, p *audit.Prepared) error {
	if p == nil {
		return nil
	}
	if _, err := tx.AppendPrepared(ctx, p); err != nil {
		return fmt.Errorf("append audit entries: %w", err)
	}
	return nil
}

func appendAll(ctx context.Context, tx *Tx, entries []audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	if _, err := tx.AppendAll(ctx, entries...); err != nil {
		return fmt.Errorf("append audit entries (%s, …): %w", entries[0].Action, err)
	}
	return nil
}

func auditEntries(actor signal.Actor, events []signal.AuditEvent) ([]audit.Entry, error) {
	out := make([]audit.Entry, len(events))
	for i, ev := range events {
		e := audit.Entry{Actor: actor, Action: ev.Action, Object: ev.Object, Subject: ev.Subject}
		if d := ev.Decision; d != nil {
			ad := &audit.Decision{
				Outcome:       string(d.Decision.Outcome),
				Level:         string(d.Decision.Level),
				Rule:          string(d.Decision.Rule),
				Fields:        codes(d.Decision.Fields),
				Obligations:   codes(d.Decision.Obligations),
				Reasons:       d.Decision.ReasonCodes(),
				PolicyVersion: d.Decision.PolicyVersion,
				Purpose:       d.Purpose,
				Recipient:     d.Recipient,
				InputDigest:   d.InputDigest,
			}
			for _, t := range d.Texts {
				ad.Texts = append(ad.Texts, t.Code())
			}
			e.Decision = ad
		}
		out[i] = e
	}
	return out, nil
}

func codes[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func encodeSignal(s *signal.Signal) ([]any, error) {
	contains, err := json.Marshal(codes(s.Contains))
	if err != nil {
		return nil, fmt.Errorf("encode contains: %w", err)
	}
	answers, err := plainAnswers(s)
	if err != nil {
		return nil, err
	}
	decision, err := json.Marshal(s.Decision)
	if err != nil {
		return nil, fmt.Errorf("encode decision: %w", err)
	}
	var capable any
	if s.Capable != nil {
		capable = boolInt(*s.Capable)
	}
	var opinions any
	if s.Sealed.Opinions != nil {
		opinions = s.Sealed.Opinions
	}
	return []any{
		s.ID, s.Youth, s.OrgID, s.ReporterID, s.CooperationID, string(s.Category), s.ObservedOn.String(),
		s.Age, capable, string(contains), boolInt(s.HasOpinions), string(s.Status), string(answers),
		string(decision), string(s.MeetingLevel),
		s.Sealed.Name, s.Sealed.BirthDate, s.Sealed.Facts, opinions,
		s.CreatedAt.Format(timeLayout), s.UpdatedAt.Format(timeLayout), s.Version,
	}, nil
}

// plainAnswers is the answers column of s: '{}' when the answers are
// sealed (Sealed.Answers), so they are nowhere in the clear; the answers
// themselves only for a caller that sealed none (synthetic data in tests).
func plainAnswers(s *signal.Signal) ([]byte, error) {
	if s.Sealed.Answers != nil {
		return []byte("{}"), nil
	}
	answers, err := json.Marshal(s.Answers)
	if err != nil {
		return nil, fmt.Errorf("encode answers: %w", err)
	}
	return answers, nil
}

// sealedOrNULL is ct, or NULL for none.
func sealedOrNULL(ct []byte) any {
	if ct == nil {
		return nil
	}
	return ct
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const signalColumns = `seq, id, youth, org_id, reporter_id, cooperation_id, category, observed_on, age, capable,
	contains, has_opinions, status, answers, decision, meeting_level,
	name_ct, birth_date_ct, facts_ct, opinions_ct, versions_ct, created_at, updated_at, version, answers_ct`

type scanner interface{ Scan(dest ...any) error }

func scanSignal(row scanner) (*signal.Signal, error) {
	var (
		s                                          signal.Signal
		seq                                        int64
		category, observed, contains, status       string
		answers, decision, level, created, updated string
		capable                                    sql.NullInt64
		hasOpinions                                int
	)
	if err := row.Scan(&seq, &s.ID, &s.Youth, &s.OrgID, &s.ReporterID, &s.CooperationID, &category, &observed,
		&s.Age, &capable, &contains, &hasOpinions, &status, &answers, &decision, &level,
		&s.Sealed.Name, &s.Sealed.BirthDate, &s.Sealed.Facts, &s.Sealed.Opinions, &s.Sealed.Versions, &created, &updated, &s.Version, &s.Sealed.Answers); err != nil {
		return nil, err
	}
	s.Cursor = strconv.FormatInt(seq, 10)
	s.Category, s.Status, s.MeetingLevel = signal.Category(category), signal.Status(status), signal.Level(level)
	s.HasOpinions = hasOpinions == 1
	if capable.Valid {
		c := capable.Int64 == 1
		s.Capable = &c
	}
	var err error
	if s.ObservedOn, err = signal.ParseDate(observed); err != nil {
		return nil, fmt.Errorf("signal %s: observed_on: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(contains), &s.Contains); err != nil {
		return nil, fmt.Errorf("signal %s: contains: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(answers), &s.Answers); err != nil {
		return nil, fmt.Errorf("signal %s: answers: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(decision), &s.Decision); err != nil {
		return nil, fmt.Errorf("signal %s: decision: %w", s.ID, err)
	}
	if s.CreatedAt, err = time.Parse(timeLayout, created); err != nil {
		return nil, fmt.Errorf("signal %s: created_at: %w", s.ID, err)
	}
	if s.UpdatedAt, err = time.Parse(timeLayout, updated); err != nil {
		return nil, fmt.Errorf("signal %s: updated_at: %w", s.ID, err)
	}
	return &s, nil
}

// Signal implements signal.SignalStore.
func (s *SignalStore) Signal(ctx context.Context, id string) (*signal.Signal, error) {
	sig, err := scanSignal(s.r.QueryRowContext(quick(ctx), `SELECT `+signalColumns+` FROM signals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, signal.Errorf(signal.CodeNotFound, "no signal %s", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read signal: %w", err)
	}
	return sig, nil
}

// Signals implements signal.SignalStore.
func (s *SignalStore) Signals(ctx context.Context, q signal.SignalQuery) ([]*signal.Signal, error) {
	var where []string
	var args []any
	if q.ReporterID != "" {
		where, args = append(where, "reporter_id = ?"), append(args, q.ReporterID)
	}
	if q.CooperationID != "" {
		where, args = append(where, "cooperation_id = ?"), append(args, q.CooperationID)
	}
	if q.MeetingVisible {
		where = append(where, "meeting_level <> 'none'")
	}
	if q.Before != "" {
		before, err := strconv.ParseInt(q.Before, 10, 64)
		if err != nil {
			return nil, signal.Invalid(signal.FieldError{Field: "before", Problem: "must be the next cursor of a previous page"})
		}
		where, args = append(where, "seq < ?"), append(args, before)
	}
	query := `SELECT ` + signalColumns + ` FROM signals`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, q.Limit)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list signals: %w", err)
	}
	defer rows.Close()
	var out []*signal.Signal
	for rows.Next() {
		sig, err := scanSignal(rows)
		if err != nil {
			return nil, fmt.Errorf("list signals: %w", err)
		}
		out = append(out, sig)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list signals: %w", err)
	}
	return out, nil
}

// PlainAnswers implements signal.SignalStore: signals whose answers are
// still in the clear, by id.
func (s *SignalStore) PlainAnswers(ctx context.Context, after string, limit int) ([]signal.PlainAnswers, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, youth, answers FROM signals
		WHERE answers <> '{}' AND answers_ct IS NULL AND length(name_ct) > 0 AND id > ?
		ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read answers in the clear: %w", err)
	}
	defer rows.Close()
	var out []signal.PlainAnswers
	for rows.Next() {
		var p signal.PlainAnswers
		var answers string
		if err := rows.Scan(&p.ID, &p.Youth, &answers); err != nil {
			return nil, fmt.Errorf("read answers in the clear: %w", err)
		}
		if err := json.Unmarshal([]byte(answers), &p.Answers); err != nil {
			return nil, fmt.Errorf("signal %s: answers: %w", p.ID, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SealAnswers implements signal.SignalStore. It compares the stored answers
// with p.Answers as decoded and encoded again, so the JSON's spelling does
// not matter.
func (s *SignalStore) SealAnswers(ctx context.Context, p signal.PlainAnswers, ct []byte) (bool, error) {
	if ct == nil {
		return false, errors.New("seal answers: no ciphertext")
	}
	var ok bool
	err := s.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
		ctx = quick(ctx)
		ok = false
		if err := checkLiveKeys(ctx, tx, p.Youth, ct); err != nil {
			return err
		}
		var stored string
		err := tx.QueryRowContext(ctx, `SELECT answers FROM signals WHERE id = ? AND youth = ? AND answers_ct IS NULL AND length(name_ct) > 0`, p.ID, p.Youth).Scan(&stored)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		var now signal.Answers
		if err := json.Unmarshal([]byte(stored), &now); err != nil {
			return err
		}
		a, _ := json.Marshal(now)
		b, _ := json.Marshal(p.Answers)
		if !bytes.Equal(a, b) {
			return nil // changed meanwhile: left as it is
		}
		if _, err := tx.ExecContext(ctx, `UPDATE signals SET answers = '{}', answers_ct = ? WHERE id = ?`, ct, p.ID); err != nil {
			return err
		}
		ok = true
		return nil
	})
	if ok {
		// The WAL's page images of the answers in the clear go at the
		// checkpointer's next tick, as after an erasure.
		s.w.truncatePending.Store(true)
	}
	if errors.Is(err, signal.ErrKeyRetired) {
		s.w.keysErased(p.Youth)
	}
	return ok, err
}
