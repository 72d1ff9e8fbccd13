package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

var _ signal.OutboxStore = Outbox{}

// Outbox is the store of outgoing e-mail (signal.OutboxStore).
type Outbox struct{ db *DB }

// Outbox returns the outbox store.
func (db *DB) Outbox() Outbox { return Outbox{db: db} }

// EnqueueMail implements signal.OutboxStore: INSERT OR IGNORE on the
// dedupe key, so a key is stored once whoever enqueues it.
func (o Outbox) EnqueueMail(ctx context.Context, m signal.OutboxMessage) (bool, error) {
	var stored bool
	err := o.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO outbox (dedupe_key, recipient, kind, subject, body, link, created_ms, next_attempt_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
			m.Key, m.To, string(m.Kind), m.Subject, m.Body, m.Link, m.Created.UnixMilli(), m.NextAttempt.UnixMilli())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		stored = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("enqueue mail: %w", err)
	}
	return stored, nil
}

// DueMail implements signal.OutboxStore.
func (o Outbox) DueMail(ctx context.Context, now time.Time, limit int) ([]signal.OutboxMessage, error) {
	rows, err := o.db.read.QueryContext(ctx, `SELECT id, dedupe_key, recipient, kind, subject, body, created_ms, attempts, next_attempt_ms, last_error
		FROM outbox WHERE sent_ms IS NULL AND claimed_ms IS NULL AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?`, now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("read due mail: %w", err)
	}
	defer rows.Close()
	var ms []signal.OutboxMessage
	for rows.Next() {
		var m signal.OutboxMessage
		var kind string
		var created, next int64
		if err := rows.Scan(&m.ID, &m.Key, &m.To, &kind, &m.Subject, &m.Body, &created, &m.Attempts, &next, &m.LastError); err != nil {
			return nil, fmt.Errorf("read due mail: %w", err)
		}
		m.Kind, m.Created, m.NextAttempt = signal.MailKind(kind), time.UnixMilli(created).UTC(), time.UnixMilli(next).UTC()
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// MailSent implements signal.OutboxStore.
// The send is audited as mail.sent with the kind of message as object
// ("mail/<kind>"), never the address or the text.
func (o Outbox) MailSent(ctx context.Context, id int64, kind signal.MailKind, at time.Time) error {
	events := []signal.AuditEvent{{Action: signal.ActionMailSent, Object: "mail/" + string(kind)}}
	return o.db.doAudited(ctx, signal.Actor{UserID: "mailer", Role: signal.RoleSystem}, events, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET sent_ms = ?, body = '', last_error = '' WHERE id = ? AND sent_ms IS NULL`, at.UnixMilli(), id)
		return err
	})
}

// ClaimMail implements signal.OutboxStore.
func (o Outbox) ClaimMail(ctx context.Context, id int64, at time.Time) (bool, error) {
	var claimed bool
	err := o.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_ms = ? WHERE id = ? AND sent_ms IS NULL AND claimed_ms IS NULL`, at.UnixMilli(), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim mail: %w", err)
	}
	return claimed, nil
}

// MailFailed implements signal.OutboxStore.
func (o Outbox) MailFailed(ctx context.Context, id int64, attempts int, next time.Time, class string) error {
	return o.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = ?, next_attempt_ms = ?, last_error = ?, claimed_ms = NULL WHERE id = ? AND sent_ms IS NULL`,
			attempts, next.UnixMilli(), class, id)
		return err
	})
}

// MailStatus implements signal.OutboxStore.
func (o Outbox) MailStatus(ctx context.Context) (signal.OutboxStatus, error) {
	var st signal.OutboxStatus
	var oldest sql.NullInt64
	err := o.db.read.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE sent_ms IS NULL), min(created_ms) FILTER (WHERE sent_ms IS NULL),
		count(*) FILTER (WHERE sent_ms IS NOT NULL) FROM outbox`).Scan(&st.Pending, &oldest, &st.Sent)
	if err != nil {
		return st, fmt.Errorf("count the outbox: %w", err)
	}
	if oldest.Valid {
		st.Oldest = time.UnixMilli(oldest.Int64).UTC()
	}
	err = o.db.read.QueryRowContext(ctx, `SELECT last_error FROM outbox WHERE sent_ms IS NULL AND last_error <> ''
		ORDER BY next_attempt_ms DESC LIMIT 1`).Scan(&st.LastError)
	if err != nil && err != sql.ErrNoRows {
		return st, fmt.Errorf("count the outbox: %w", err)
	}
	return st, nil
}
