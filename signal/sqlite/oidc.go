package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/signaal-nl/signaal/signal"
)

var _ signal.OIDCStore = Accounts{}

// SetOIDC implements signal.OIDCStore.
func (a Accounts) SetOIDC(ctx context.Context, actor signal.Actor, s signal.OIDCSettings, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations WHERE id = ?`, s.OrgID).Scan(&n); err != nil {
			return fmt.Errorf("find organisation: %w", err)
		}
		if n == 0 {
			return signal.Errorf(signal.CodeNotFound, "no organisation %q", s.OrgID)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO org_oidc (org_id, issuer, client_id, secret_file, claim, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id) DO UPDATE SET issuer = excluded.issuer, client_id = excluded.client_id,
				secret_file = excluded.secret_file, claim = excluded.claim, updated_at = excluded.updated_at`,
			s.OrgID, s.Issuer, s.ClientID, s.SecretFile, string(s.Claim), formatTime(s.UpdatedAt))
		if err != nil {
			return fmt.Errorf("store sign-in settings: %w", err)
		}
		return nil
	})
}

// OIDC implements signal.OIDCStore.
func (a Accounts) OIDC(ctx context.Context, orgID string) (signal.OIDCSettings, error) {
	var s signal.OIDCSettings
	var claim, updated string
	err := a.db.read.QueryRowContext(ctx, `SELECT org_id, issuer, client_id, secret_file, claim, updated_at FROM org_oidc WHERE org_id = ?`, orgID).
		Scan(&s.OrgID, &s.Issuer, &s.ClientID, &s.SecretFile, &claim, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return s, signal.Errorf(signal.CodeNotFound, "the organisation has no sign-in settings")
	}
	if err != nil {
		return s, fmt.Errorf("find sign-in settings: %w", err)
	}
	s.Claim = signal.IdentityClaim(claim)
	s.UpdatedAt = parseTime(updated)
	return s, nil
}

// OIDCOrganisations implements signal.OIDCStore.
func (a Accounts) OIDCOrganisations(ctx context.Context) ([]signal.Organisation, error) {
	rows, err := a.db.read.QueryContext(ctx, `SELECT o.id, o.name FROM org_oidc s JOIN organisations o ON o.id = s.org_id ORDER BY o.name`)
	if err != nil {
		return nil, fmt.Errorf("list sign-in organisations: %w", err)
	}
	defer rows.Close()
	var out []signal.Organisation
	for rows.Next() {
		var o signal.Organisation
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// LinkSubject implements signal.OIDCStore.
func (a Accounts) LinkSubject(ctx context.Context, actor signal.Actor, userID, subject string, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET oidc_subject = ? WHERE id = ?`, subject, userID)
		if isUniqueViolation(err) {
			return signal.Errorf(signal.CodeConflict, "another account of the organisation has this subject id")
		}
		if err != nil {
			return fmt.Errorf("link subject: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeNotFound, "no account %s", userID)
		}
		return nil
	})
}

// UserBySubject implements signal.OIDCStore.
func (a Accounts) UserBySubject(ctx context.Context, orgID, subject string) (signal.User, error) {
	u, err := scanUser(a.db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE org_id = ? AND oidc_subject = ?`, orgID, subject))
	if errors.Is(err, sql.ErrNoRows) {
		return signal.User{}, signal.Errorf(signal.CodeNotFound, "no account linked")
	}
	if err != nil {
		return signal.User{}, fmt.Errorf("find user by subject: %w", err)
	}
	return u, nil
}
