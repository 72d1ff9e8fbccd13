package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync/atomic"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
)

// Privacy is the storage of the privacy officer's console: retention and
// erasure, policy governance, the escalation queue, and the audit log as
// the console reads it. The rules (what escalates, what is a disclosure,
// who may see what) are signal.Privacy's. Writes go through the audit
// writer with their audit entries; reads use the read pool and the audit
// log's indexed Search.
type Privacy struct {
	db *DB
	r  *sql.DB
	// erased is set by EraseYouth until Scrub clears the WAL.
	erased *atomic.Bool
}

var (
	_ signal.RetentionStore  = (*Privacy)(nil)
	_ signal.AuditReader     = (*Privacy)(nil)
	_ signal.PrivacyStore    = (*Privacy)(nil)
	_ signal.PolicyStore     = (*Privacy)(nil)
	_ signal.EscalationStore = (*Privacy)(nil)
	_ signal.AuditRecorder   = (*Privacy)(nil)
)

// Privacy returns the console's store over db.
func (db *DB) Privacy() *Privacy { return &Privacy{db: db, r: db.read, erased: &db.erasedUnscrubbed} }

// Record appends audit events by actor that come with no change, in one
// unit.
func (p *Privacy) Record(ctx context.Context, actor signal.Actor, events []signal.AuditEvent) error {
	return p.db.Record(ctx, actor, events)
}

// Cooperations implements signal.RetentionStore.
func (p *Privacy) Cooperations(ctx context.Context) ([]signal.Cooperation, error) {
	rows, err := p.r.QueryContext(ctx, `SELECT id, name FROM cooperations ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list cooperations: %w", err)
	}
	defer rows.Close()
	var out []signal.Cooperation
	for rows.Next() {
		var c signal.Cooperation
		if err := rows.Scan(&c.ID, &c.Name); err != nil {
			return nil, fmt.Errorf("list cooperations: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RetentionClock implements signal.RetentionStore: the newest entry by seq
// (not by time: an entry once written by a clock far ahead must not hold
// retention up for years after the clock is put right).
func (p *Privacy) RetentionClock(ctx context.Context, coop string) (signal.RetentionClock, error) {
	var c signal.RetentionClock
	var newest, last sql.NullString
	if err := p.r.QueryRowContext(ctx, `SELECT time FROM audit_entries ORDER BY seq DESC LIMIT 1`).Scan(&newest); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("read the newest audit entry: %w", err)
	}
	err := p.r.QueryRowContext(ctx, `SELECT last_run_at FROM retention_runs WHERE cooperation_id = ?`, coop).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		// Never ran here: the newest act of a person. System entries are
		// few (start-up, the operator), so this reads back only a few.
		err = p.r.QueryRowContext(ctx, `SELECT time FROM audit_entries WHERE actor_role <> ? ORDER BY seq DESC LIMIT 1`,
			string(signal.RoleSystem)).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
	}
	if err != nil {
		return c, fmt.Errorf("read the last retention run: %w", err)
	}
	if newest.Valid {
		c.Newest = parseTime(newest.String)
	}
	if last.Valid {
		c.LastRun = parseTime(last.String)
	}
	return c, nil
}

// RetentionCandidates implements signal.RetentionStore. A signal may be
// expired by age when its young person could be 23 today: born at the
// earliest one day less than age+1 years before the observation, so 23 at
// the earliest on observed_on + (22 - age) years + 1 day. (For a
// 23-year-old that is -1 years: printf writes the sign, where '+' || -1
// made '+-1 years', which date() answers with NULL.)
func (p *Privacy) RetentionCandidates(ctx context.Context, coop string, observedBy, today signal.Date) ([]signal.RetentionCandidate, error) {
	// Two range scans of the partial indexes of migration 0081, so the
	// run reads what expired rather than every signal with content.
	rows, err := p.r.QueryContext(ctx, `SELECT id, youth, observed_on, age, birth_date_ct FROM signals
		WHERE rowid IN (
			SELECT rowid FROM signals INDEXED BY signals_content_by_observed
			WHERE cooperation_id = ?1 AND length(name_ct) > 0 AND observed_on <= ?2
			UNION
			SELECT rowid FROM signals INDEXED BY signals_content_by_age_limit
			WHERE cooperation_id = ?1 AND length(name_ct) > 0 AND date(observed_on, printf('%+d years', 22 - age), '+1 day') <= ?3)
		ORDER BY seq`, coop, observedBy.String(), today.String())
	if err != nil {
		return nil, fmt.Errorf("find retention candidates: %w", err)
	}
	defer rows.Close()
	var out []signal.RetentionCandidate
	for rows.Next() {
		var c signal.RetentionCandidate
		var observed string
		if err := rows.Scan(&c.SignalID, &c.Youth, &observed, &c.Age, &c.SealedBirthDate); err != nil {
			return nil, fmt.Errorf("find retention candidates: %w", err)
		}
		if c.ObservedOn, err = signal.ParseDate(observed); err != nil {
			return nil, fmt.Errorf("signal %s: observed_on: %w", c.SignalID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ContentHeld implements signal.RetentionStore.
func (p *Privacy) ContentHeld(ctx context.Context, coop string) (int, error) {
	var n int
	// In the order of the rows (seq), not by a partial index of 0081,
	// whose order would read the table at random.
	if err := p.r.QueryRowContext(ctx, `SELECT count(*) FROM signals INDEXED BY signals_by_cooperation
		WHERE cooperation_id = ? AND length(name_ct) > 0`, coop).Scan(&n); err != nil {
		return 0, fmt.Errorf("count signals with content: %w", err)
	}
	return n, nil
}

// erasedDecision is what an erased signal keeps of its decision (see
// migrations/0061_retention.sql).
const erasedDecision = `json_object('outcome', json_extract(decision, '$.outcome'), 'level', json_extract(decision, '$.level'),
	'rule', json_extract(decision, '$.rule'), 'fields', json_extract(decision, '$.fields'), 'obligations', json_extract(decision, '$.obligations'), 'missing', json('[]'),
	'reasons', json('[]'), 'policy_version', json_extract(decision, '$.policy_version'))`

// EraseYouth implements signal.RetentionStore, in one unit of the writer
// that touches only this young person's rows (by id, and by the index on
// youth), so it is as short as the young person's signals are few. The
// ciphertexts are overwritten in place; the database runs with
// secure_delete, so the old bytes are zeroed in the file (Scrub clears the
// WAL's old page images). When nothing is left of youth, the same unit
// retires youth's key (eraseYouthKeys) and audits it.
func (p *Privacy) EraseYouth(ctx context.Context, actor signal.Actor, youth string, es []signal.Erasure, event func(signal.Erasure) signal.AuditEvent, keyEvent func(string) signal.AuditEvent) (bool, error) {
	now := p.db.now().UTC()
	var emptied bool
	err := p.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		ctx = quick(ctx)
		for _, e := range es {
			if e.Youth != youth {
				return fmt.Errorf("erase signal %s: not about the young person erased", e.SignalID)
			}
			res, err := tx.ExecContext(ctx, `UPDATE signals SET name_ct = X'', birth_date_ct = X'', facts_ct = X'', opinions_ct = NULL,
				answers = '{}', answers_ct = NULL, decision = `+erasedDecision+`
				WHERE id = ? AND youth = ? AND length(name_ct) > 0`, e.SignalID, youth)
			if err != nil {
				return fmt.Errorf("erase signal %s: %w", e.SignalID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // erased already
			}
			// What the reporter wrote about the signal's duties (a
			// justification, what the consent covered, why informing
			// waited) goes with it; the records' dates and codes stay.
			if _, err := tx.ExecContext(ctx, `UPDATE signal_duties SET note_ct = X'' WHERE signal_id = ? AND length(note_ct) > 0`, e.SignalID); err != nil {
				return fmt.Errorf("erase the duties' notes of %s: %w", e.SignalID, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO signal_erasures (signal_id, erased_at, reason, erased_by) VALUES (?, ?, ?, ?)`,
				e.SignalID, formatTime(now), string(e.Reason), actor.UserID); err != nil {
				return fmt.Errorf("record erasure of %s: %w", e.SignalID, err)
			}
			entries, err := auditEntries(actor, []signal.AuditEvent{event(e)})
			if err != nil {
				return err
			}
			if err := appendAll(ctx, tx, entries); err != nil {
				return fmt.Errorf("audit erasure of %s: %w", e.SignalID, err)
			}
		}
		var left bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM signals WHERE youth = ? AND length(name_ct) > 0)`, youth).Scan(&left); err != nil {
			return fmt.Errorf("look for signals left: %w", err)
		}
		if emptied = !left; !emptied {
			return nil
		}
		if err := eraseYouthKeys(ctx, tx, youth, now); err != nil {
			return err
		}
		// What the meetings wrote about the young person (actions,
		// decisions) was sealed under the key just retired: its
		// ciphertexts go too, overwritten in place like the signals'.
		if err := eraseCaseTexts(ctx, tx, youth); err != nil {
			return err
		}
		// The coordinator's answers about whether this young person and
		// another are one go too: they say something about the young
		// person (and would link a new report to the erased past).
		if _, err := tx.ExecContext(ctx, `DELETE FROM match_decisions WHERE youth_a = ? OR youth_b = ?`, youth, youth); err != nil {
			return fmt.Errorf("erase the match decisions: %w", err)
		}
		// The privacy officer's advice and note on escalations about the
		// young person are free text about them: they go too (the codes
		// stay, as the audit log's do).
		if _, err := tx.ExecContext(ctx, `UPDATE escalations SET advice = '', note = '', advice_ct = NULL, note_ct = NULL
			WHERE subject = ? AND (advice <> '' OR note <> '' OR advice_ct IS NOT NULL OR note_ct IS NOT NULL)`, youth); err != nil {
			return fmt.Errorf("erase the escalations' texts: %w", err)
		}
		entries, err := auditEntries(actor, []signal.AuditEvent{keyEvent(youth)})
		if err != nil {
			return err
		}
		if err := appendAll(ctx, tx, entries); err != nil {
			return fmt.Errorf("audit key erasure: %w", err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	p.erased.Store(true)
	if emptied {
		p.db.keysErased(youth)
	}
	return emptied, nil
}

// eraseCaseTexts overwrites the sealed texts the meetings recorded about
// youth's cases (action descriptions, decision texts) inside tx, as
// erasure overwrites a signal's: the rows stay (who acted, when, by which
// meeting), their text reads as erased.
func eraseCaseTexts(ctx context.Context, tx *Tx, youth string) error {
	for _, q := range []string{
		`UPDATE case_actions SET description_ct = X'' WHERE length(description_ct) > 0 AND case_id IN (SELECT id FROM cases WHERE youth = ?)`,
		`UPDATE case_decisions SET text_ct = X'' WHERE length(text_ct) > 0 AND case_id IN (SELECT id FROM cases WHERE youth = ?)`,
		// Every earlier version of a corrected action or decision too.
		`UPDATE case_record_versions SET text_ct = X'' WHERE length(text_ct) > 0 AND case_id IN (SELECT id FROM cases WHERE youth = ?)`,
	} {
		if _, err := tx.ExecContext(ctx, q, youth); err != nil {
			return fmt.Errorf("erase the meetings' texts: %w", err)
		}
	}
	return nil
}

// RecordRun implements signal.RetentionStore.
func (p *Privacy) RecordRun(ctx context.Context, actor signal.Actor, rec signal.RetentionRunRecord, keep bool, event signal.AuditEvent) error {
	entries, err := auditEntries(actor, []signal.AuditEvent{event})
	if err != nil {
		return err
	}
	err = p.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		if rec.Held == "" || rec.Confirmed {
			if _, err := tx.ExecContext(ctx, `INSERT INTO retention_runs (cooperation_id, last_run_at) VALUES (?, ?)
				ON CONFLICT (cooperation_id) DO UPDATE SET last_run_at = excluded.last_run_at`, rec.Cooperation, formatTime(rec.At)); err != nil {
				return fmt.Errorf("remember the retention run: %w", err)
			}
		}
		if keep {
			if _, err := tx.ExecContext(ctx, `INSERT INTO retention_run_log (cooperation_id, at, actor_user, actor_role, checked, due, erased,
				young_people, keys_erased, content, held, confirmed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				rec.Cooperation, formatTime(rec.At), rec.ByUser, string(rec.ByRole), rec.Checked, rec.Due, rec.Erased, rec.YoungPeople,
				rec.KeysErased, rec.Content, string(rec.Held), rec.Confirmed); err != nil {
				return fmt.Errorf("log the retention run: %w", err)
			}
		}
		return appendAll(ctx, tx, entries)
	})
	return err
}

// LastRun implements signal.RetentionStore.
func (p *Privacy) LastRun(ctx context.Context, coop string) (time.Time, error) {
	var last string
	err := p.r.QueryRowContext(ctx, `SELECT last_run_at FROM retention_runs WHERE cooperation_id = ?`, coop).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read the last retention run: %w", err)
	}
	return parseTime(last), nil
}

// RetentionRuns implements signal.RetentionStore.
func (p *Privacy) RetentionRuns(ctx context.Context, coop string, limit int) ([]signal.RetentionRunRecord, error) {
	rows, err := p.r.QueryContext(ctx, `SELECT at, actor_user, actor_role, checked, due, erased, young_people, keys_erased, content, held, confirmed
		FROM retention_run_log WHERE cooperation_id = ? ORDER BY id DESC LIMIT ?`, coop, limit)
	if err != nil {
		return nil, fmt.Errorf("read the retention run log: %w", err)
	}
	defer rows.Close()
	out := []signal.RetentionRunRecord{}
	for rows.Next() {
		r := signal.RetentionRunRecord{Cooperation: coop}
		var at, role, held string
		if err := rows.Scan(&at, &r.ByUser, &role, &r.Checked, &r.Due, &r.Erased, &r.YoungPeople, &r.KeysErased, &r.Content, &held, &r.Confirmed); err != nil {
			return nil, fmt.Errorf("read the retention run log: %w", err)
		}
		r.At, r.ByRole, r.Held = parseTime(at), signal.Role(role), signal.RetentionHold(held)
		r.By = signal.Actor{UserID: r.ByUser, Role: r.ByRole}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Scrub implements signal.RetentionStore: after erasures, the WAL's old
// page images are dropped (truncateWALSoon), once for the series rather
// than per young person. It never makes a writer wait for a reader: if a
// reader is in the way, the checkpointer tries again at its next tick.
func (p *Privacy) Scrub(context.Context) {
	if p.erased.Swap(false) {
		p.db.truncateWALSoon()
	}
}

// Signal implements signal.PrivacyStore.
func (p *Privacy) Signal(ctx context.Context, id string) (*signal.Signal, error) {
	return p.db.Signals().Signal(ctx, id)
}

// SignalsOfYouth implements signal.PrivacyStore.
func (p *Privacy) SignalsOfYouth(ctx context.Context, youth, coop string, erased bool) ([]*signal.Signal, error) {
	q := `SELECT ` + signalColumns + ` FROM signals WHERE youth = ?`
	args := []any{youth}
	if coop != "" {
		q += ` AND cooperation_id = ?`
		args = append(args, coop)
	}
	if !erased {
		q += ` AND length(name_ct) > 0`
	}
	rows, err := p.r.QueryContext(ctx, q+` ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("find signals of young person: %w", err)
	}
	defer rows.Close()
	var sigs []*signal.Signal
	for rows.Next() {
		s, err := scanSignal(rows)
		if err != nil {
			return nil, fmt.Errorf("find signals of young person: %w", err)
		}
		sigs = append(sigs, s)
	}
	return sigs, rows.Err()
}

// ErasureOf implements signal.PrivacyStore.
func (p *Privacy) ErasureOf(ctx context.Context, signalID string) (*signal.ErasureRecord, error) {
	var at, reason, by string
	err := p.r.QueryRowContext(ctx, `SELECT erased_at, reason, erased_by FROM signal_erasures WHERE signal_id = ?`, signalID).Scan(&at, &reason, &by)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read erasure: %w", err)
	}
	return &signal.ErasureRecord{At: parseTime(at), Reason: signal.ErasureReason(reason), By: by}, nil
}

// CooperationOrgs returns the ids of the organisations of cooperation coop.
func (p *Privacy) CooperationOrgs(ctx context.Context, coop string) ([]string, error) {
	ids, err := queryIDs(ctx, p.r, `SELECT id FROM organisations WHERE cooperation_id = ? ORDER BY id`, coop)
	if err != nil {
		return nil, fmt.Errorf("list organisations of cooperation: %w", err)
	}
	return ids, nil
}

// MeetingCooperation implements signal.PrivacyStore.
func (p *Privacy) MeetingCooperation(ctx context.Context, id string) (string, error) {
	var coop string
	err := p.r.QueryRowContext(ctx, `SELECT cooperation_id FROM meetings WHERE id = ?`, id).Scan(&coop)
	if errors.Is(err, sql.ErrNoRows) {
		return "", signal.Errorf(signal.CodeNotFound, "no meeting %s", id)
	}
	if err != nil {
		return "", fmt.Errorf("find the meeting's cooperation: %w", err)
	}
	return coop, nil
}

// ---- Policy governance ----

// RecordPolicyLoad implements signal.PolicyStore.
func (p *Privacy) RecordPolicyLoad(ctx context.Context, actor signal.Actor, version string, files []signal.PolicyFile, events []signal.AuditEvent) error {
	b, err := json.Marshal(files)
	if err != nil {
		return fmt.Errorf("encode policy files: %w", err)
	}
	now := formatTime(p.db.now())
	return p.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO policy_versions (version, first_loaded, last_loaded, files) VALUES (?, ?, ?, ?)
			ON CONFLICT (version) DO UPDATE SET last_loaded = excluded.last_loaded`, version, now, now, string(b)); err != nil {
			return fmt.Errorf("record policy version: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO policy_loads (version, loaded_at) VALUES (?, ?)`, version, now); err != nil {
			return fmt.Errorf("record policy load: %w", err)
		}
		return nil
	})
}

// PolicyVersions lists the versions ever loaded, newest first, without files.
func (p *Privacy) PolicyVersions(ctx context.Context) ([]signal.PolicyVersion, error) {
	rows, err := p.r.QueryContext(ctx, `SELECT version, first_loaded, last_loaded FROM policy_versions ORDER BY first_loaded DESC`)
	if err != nil {
		return nil, fmt.Errorf("list policy versions: %w", err)
	}
	defer rows.Close()
	out := []signal.PolicyVersion{}
	for rows.Next() {
		var v signal.PolicyVersion
		var first, last string
		if err := rows.Scan(&v.Version, &first, &last); err != nil {
			return nil, fmt.Errorf("list policy versions: %w", err)
		}
		v.FirstLoaded, v.LastLoaded = parseTime(first), parseTime(last)
		out = append(out, v)
	}
	return out, rows.Err()
}

// PolicyVersion returns one version with its files; CodeNotFound if it was
// never loaded here.
func (p *Privacy) PolicyVersion(ctx context.Context, version string) (signal.PolicyVersion, error) {
	var v signal.PolicyVersion
	var first, last, files string
	err := p.r.QueryRowContext(ctx, `SELECT version, first_loaded, last_loaded, files FROM policy_versions WHERE version = ?`, version).
		Scan(&v.Version, &first, &last, &files)
	if errors.Is(err, sql.ErrNoRows) {
		return v, signal.Errorf(signal.CodeNotFound, "policy version %s was never loaded here", version)
	}
	if err != nil {
		return v, fmt.Errorf("read policy version: %w", err)
	}
	v.FirstLoaded, v.LastLoaded = parseTime(first), parseTime(last)
	if err := json.Unmarshal([]byte(files), &v.Files); err != nil {
		return v, fmt.Errorf("decode policy files: %w", err)
	}
	return v, nil
}

// PolicyLoads lists every load, newest first (at most limit).
func (p *Privacy) PolicyLoads(ctx context.Context, limit int) ([]signal.PolicyLoad, error) {
	rows, err := p.r.QueryContext(ctx, `SELECT version, loaded_at FROM policy_loads ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list policy loads: %w", err)
	}
	defer rows.Close()
	out := []signal.PolicyLoad{}
	for rows.Next() {
		var l signal.PolicyLoad
		var at string
		if err := rows.Scan(&l.Version, &at); err != nil {
			return nil, err
		}
		l.LoadedAt = parseTime(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

// PolicyInForce returns the version in force at t: the last one loaded at
// or before t; CodeNotFound before the first load.
func (p *Privacy) PolicyInForce(ctx context.Context, t time.Time) (signal.PolicyLoad, error) {
	var l signal.PolicyLoad
	var at string
	err := p.r.QueryRowContext(ctx, `SELECT version, loaded_at FROM policy_loads WHERE loaded_at <= ? ORDER BY loaded_at DESC, id DESC LIMIT 1`,
		formatTime(t)).Scan(&l.Version, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return l, signal.Errorf(signal.CodeNotFound, "no policy was loaded before %s", t.UTC().Format(time.RFC3339))
	}
	if err != nil {
		return l, fmt.Errorf("find policy in force: %w", err)
	}
	l.LoadedAt = parseTime(at)
	return l, nil
}

// ---- Escalations ----

// EscalationsScanned implements signal.EscalationStore.
func (p *Privacy) EscalationsScanned(ctx context.Context) (int64, error) {
	var last int64
	if err := p.r.QueryRowContext(ctx, `SELECT last_seq FROM escalation_scan WHERE id = 1`).Scan(&last); err != nil {
		return 0, fmt.Errorf("read escalation scan: %w", err)
	}
	return last, nil
}

// QueueEscalations implements signal.EscalationStore.
func (p *Privacy) QueueEscalations(ctx context.Context, found []signal.Escalation, scannedTo int64) error {
	return p.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		for _, e := range found {
			reasons, _ := json.Marshal(e.Reasons)
			if _, err := tx.ExecContext(ctx, `INSERT INTO escalations (seq, object, subject, why, outcome, rule, reasons, policy, org, decided_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING`,
				e.Seq, e.Object, e.Subject, e.Why, e.Outcome, e.Rule, string(reasons), e.Policy, e.Org, formatTime(e.DecidedAt)); err != nil {
				return fmt.Errorf("queue escalation: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE escalation_scan SET last_seq = max(last_seq, ?) WHERE id = 1`, scannedTo)
		return err
	})
}

// Escalations implements signal.EscalationStore.
func (p *Privacy) Escalations(ctx context.Context, coop string, status signal.EscalationStatus) ([]signal.Escalation, error) {
	q := `SELECT seq, object, subject, why, outcome, rule, reasons, policy, org, decided_at, status, updated_at, updated_by,
		owner, advice, decision, note, advice_ct, note_ct FROM escalations
		WHERE org IN (SELECT id FROM organisations WHERE cooperation_id = ?)`
	args := []any{coop}
	if status != "" {
		q += ` AND status = ?`
		args = append(args, string(status))
	}
	rows, err := p.r.QueryContext(ctx, q+` ORDER BY seq LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("list escalations: %w", err)
	}
	defer rows.Close()
	out := []signal.Escalation{}
	for rows.Next() {
		var (
			e                    signal.Escalation
			reasons, decided, st string
			updatedAt, updatedBy sql.NullString
		)
		if err := rows.Scan(&e.Seq, &e.Object, &e.Subject, &e.Why, &e.Outcome, &e.Rule, &reasons, &e.Policy, &e.Org,
			&decided, &st, &updatedAt, &updatedBy, &e.Owner, &e.Advice, &e.Decision, &e.Note, &e.SealedAdvice, &e.SealedNote); err != nil {
			return nil, fmt.Errorf("list escalations: %w", err)
		}
		json.Unmarshal([]byte(reasons), &e.Reasons)
		e.DecidedAt, e.Status = parseTime(decided), signal.EscalationStatus(st)
		if updatedAt.Valid {
			t := parseTime(updatedAt.String)
			e.UpdatedAt = &t
		}
		e.UpdatedBy = updatedBy.String
		out = append(out, e)
	}
	return out, rows.Err()
}

// SetEscalation implements signal.EscalationStore.
func (p *Privacy) SetEscalation(ctx context.Context, actor signal.Actor, e signal.Escalation, at time.Time, events []signal.AuditEvent) error {
	// Advice and note are kept sealed only (migration 0122).
	if e.Advice != "" && len(e.SealedAdvice) == 0 || e.Note != "" && len(e.SealedNote) == 0 {
		return errors.New("update escalation: advice and note must be sealed")
	}
	return p.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE escalations SET status = ?, owner = ?, advice = '', advice_ct = ?, decision = ?, note = '', note_ct = ?,
			updated_at = ?, updated_by = ? WHERE seq = ?`,
			string(e.Status), e.Owner, nilIfEmpty(e.SealedAdvice), string(e.Decision), nilIfEmpty(e.SealedNote), formatTime(at), actor.UserID, e.Seq)
		if err != nil {
			return fmt.Errorf("update escalation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeNotFound, "no escalation %d", e.Seq)
		}
		return nil
	})
}

// ---- The audit log as the console reads it ----

// The console's page bound is audit's: this fails to compile if they part.
const _ = uint(signal.MaxAuditPage-audit.MaxPage) + uint(audit.MaxPage-signal.MaxAuditPage)

// recordOf converts an audit record into the console's.
func recordOf(r audit.Record) signal.AuditRecord {
	out := signal.AuditRecord{Seq: r.Seq, Time: r.Time, Actor: r.Actor, Action: r.Action, Object: r.Object, Subject: r.Subject, Hash: r.Hash}
	if d := r.Decision; d != nil {
		out.Decision = &signal.AuditDecision{Outcome: d.Outcome, Level: d.Level, Rule: d.Rule, Fields: d.Fields,
			Obligations: d.Obligations, Reasons: d.Reasons, PolicyVersion: d.PolicyVersion, Purpose: d.Purpose,
			Recipient: d.Recipient, Input: d.Input, InputDigest: d.InputDigest, Texts: d.Texts}
	}
	return out
}

// SearchAudit implements signal.AuditReader.
func (p *Privacy) SearchAudit(ctx context.Context, q signal.AuditQuery) (signal.AuditPage, error) {
	page, err := audit.Search(ctx, p.r, audit.Query{Since: q.Since, Until: q.Until, UserID: q.UserID, Org: q.Org, Role: q.Role,
		Action: q.Action, Object: q.Object, Subject: q.Subject, Outcome: q.Outcome, Rule: q.Rule, Orgs: q.Orgs,
		Before: q.Before, Limit: q.Limit})
	if err != nil {
		return signal.AuditPage{}, err
	}
	out := signal.AuditPage{Records: make([]signal.AuditRecord, len(page.Records)), Next: page.Next}
	for i, r := range page.Records {
		out.Records[i] = recordOf(r)
	}
	return out, nil
}

// AuditEntries implements signal.AuditReader.
func (p *Privacy) AuditEntries(ctx context.Context, f signal.AuditFilter) iter.Seq2[signal.AuditRecord, error] {
	return func(yield func(signal.AuditRecord, error) bool) {
		for r, err := range audit.Entries(ctx, p.r, audit.Filter{FromSeq: f.FromSeq, ToSeq: f.ToSeq, Action: string(f.Action), Subject: f.Subject}) {
			if !yield(recordOf(r), err) || err != nil {
				return
			}
		}
	}
}

// AuditSize implements signal.AuditReader.
func (p *Privacy) AuditSize(ctx context.Context) (int64, error) { return audit.Size(ctx, p.r) }

// ViewsPerReader implements signal.AuditReader.
func (p *Privacy) ViewsPerReader(ctx context.Context, actions []signal.AuditAction, orgs []string, since, until time.Time, threshold int) ([]signal.ReaderCount, error) {
	out := []signal.ReaderCount{}
	if len(orgs) == 0 || len(actions) == 0 {
		return out, nil
	}
	args := []any{}
	for _, a := range actions {
		args = append(args, string(a))
	}
	args = append(args, auditTime(since), auditTime(until))
	for _, id := range orgs {
		args = append(args, id)
	}
	args = append(args, threshold)
	rows, err := p.r.QueryContext(ctx, `SELECT actor_user, actor_role, actor_org, count(*), count(DISTINCT subject)
		FROM audit_entries
		WHERE action IN (?`+strings.Repeat(", ?", len(actions)-1)+`) AND subject <> '' AND time >= ? AND time < ?
		  AND actor_org IN (?`+strings.Repeat(", ?", len(orgs)-1)+`)
		GROUP BY actor_user HAVING count(*) > ? ORDER BY count(*) DESC LIMIT 100`, args...)
	if err != nil {
		return nil, fmt.Errorf("count signal views: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r signal.ReaderCount
		if err := rows.Scan(&r.UserID, &r.Role, &r.Org, &r.Views, &r.Distinct); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountPerAddress implements signal.AuditReader.
func (p *Privacy) CountPerAddress(ctx context.Context, action signal.AuditAction, orgs []string, since, until time.Time) ([]signal.FailedLogins, error) {
	// The address as kept (audit.AddressSQL): forgotten ones count
	// together under "".
	args := []any{string(action), auditTime(since), auditTime(until)}
	byOrg := ""
	if orgs != nil {
		if len(orgs) == 0 {
			return []signal.FailedLogins{}, nil
		}
		byOrg = ` AND actor_org IN (?` + strings.Repeat(", ?", len(orgs)-1) + `)`
		for _, id := range orgs {
			args = append(args, id)
		}
	}
	rows, err := p.r.QueryContext(ctx, `SELECT `+audit.AddressSQL+` AS ip, count(*), max(time) FROM audit_entries
		WHERE action = ? AND time >= ? AND time < ?`+byOrg+`
		GROUP BY ip ORDER BY count(*) DESC LIMIT 100`, args...)
	if err != nil {
		return nil, fmt.Errorf("count entries per address: %w", err)
	}
	defer rows.Close()
	out := []signal.FailedLogins{}
	for rows.Next() {
		var f signal.FailedLogins
		var last string
		if err := rows.Scan(&f.IP, &f.Count, &last); err != nil {
			return nil, err
		}
		f.Last = parseTime(last)
		out = append(out, f)
	}
	return out, rows.Err()
}

// auditTime formats t the way the audit log stores times (fixed nine-digit
// fraction), so text comparison is time order.
func auditTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// nilIfEmpty stores an empty sealed text as NULL.
func nilIfEmpty(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// PlainEscalationTexts implements signal.EscalationStore.
func (p *Privacy) PlainEscalationTexts(ctx context.Context) ([]signal.PlainEscalationText, error) {
	rows, err := p.r.QueryContext(ctx, `SELECT e.seq, o.cooperation_id, e.advice, e.note
		FROM escalations e JOIN organisations o ON o.id = e.org WHERE e.advice <> '' OR e.note <> '' ORDER BY e.seq`)
	if err != nil {
		return nil, fmt.Errorf("read escalation texts in the clear: %w", err)
	}
	defer rows.Close()
	var out []signal.PlainEscalationText
	for rows.Next() {
		var pe signal.PlainEscalationText
		if err := rows.Scan(&pe.Seq, &pe.CooperationID, &pe.Advice, &pe.Note); err != nil {
			return nil, fmt.Errorf("read escalation texts in the clear: %w", err)
		}
		out = append(out, pe)
	}
	return out, rows.Err()
}

// SealEscalationTexts implements signal.EscalationStore.
func (p *Privacy) SealEscalationTexts(ctx context.Context, pe signal.PlainEscalationText, advice, note []byte) (bool, error) {
	if pe.Advice != "" && len(advice) == 0 || pe.Note != "" && len(note) == 0 {
		return false, errors.New("seal escalation texts: no ciphertext")
	}
	// Only a text kept in the clear is replaced: the other one may be
	// sealed already.
	return p.db.sealInPlace(ctx, `UPDATE escalations SET
		advice_ct = CASE WHEN advice <> '' THEN ?1 ELSE advice_ct END, note_ct = CASE WHEN note <> '' THEN ?2 ELSE note_ct END,
		advice = '', note = '' WHERE seq = ?3 AND advice = ?4 AND note = ?5`, nilIfEmpty(advice), nilIfEmpty(note), pe.Seq, pe.Advice, pe.Note)
}
