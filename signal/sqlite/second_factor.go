package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/signaal-nl/signaal/signal"
)

var _ signal.SecondFactorStore = Accounts{}

// UserByID implements signal.SecondFactorStore.
func (a Accounts) UserByID(ctx context.Context, userID string) (signal.User, error) {
	return a.db.UserByID(ctx, userID)
}

// SecondFactor implements signal.SecondFactorStore.
func (a Accounts) SecondFactor(ctx context.Context, userID string) (signal.SecondFactor, error) {
	var sf signal.SecondFactor
	err := a.db.read.QueryRowContext(ctx, `SELECT secret, confirmed, last_step FROM second_factors WHERE user_id = ?`, userID).
		Scan(&sf.Secret, &sf.Confirmed, &sf.LastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return sf, signal.Errorf(signal.CodeNotFound, "no second factor")
	}
	if err != nil {
		return sf, fmt.Errorf("find second factor: %w", err)
	}
	return sf, nil
}

// BeginSecondFactor implements signal.SecondFactorStore.
func (a Accounts) BeginSecondFactor(ctx context.Context, userID, secret string) error {
	return a.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO second_factors (user_id, secret, created_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at WHERE confirmed = 0`,
			userID, secret, formatTime(a.db.now()))
		if err != nil {
			return fmt.Errorf("store second factor: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeConflict, "this account has a second factor already")
		}
		return nil
	})
}

// ConfirmSecondFactor implements signal.SecondFactorStore.
func (a Accounts) ConfirmSecondFactor(ctx context.Context, actor signal.Actor, userID, secret string, step int64, recoveryHashes []string, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE second_factors SET confirmed = 1, last_step = ?
			WHERE user_id = ? AND secret = ? AND confirmed = 0`, step, userID, secret)
		if err != nil {
			return fmt.Errorf("confirm second factor: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeConflict, "the second factor changed meanwhile; log in again")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("replace recovery codes: %w", err)
		}
		for _, h := range recoveryHashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, h); err != nil {
				return fmt.Errorf("store recovery code: %w", err)
			}
		}
		return nil
	})
}

// UseSecondFactor implements signal.SecondFactorStore. The step check is
// in the UPDATE itself, so two requests with one code cannot both pass.
func (a Accounts) UseSecondFactor(ctx context.Context, actor signal.Actor, userID string, step int64, recoveryHash string, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if step > 0 {
			res, err := tx.ExecContext(ctx, `UPDATE second_factors SET last_step = ? WHERE user_id = ? AND confirmed = 1 AND last_step < ?`,
				step, userID, step)
			if err != nil {
				return fmt.Errorf("use second factor: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return signal.Errorf(signal.CodeConflict, "this code was used already")
			}
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
			formatTime(a.db.now()), userID, recoveryHash)
		if err != nil {
			return fmt.Errorf("use recovery code: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeUnauthorized, "no such unused recovery code")
		}
		return nil
	})
}

// ResetSecondFactor implements signal.SecondFactorStore.
func (a Accounts) ResetSecondFactor(ctx context.Context, actor signal.Actor, userID string, events []signal.AuditEvent) error {
	err := a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET second_factor_gen = second_factor_gen + 1, session_gen = session_gen + 1 WHERE id = ?`, userID)
		if err != nil {
			return fmt.Errorf("reset second factor: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeNotFound, "no account %s", userID)
		}
		for _, q := range []string{`DELETE FROM second_factors WHERE user_id = ?`, `DELETE FROM recovery_codes WHERE user_id = ?`,
			`DELETE FROM revoked_tokens WHERE user_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return fmt.Errorf("reset second factor: %w", err)
			}
		}
		return nil
	})
	a.db.sessions.forget() // also when it failed: it may have been committed
	return err
}

// PlainSecondFactors implements signal.SecondFactorStore: the secrets kept
// as they were before secrets were sealed (no sealed prefix).
func (a Accounts) PlainSecondFactors(ctx context.Context, sealedPrefix string) (map[string]string, error) {
	rows, err := a.db.read.QueryContext(ctx, `SELECT user_id, secret FROM second_factors WHERE substr(secret, 1, length(?1)) <> ?1`, sealedPrefix)
	if err != nil {
		return nil, fmt.Errorf("read second factors: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, secret string
		if err := rows.Scan(&id, &secret); err != nil {
			return nil, fmt.Errorf("read second factors: %w", err)
		}
		out[id] = secret
	}
	return out, rows.Err()
}

// SealSecondFactor implements signal.SecondFactorStore.
func (a Accounts) SealSecondFactor(ctx context.Context, userID, plain, sealed string) (bool, error) {
	ok, err := a.db.sealInPlace(ctx, `UPDATE second_factors SET secret = ? WHERE user_id = ? AND secret = ?`, sealed, userID, plain)
	if err != nil {
		return false, fmt.Errorf("seal second factor: %w", err)
	}
	return ok, nil
}
