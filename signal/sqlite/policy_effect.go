package sqlite

import (
	"context"
	"fmt"

	"github.com/signaal-nl/signaal/signal"
)

var (
	_ signal.RecordedSignals = (*Privacy)(nil)
	_ signal.PolicyApprovals = (*Privacy)(nil)
)

// EachRecordedSignal implements signal.RecordedSignals: one read
// transaction, a row at a time.
func (p *Privacy) EachRecordedSignal(ctx context.Context, coop string, fn func(*signal.Signal) error) error {
	rows, err := p.r.QueryContext(ctx, `SELECT `+signalColumns+` FROM signals INDEXED BY signals_by_cooperation
		WHERE cooperation_id = ? AND length(name_ct) > 0 ORDER BY seq`, coop)
	if err != nil {
		return fmt.Errorf("read the recorded signals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scanSignal(rows)
		if err != nil {
			return fmt.Errorf("read the recorded signals: %w", err)
		}
		if err := fn(s); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ApprovePolicy implements signal.PolicyApprovals.
func (p *Privacy) ApprovePolicy(ctx context.Context, actor signal.Actor, coop string, a signal.PolicyApproval, events []signal.AuditEvent) error {
	return p.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO policy_approvals (version, cooperation_id, approved_by, approved_at) VALUES (?, ?, ?, ?)`,
			a.Version, coop, a.ApprovedBy, formatTime(a.ApprovedAt))
		if isUniqueViolation(err) {
			return signal.Errorf(signal.CodeConflict, "policy version %s was approved already", a.Version)
		}
		if err != nil {
			return fmt.Errorf("record the approval: %w", err)
		}
		return nil
	})
}

// PolicyApprovals implements signal.PolicyApprovals.
func (p *Privacy) PolicyApprovals(ctx context.Context, coop string) (map[string]signal.PolicyApproval, error) {
	rows, err := p.r.QueryContext(ctx, `SELECT version, approved_by, approved_at FROM policy_approvals WHERE cooperation_id = ?`, coop)
	if err != nil {
		return nil, fmt.Errorf("read the policy approvals: %w", err)
	}
	defer rows.Close()
	out := map[string]signal.PolicyApproval{}
	for rows.Next() {
		var a signal.PolicyApproval
		var at string
		if err := rows.Scan(&a.Version, &a.ApprovedBy, &at); err != nil {
			return nil, fmt.Errorf("read the policy approvals: %w", err)
		}
		a.ApprovedAt = parseTime(at)
		out[a.Version] = a
	}
	return out, rows.Err()
}
