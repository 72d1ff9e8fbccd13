package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/signaal-nl/signaal/signal"
)

var (
	_ signal.RestrictionStore  = (*Privacy)(nil)
	_ signal.RestrictionReader = (*Privacy)(nil)
)

// Restriction implements signal.RestrictionStore.
func (p *Privacy) Restriction(ctx context.Context, coop, youth string) (*signal.Restriction, error) {
	r := signal.Restriction{Cooperation: coop, Youth: youth}
	var ground, at string
	err := p.r.QueryRowContext(ctx, `SELECT request_id, ground, restricted_at, restricted_by FROM youth_restrictions
		WHERE cooperation_id = ? AND youth = ?`, coop, youth).Scan(&r.Request, &ground, &at, &r.By)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read restriction: %w", err)
	}
	r.Ground, r.At = signal.RestrictionGround(ground), parseTime(at)
	return &r, nil
}

// Restrict implements signal.RestrictionStore.
func (p *Privacy) Restrict(ctx context.Context, actor signal.Actor, r signal.Restriction, event signal.AuditEvent) error {
	return p.db.doAudited(ctx, actor, []signal.AuditEvent{event}, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO youth_restrictions (cooperation_id, youth, request_id, ground, restricted_at, restricted_by)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, r.Cooperation, r.Youth, r.Request, string(r.Ground), formatTime(r.At), r.By)
		if err != nil {
			return fmt.Errorf("store restriction: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeConflict, "the young person's data is restricted already")
		}
		return nil
	})
}

// LiftRestriction implements signal.RestrictionStore.
func (p *Privacy) LiftRestriction(ctx context.Context, actor signal.Actor, coop, youth string, event signal.AuditEvent) error {
	return p.db.doAudited(ctx, actor, []signal.AuditEvent{event}, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM youth_restrictions WHERE cooperation_id = ? AND youth = ?`, coop, youth)
		if err != nil {
			return fmt.Errorf("lift restriction: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeConflict, "the young person's data is not restricted")
		}
		return nil
	})
}

// RestrictedYouth implements signal.RestrictionReader.
func (p *Privacy) RestrictedYouth(ctx context.Context, coop string) ([]string, error) {
	ids, err := queryIDs(ctx, p.r, `SELECT youth FROM youth_restrictions WHERE cooperation_id = ?`, coop)
	if err != nil {
		return nil, fmt.Errorf("read restrictions: %w", err)
	}
	return ids, nil
}
