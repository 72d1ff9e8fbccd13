package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/signaal-nl/signaal/signal"
)

var _ signal.BreachStore = (*Privacy)(nil)

const breachColumns = `id, cooperation_id, discovered_at, kind, cause, risk, categories, young_people, notify_by, recorded_by, recorded_at`

// CreateBreach implements signal.BreachStore.
func (p *Privacy) CreateBreach(ctx context.Context, actor signal.Actor, b signal.Breach, events []signal.AuditEvent) error {
	cats := make([]string, len(b.Categories))
	for i, c := range b.Categories {
		cats[i] = string(c)
	}
	return p.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO breaches (`+breachColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, b.Cooperation, formatTime(b.DiscoveredAt), string(b.Kind), string(b.Cause), string(b.Risk),
			strings.Join(cats, ","), b.YoungPeople, formatTime(b.Deadline), b.RecordedBy, formatTime(b.RecordedAt))
		if err != nil {
			return fmt.Errorf("store breach: %w", err)
		}
		return nil
	})
}

func scanBreach(row rowScanner) (signal.Breach, error) {
	var (
		b                                                 signal.Breach
		discovered, kind, cause, risk, cats, by, recorded string
	)
	if err := row.Scan(&b.ID, &b.Cooperation, &discovered, &kind, &cause, &risk, &cats, &b.YoungPeople, &by, &b.RecordedBy, &recorded); err != nil {
		return b, err
	}
	b.DiscoveredAt, b.Deadline, b.RecordedAt = parseTime(discovered), parseTime(by), parseTime(recorded)
	b.Kind, b.Cause, b.Risk = signal.BreachKind(kind), signal.BreachCause(cause), signal.BreachRisk(risk)
	for _, c := range strings.Split(cats, ",") {
		b.Categories = append(b.Categories, signal.Field(c))
	}
	b.Notices = []signal.BreachNotice{}
	return b, nil
}

// breachNotices fills in the notifications of coop's breaches in bs (of
// breach id only, when id is not empty), keyed by id.
func (p *Privacy) breachNotices(ctx context.Context, coop, id string, bs map[string]*signal.Breach) error {
	rows, err := p.r.QueryContext(ctx, `SELECT n.breach_id, n.addressee, n.notified_at, n.reference, n.late_reason, n.recorded_by
		FROM breach_notices n JOIN breaches b ON b.id = n.breach_id
		WHERE b.cooperation_id = ? AND (? = '' OR b.id = ?) ORDER BY n.notified_at`, coop, id, id)
	if err != nil {
		return fmt.Errorf("read breach notifications: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			bid, to, at string
			ref, late   sql.NullString
			n           signal.BreachNotice
		)
		if err := rows.Scan(&bid, &to, &at, &ref, &late, &n.RecordedBy); err != nil {
			return fmt.Errorf("read breach notifications: %w", err)
		}
		n.To, n.At, n.Reference, n.Late = signal.BreachAddressee(to), parseTime(at), ref.String, signal.BreachDelay(late.String)
		if b := bs[bid]; b != nil {
			b.Notices = append(b.Notices, n)
		}
	}
	return rows.Err()
}

// Breaches implements signal.BreachStore.
func (p *Privacy) Breaches(ctx context.Context, coop string) ([]signal.Breach, error) {
	rows, err := p.r.QueryContext(ctx, `SELECT `+breachColumns+` FROM breaches WHERE cooperation_id = ?
		ORDER BY discovered_at DESC, id`, coop)
	if err != nil {
		return nil, fmt.Errorf("read breaches: %w", err)
	}
	defer rows.Close()
	out := []signal.Breach{}
	for rows.Next() {
		b, err := scanBreach(rows)
		if err != nil {
			return nil, fmt.Errorf("read breaches: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byID := make(map[string]*signal.Breach, len(out))
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	return out, p.breachNotices(ctx, coop, "", byID)
}

// Breach implements signal.BreachStore.
func (p *Privacy) Breach(ctx context.Context, id string) (signal.Breach, error) {
	b, err := scanBreach(p.r.QueryRowContext(ctx, `SELECT `+breachColumns+` FROM breaches WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, signal.Errorf(signal.CodeNotFound, "no breach %s", id)
	}
	if err != nil {
		return b, fmt.Errorf("read breach: %w", err)
	}
	return b, p.breachNotices(ctx, b.Cooperation, id, map[string]*signal.Breach{id: &b})
}

// AddBreachNotice implements signal.BreachStore.
func (p *Privacy) AddBreachNotice(ctx context.Context, actor signal.Actor, id string, n signal.BreachNotice, events []signal.AuditEvent) error {
	return p.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO breach_notices (breach_id, addressee, notified_at, reference, late_reason, recorded_by)
			VALUES (?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), ?) ON CONFLICT DO NOTHING`,
			id, string(n.To), formatTime(n.At), n.Reference, string(n.Late), n.RecordedBy)
		if err != nil {
			return fmt.Errorf("store breach notification: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return signal.Errorf(signal.CodeConflict, "the notification to %s was recorded meanwhile", n.To)
		}
		return nil
	})
}
