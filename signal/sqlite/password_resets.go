package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

var _ signal.PasswordResetStore = Accounts{}

// CreatePasswordReset implements signal.PasswordResetStore.
func (a Accounts) CreatePasswordReset(ctx context.Context, actor signal.Actor, userID, tokenHash string, created, expires, since time.Time, max int, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM password_resets WHERE user_id = ? AND created_at > ?`,
			userID, formatTime(since)).Scan(&n); err != nil {
			return fmt.Errorf("count password resets: %w", err)
		}
		if n >= max {
			return signal.Errorf(signal.CodeTooMany, "%d password reset links within the hour", n)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_resets (token_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)`,
			tokenHash, userID, formatTime(expires), formatTime(created)); err != nil {
			return fmt.Errorf("insert password reset: %w", err)
		}
		return nil
	})
}

// PasswordReset implements signal.PasswordResetStore.
func (a Accounts) PasswordReset(ctx context.Context, tokenHash string) (string, time.Time, bool, error) {
	return a.link(ctx, `SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = ?`, tokenHash, "password reset link")
}

// UsePasswordReset implements signal.PasswordResetStore.
func (a Accounts) UsePasswordReset(ctx context.Context, actor signal.Actor, tokenHash, userID, passwordHash string, events []signal.AuditEvent) error {
	err := a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		now := formatTime(a.db.now())
		res, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND user_id = ? AND used_at IS NULL`,
			now, tokenHash, userID)
		if err != nil {
			return fmt.Errorf("use password reset: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.ErrPasswordResetInvalid
		}
		// Every other open link and invitation of the account ends with it.
		for _, q := range []string{`UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`,
			`UPDATE invitations SET used_at = ? WHERE user_id = ? AND used_at IS NULL`} {
			if _, err := tx.ExecContext(ctx, q, now, userID); err != nil {
				return fmt.Errorf("end other links: %w", err)
			}
		}
		// The new password, and every session of the account ends.
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, session_gen = session_gen + 1 WHERE id = ?`, passwordHash, userID); err != nil {
			return fmt.Errorf("store password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM revoked_tokens WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("clean revoked tokens: %w", err)
		}
		return nil
	})
	a.db.sessions.forget() // also when it failed: it may have been committed
	return err
}
