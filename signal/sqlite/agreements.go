package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/signaal-nl/signaal/signal"
)

var (
	_ signal.AgreementStore        = Accounts{}
	_ signal.CooperationDirectory  = (*DB)(nil)
	_ signal.OrganisationPartStore = Accounts{}
)

// Agreement implements signal.AgreementStore.
func (a Accounts) Agreement(ctx context.Context, coopID string) (signal.Agreement, error) {
	return a.db.Agreement(ctx, coopID)
}

// Agreement returns the agreement of cooperation coopID with its parties'
// names and kinds. Errors: CodeNotFound when none is recorded.
func (db *DB) Agreement(ctx context.Context, coopID string) (signal.Agreement, error) {
	ag := signal.Agreement{CooperationID: coopID}
	var signed, updated string
	err := db.read.QueryRowContext(ctx, `SELECT version, signed_on, retention_months, updated_at FROM agreements WHERE cooperation_id = ?`, coopID).
		Scan(&ag.Version, &signed, &ag.RetentionMonths, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return ag, signal.Errorf(signal.CodeNotFound, "no agreement recorded for cooperation %s", coopID)
	}
	if err != nil {
		return ag, fmt.Errorf("find agreement: %w", err)
	}
	if ag.SignedOn, err = signal.ParseDate(signed); err != nil {
		return ag, fmt.Errorf("agreement signed_on: %w", err)
	}
	ag.UpdatedAt = parseTime(updated)
	rows, err := db.read.QueryContext(ctx, `SELECT purpose, fields FROM agreement_purposes WHERE cooperation_id = ?`, coopID)
	if err != nil {
		return ag, fmt.Errorf("read agreement purposes: %w", err)
	}
	byPurpose := map[signal.Purpose][]signal.Field{}
	for rows.Next() {
		var p, fields string
		if err := rows.Scan(&p, &fields); err != nil {
			rows.Close()
			return ag, fmt.Errorf("read agreement purposes: %w", err)
		}
		for _, f := range strings.Split(fields, ",") {
			byPurpose[signal.Purpose(p)] = append(byPurpose[signal.Purpose(p)], signal.Field(f))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ag, fmt.Errorf("read agreement purposes: %w", err)
	}
	for _, p := range signal.AgreedPurposes { // in the form's order
		if fs, ok := byPurpose[p]; ok {
			ag.Purposes = append(ag.Purposes, signal.AgreedPurpose{Purpose: p, Fields: fs})
		}
	}
	rows, err = db.read.QueryContext(ctx, `SELECT o.id, o.name, o.kind FROM agreement_parties p JOIN organisations o ON o.id = p.org_id
		WHERE p.cooperation_id = ? ORDER BY o.name`, coopID)
	if err != nil {
		return ag, fmt.Errorf("read agreement parties: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p signal.AgreementParty
		var kind string
		if err := rows.Scan(&p.OrgID, &p.Name, &kind); err != nil {
			return ag, fmt.Errorf("read agreement parties: %w", err)
		}
		p.Kind = signal.OrgKind(kind)
		ag.Parties = append(ag.Parties, p)
	}
	return ag, rows.Err()
}

// SetAgreement implements signal.AgreementStore.
func (a Accounts) SetAgreement(ctx context.Context, actor signal.Actor, ag signal.Agreement, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		for _, p := range ag.Parties {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations WHERE id = ? AND cooperation_id = ?`, p.OrgID, ag.CooperationID).Scan(&n); err != nil {
				return fmt.Errorf("find party: %w", err)
			}
			if n == 0 {
				return signal.Invalid(signal.FieldError{Field: "parties", Problem: fmt.Sprintf("%s is not a partner of this cooperation", p.OrgID)})
			}
		}
		for _, q := range []string{`DELETE FROM agreement_parties WHERE cooperation_id = ?`, `DELETE FROM agreement_purposes WHERE cooperation_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, ag.CooperationID); err != nil {
				return fmt.Errorf("replace agreement: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agreements (cooperation_id, version, signed_on, retention_months, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (cooperation_id) DO UPDATE SET version = excluded.version, signed_on = excluded.signed_on,
			retention_months = excluded.retention_months, updated_at = excluded.updated_at`,
			ag.CooperationID, ag.Version, ag.SignedOn.String(), ag.RetentionMonths, formatTime(ag.UpdatedAt)); err != nil {
			return fmt.Errorf("store agreement: %w", err)
		}
		for _, p := range ag.Purposes {
			fields := make([]string, len(p.Fields))
			for i, f := range p.Fields {
				fields[i] = string(f)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_purposes (cooperation_id, purpose, fields) VALUES (?, ?, ?)`,
				ag.CooperationID, string(p.Purpose), strings.Join(fields, ",")); err != nil {
				return fmt.Errorf("store agreement purpose: %w", err)
			}
		}
		for _, p := range ag.Parties {
			if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_parties (cooperation_id, org_id) VALUES (?, ?)`, ag.CooperationID, p.OrgID); err != nil {
				return fmt.Errorf("store agreement party: %w", err)
			}
		}
		return nil
	})
}

// SetPart implements signal.OrganisationPartStore.
func (a Accounts) SetPart(ctx context.Context, actor signal.Actor, orgID, part string, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET part = ? WHERE id = ?`, part, orgID)
		if err != nil {
			return fmt.Errorf("update organisation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeNotFound, "no organisation %q", orgID)
		}
		return nil
	})
}

// Organisations implements signal.CooperationDirectory.
func (db *DB) Organisations(ctx context.Context, coopID string) ([]signal.Organisation, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE cooperation_id = ? ORDER BY name`, coopID)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	defer rows.Close()
	var out []signal.Organisation
	for rows.Next() {
		o, err := scanOrganisation(rows)
		if err != nil {
			return nil, fmt.Errorf("list organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Users implements signal.CooperationDirectory.
func (db *DB) Users(ctx context.Context, coopID string) ([]signal.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+prefixed("u.", userColumns)+` FROM users u JOIN organisations o ON o.id = u.org_id
		WHERE o.cooperation_id = ? ORDER BY o.name, u.name`, coopID)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	defer rows.Close()
	var out []signal.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func prefixed(p, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

var _ signal.MeetingStandingStore = Accounts{}

// MeetingStanding implements signal.MeetingStandingStore.
func (a Accounts) MeetingStanding(ctx context.Context, coopID string) (signal.MeetingStanding, error) {
	var ms signal.MeetingStanding
	var updated string
	err := a.db.read.QueryRowContext(ctx, `SELECT weekday, start_time, every_weeks, updated_at FROM meeting_schedules WHERE cooperation_id = ?`, coopID).
		Scan(&ms.Weekday, &ms.StartTime, &ms.EveryWeeks, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return ms, signal.Errorf(signal.CodeNotFound, "no standing arrangement for cooperation %s", coopID)
	}
	if err != nil {
		return ms, fmt.Errorf("find the meeting's arrangement: %w", err)
	}
	ms.UpdatedAt = parseTime(updated)
	rows, err := a.db.read.QueryContext(ctx, `SELECT org_id FROM meeting_standing_members WHERE cooperation_id = ? ORDER BY org_id`, coopID)
	if err != nil {
		return ms, fmt.Errorf("read the standing members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return ms, fmt.Errorf("read the standing members: %w", err)
		}
		ms.Members = append(ms.Members, id)
	}
	return ms, rows.Err()
}

// SetMeetingStanding implements signal.MeetingStandingStore.
func (a Accounts) SetMeetingStanding(ctx context.Context, actor signal.Actor, coopID string, ms signal.MeetingStanding, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		for _, id := range ms.Members {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations WHERE id = ? AND cooperation_id = ?`, id, coopID).Scan(&n); err != nil {
				return fmt.Errorf("find member: %w", err)
			}
			if n == 0 {
				return signal.Invalid(signal.FieldError{Field: "members", Problem: fmt.Sprintf("%s is not a partner of this cooperation", id)})
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM meeting_standing_members WHERE cooperation_id = ?`, coopID); err != nil {
			return fmt.Errorf("replace the standing members: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_schedules (cooperation_id, weekday, start_time, every_weeks, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (cooperation_id) DO UPDATE SET weekday = excluded.weekday, start_time = excluded.start_time,
			every_weeks = excluded.every_weeks, updated_at = excluded.updated_at`,
			coopID, ms.Weekday, ms.StartTime, ms.EveryWeeks, formatTime(ms.UpdatedAt)); err != nil {
			return fmt.Errorf("store the meeting's arrangement: %w", err)
		}
		for _, id := range ms.Members {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_standing_members (cooperation_id, org_id) VALUES (?, ?)`, coopID, id); err != nil {
				return fmt.Errorf("store a standing member: %w", err)
			}
		}
		return nil
	})
}
