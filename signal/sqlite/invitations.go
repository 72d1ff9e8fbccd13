package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

var _ signal.InvitationStore = Accounts{}

// CreateInvitedUser implements signal.InvitationStore.
func (a Accounts) CreateInvitedUser(ctx context.Context, actor signal.Actor, u signal.User, unusableHash, tokenHash string, expires time.Time, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		u.Disabled = false
		err := insertUser(ctx, tx, u, unusableHash)
		if signal.ErrorCode(err) == signal.CodeConflict {
			return signal.Invalid(signal.FieldError{Field: "email", Problem: u.Email + " has an account already"})
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO invitations (token_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)`,
			tokenHash, u.ID, formatTime(expires), formatTime(u.CreatedAt)); err != nil {
			return fmt.Errorf("insert invitation: %w", err)
		}
		return nil
	})
}

// Reinvite implements signal.InvitationStore. The earlier open links end
// by an expiry at the Unix epoch, so no clock, however set, revives them
// (used_at stays for acceptance alone).
func (a Accounts) Reinvite(ctx context.Context, actor signal.Actor, userID, tokenHash string, expires time.Time, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		var invited, accepted int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(used_at) FROM invitations WHERE user_id = ?`, userID).Scan(&invited, &accepted); err != nil {
			return fmt.Errorf("find invitations: %w", err)
		}
		switch {
		case invited == 0:
			return signal.Errorf(signal.CodeNotFound, "account %s was never invited", userID)
		case accepted > 0:
			return signal.Errorf(signal.CodeConflict, "account %s accepted its invitation already", userID)
		}
		now := a.db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET expires_at = ? WHERE user_id = ? AND used_at IS NULL`, formatTime(time.Unix(0, 0).UTC()), userID); err != nil {
			return fmt.Errorf("end earlier invitations: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO invitations (token_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)`,
			tokenHash, userID, formatTime(expires), formatTime(now)); err != nil {
			return fmt.Errorf("insert invitation: %w", err)
		}
		return nil
	})
}

// Invitation implements signal.InvitationStore.
func (a Accounts) Invitation(ctx context.Context, tokenHash string) (string, time.Time, bool, error) {
	return a.link(ctx, `SELECT user_id, expires_at, used_at FROM invitations WHERE token_hash = ?`, tokenHash, "invitation")
}

// link reads a single-use link (an invitation, a password reset) by its
// token hash with query: its account, expiry and whether it was used.
// CodeNotFound names what (an invitation, a password reset link).
func (a Accounts) link(ctx context.Context, query, tokenHash, what string) (string, time.Time, bool, error) {
	var userID, expires string
	var used sql.NullString
	err := a.db.read.QueryRowContext(ctx, query, tokenHash).Scan(&userID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, false, signal.Errorf(signal.CodeNotFound, "no such %s", what)
	}
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("find %s: %w", what, err)
	}
	return userID, parseTime(expires), used.Valid, nil
}

// AcceptInvitation implements signal.InvitationStore.
func (a Accounts) AcceptInvitation(ctx context.Context, actor signal.Actor, tokenHash, userID, passwordHash, subject string, events []signal.AuditEvent) error {
	err := a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = ? WHERE token_hash = ? AND user_id = ? AND used_at IS NULL`,
			formatTime(a.db.now()), tokenHash, userID)
		if err != nil {
			return fmt.Errorf("use invitation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.ErrInvitationInvalid
		}
		// Every other open invitation of the account ends with it.
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, formatTime(a.db.now()), userID); err != nil {
			return fmt.Errorf("end other invitations: %w", err)
		}
		if passwordHash != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID); err != nil {
				return fmt.Errorf("store password: %w", err)
			}
		}
		if subject != "" {
			res, err := tx.ExecContext(ctx, `UPDATE users SET oidc_subject = ? WHERE id = ? AND (oidc_subject IS NULL OR oidc_subject = '' OR oidc_subject = ?)`,
				subject, userID, subject)
			if isUniqueViolation(err) {
				return signal.Errorf(signal.CodeConflict, "another account of the organisation has this subject id")
			}
			if err != nil {
				return fmt.Errorf("link subject: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return signal.Errorf(signal.CodeConflict, "the account has another subject id")
			}
		}
		return nil
	})
	a.db.sessions.forget()
	return err
}

// OpenInvitations implements signal.InvitationStore.
func (a Accounts) OpenInvitations(ctx context.Context, coopID string) (map[string]time.Time, error) {
	// The latest expiry is found here, not by MAX(): RFC 3339 with
	// fractions does not sort as text.
	rows, err := a.db.read.QueryContext(ctx, `SELECT i.user_id, i.expires_at, i.used_at IS NOT NULL FROM invitations i
		JOIN users u ON u.id = i.user_id JOIN organisations o ON o.id = u.org_id
		WHERE o.cooperation_id = ?`, coopID)
	if err != nil {
		return nil, fmt.Errorf("open invitations: %w", err)
	}
	defer rows.Close()
	out, accepted := map[string]time.Time{}, map[string]bool{}
	for rows.Next() {
		var id, expires string
		var used bool
		if err := rows.Scan(&id, &expires, &used); err != nil {
			return nil, err
		}
		if used {
			accepted[id] = true
		}
		if t := parseTime(expires); t.After(out[id]) {
			out[id] = t
		}
	}
	for id := range accepted {
		delete(out, id)
	}
	return out, rows.Err()
}
