package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

var _ signal.ErasureStore = (*Privacy)(nil)

// ErasureInventory implements signal.ErasureStore: counts only, by the
// indexes on youth and on case.
func (p *Privacy) ErasureInventory(ctx context.Context, coop, youth string) (signal.ErasureCounts, error) {
	var c signal.ErasureCounts
	err := p.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM signals WHERE youth = ?1 AND cooperation_id = ?2 AND length(name_ct) > 0),
		(SELECT count(*) FROM signals WHERE youth = ?1 AND cooperation_id = ?2 AND versions_ct IS NOT NULL),
		(SELECT count(*) FROM cases WHERE youth = ?1 AND cooperation_id = ?2),
		(SELECT count(*) FROM case_leads WHERE case_id IN (SELECT id FROM cases WHERE youth = ?1 AND cooperation_id = ?2)),
		(SELECT count(*) FROM case_actions WHERE length(description_ct) > 0 AND case_id IN (SELECT id FROM cases WHERE youth = ?1 AND cooperation_id = ?2)),
		(SELECT count(*) FROM case_decisions WHERE length(text_ct) > 0 AND case_id IN (SELECT id FROM cases WHERE youth = ?1 AND cooperation_id = ?2)),
		(SELECT count(*) FROM match_decisions WHERE cooperation_id = ?2 AND (youth_a = ?1 OR youth_b = ?1)),
		(SELECT count(*) FROM (
			SELECT opened_meeting AS m FROM cases WHERE youth = ?1 AND cooperation_id = ?2
			UNION SELECT closed_meeting FROM cases WHERE youth = ?1 AND cooperation_id = ?2 AND closed_meeting IS NOT NULL
			UNION SELECT meeting_id FROM case_leads WHERE case_id IN (SELECT id FROM cases WHERE youth = ?1 AND cooperation_id = ?2)
			UNION SELECT meeting_id FROM case_actions WHERE case_id IN (SELECT id FROM cases WHERE youth = ?1 AND cooperation_id = ?2)
			UNION SELECT meeting_id FROM case_decisions WHERE case_id IN (SELECT id FROM cases WHERE youth = ?1 AND cooperation_id = ?2)
			UNION SELECT meeting_id FROM match_decisions WHERE cooperation_id = ?2 AND (youth_a = ?1 OR youth_b = ?1))),
		(SELECT count(*) FROM outbox o JOIN case_actions a ON (o.dedupe_key IN ('action-assigned/' || a.id) OR o.dedupe_key LIKE 'action-assigned/' || a.id || '/%')
			OR o.dedupe_key LIKE 'action-due/' || a.id || '/%' OR o.dedupe_key LIKE 'action-overdue/' || a.id || '/%'
			WHERE a.case_id IN (SELECT id FROM cases WHERE youth = ?1 AND cooperation_id = ?2))`,
		youth, coop).Scan(&c.Signals, &c.Versions, &c.Cases, &c.Leads, &c.Actions, &c.Decisions, &c.Matches, &c.Minutes, &c.Notices)
	if err != nil {
		return c, fmt.Errorf("count what is held about the young person: %w", err)
	}
	return c, nil
}

// RecordAnswer implements signal.ErasureStore.
func (p *Privacy) RecordAnswer(ctx context.Context, actor signal.Actor, a signal.ErasureAnswer, event signal.AuditEvent) (int64, error) {
	counts, err := json.Marshal(a.Counts)
	if err != nil {
		return 0, fmt.Errorf("encode counts: %w", err)
	}
	entries, err := auditEntries(actor, []signal.AuditEvent{event})
	if err != nil {
		return 0, err
	}
	var seq int64
	err = p.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		var open bool
		if err := tx.QueryRowContext(ctx, `SELECT status <> 'closed' AND NOT EXISTS (SELECT 1 FROM access_request_answers WHERE request_id = ?1)
			FROM access_requests WHERE id = ?1`, a.Request).Scan(&open); err != nil {
			return fmt.Errorf("read request: %w", err)
		}
		if !open {
			return signal.Errorf(signal.CodeConflict, "the request was closed or answered meanwhile")
		}
		n, err := tx.AppendAll(ctx, entries...)
		if err != nil {
			return fmt.Errorf("audit the answer: %w", err)
		}
		seq = n
		if _, err := tx.ExecContext(ctx, `INSERT INTO access_request_answers (request_id, kind, ground, decided_at, decided_by, counts, audit_seq, completed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.Request, string(a.Kind), a.Ground, formatTime(a.DecidedAt), a.DecidedBy, string(counts), seq,
			nullTime(a.CompletedAt)); err != nil {
			return fmt.Errorf("record the answer: %w", err)
		}
		return nil
	})
	return seq, err
}

// Answer implements signal.ErasureStore.
func (p *Privacy) Answer(ctx context.Context, id string) (*signal.ErasureAnswer, error) {
	var (
		a                signal.ErasureAnswer
		kind, at, counts string
		done, name, org  sql.NullString
	)
	err := p.r.QueryRowContext(ctx, `SELECT a.request_id, a.kind, a.ground, a.decided_at, a.decided_by, a.counts, a.audit_seq, a.completed_at,
		u.name, o.name FROM access_request_answers a LEFT JOIN users u ON u.id = a.decided_by LEFT JOIN organisations o ON o.id = u.org_id
		WHERE a.request_id = ?`, id).Scan(&a.Request, &kind, &a.Ground, &at, &a.DecidedBy, &counts, &a.AuditSeq, &done, &name, &org)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	a.Kind, a.DecidedAt, a.DecidedByName, a.Organisation = signal.AnswerKind(kind), parseTime(at), name.String, org.String
	if err := json.Unmarshal([]byte(counts), &a.Counts); err != nil {
		return nil, fmt.Errorf("decode the answer's counts: %w", err)
	}
	if done.Valid {
		t := parseTime(done.String)
		a.CompletedAt = &t
	}
	return &a, nil
}

// EraseYouthRecords implements signal.ErasureStore: the meetings' texts of
// coop's cases about youth are overwritten in place (as eraseCaseTexts does
// when a key is retired; here also while youth has signals in another
// cooperation), coop's match answers about youth are forgotten, and the
// answer is marked completed, with its audit entry, in one unit.
func (p *Privacy) EraseYouthRecords(ctx context.Context, actor signal.Actor, coop, youth, id string, at time.Time, event signal.AuditEvent) error {
	err := p.db.doAudited(ctx, actor, []signal.AuditEvent{event}, func(ctx context.Context, tx *Tx) error {
		for _, q := range []string{
			`UPDATE case_actions SET description_ct = X'' WHERE length(description_ct) > 0 AND case_id IN (SELECT id FROM cases WHERE youth = ?1 AND cooperation_id = ?2)`,
			`UPDATE case_decisions SET text_ct = X'' WHERE length(text_ct) > 0 AND case_id IN (SELECT id FROM cases WHERE youth = ?1 AND cooperation_id = ?2)`,
			`UPDATE case_record_versions SET text_ct = X'' WHERE length(text_ct) > 0 AND case_id IN (SELECT id FROM cases WHERE youth = ?1 AND cooperation_id = ?2)`,
			`DELETE FROM match_decisions WHERE cooperation_id = ?2 AND (youth_a = ?1 OR youth_b = ?1)`,
		} {
			if _, err := tx.ExecContext(ctx, q, youth, coop); err != nil {
				return fmt.Errorf("erase the meetings' records: %w", err)
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE access_request_answers SET completed_at = ? WHERE request_id = ? AND completed_at IS NULL`, formatTime(at), id)
		if err != nil {
			return fmt.Errorf("complete the answer: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeConflict, "the erasure was completed meanwhile")
		}
		return nil
	})
	if err == nil {
		p.erased.Store(true)
		p.Scrub(ctx)
	}
	return err
}
