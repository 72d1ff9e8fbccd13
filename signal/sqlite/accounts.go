package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// Accounts is the storage of organisations, cooperations, accounts and
// sessions: the stores of signal.Accounts. The rules (validation, who may be
// disabled, what is audited) are the service's; each change is written here
// with its audit events in one unit of work.
type Accounts struct{ db *DB }

var (
	_ signal.AccountStore     = Accounts{}
	_ signal.AccountDirectory = (*DB)(nil)
	_ signal.SessionStore     = Accounts{}
)

// Accounts returns the account and session store over db.
func (db *DB) Accounts() Accounts { return Accounts{db: db} }

// CreateOrganisation implements signal.AccountStore.
func (a Accounts) CreateOrganisation(ctx context.Context, actor signal.Actor, o *signal.Organisation, coop signal.Cooperation, coopEvents, events []signal.AuditEvent) error {
	coopEntries, err := auditEntries(actor, coopEvents)
	if err != nil {
		return err
	}
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM cooperations WHERE name = ?`, coop.Name).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO cooperations (id, name, meeting_id, meeting_name, created_at) VALUES (?, ?, ?, ?, ?)`,
				coop.ID, coop.Name, coop.Meeting.ID, coop.Meeting.Name, formatTime(a.db.now())); err != nil {
				return fmt.Errorf("insert cooperation: %w", err)
			}
			if err := appendAll(ctx, tx, coopEntries); err != nil {
				return err
			}
			id = coop.ID
		case err != nil:
			return fmt.Errorf("find cooperation: %w", err)
		}
		o.CooperationID = id
		_, err = tx.ExecContext(ctx, `INSERT INTO organisations
			(id, name, kind, cooperation_id, contact_name, contact_email, contact_phone, deputy_name, deputy_email, deputy_phone, created_at, part)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.ID, o.Name, string(o.Kind), o.CooperationID, o.Contact.Name, o.Contact.Email, o.Contact.Phone,
			o.Deputy.Name, o.Deputy.Email, o.Deputy.Phone, formatTime(o.CreatedAt), o.Part)
		if isUniqueViolation(err) {
			return signal.Errorf(signal.CodeConflict, "an organisation named %q exists already", o.Name)
		}
		if err != nil {
			return fmt.Errorf("insert organisation: %w", err)
		}
		return nil
	})
}

// CreateUser implements signal.AccountStore.
func (a Accounts) CreateUser(ctx context.Context, actor signal.Actor, u signal.User, passwordHash string, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		return insertUser(ctx, tx, u, passwordHash)
	})
}

// insertUser stores account u in tx. Errors: CodeNotFound (no such
// organisation), CodeConflict (the address has an account).
func insertUser(ctx context.Context, tx *Tx, u signal.User, passwordHash string) error {
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations WHERE id = ?`, u.OrgID).Scan(&exists); err != nil {
		return fmt.Errorf("find organisation: %w", err)
	}
	if exists == 0 {
		return signal.Errorf(signal.CodeNotFound, "no organisation %q", u.OrgID)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, org_id, role, password_hash, disabled, created_at, demo)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, u.OrgID, string(u.Role), passwordHash, u.Disabled, formatTime(u.CreatedAt), u.Demo)
	if isUniqueViolation(err) {
		return signal.Errorf(signal.CodeConflict, "%s has an account already", u.Email)
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// SetUserDisabled implements signal.AccountStore.
func (a Accounts) SetUserDisabled(ctx context.Context, actor signal.Actor, userID string, disabled bool, events []signal.AuditEvent) error {
	err := a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		// Disabling moves the session generation on: every token of the
		// account is dead for good, so its revocations can go too.
		res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ?, session_gen = session_gen + ? WHERE id = ?`, disabled, disabled, userID)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeNotFound, "no account %s", userID)
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM revoked_tokens WHERE user_id = ?`, userID); err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
		}
		return nil
	})
	a.db.sessions.forget() // also when it failed: it may have been committed
	return err
}

// SetContacts implements signal.AccountStore.
func (a Accounts) SetContacts(ctx context.Context, actor signal.Actor, orgID string, contact, deputy signal.Person, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET contact_name = ?, contact_email = ?, contact_phone = ?,
			deputy_name = ?, deputy_email = ?, deputy_phone = ? WHERE id = ?`,
			contact.Name, contact.Email, contact.Phone, deputy.Name, deputy.Email, deputy.Phone, orgID)
		if err != nil {
			return fmt.Errorf("update organisation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeNotFound, "no organisation %q", orgID)
		}
		return nil
	})
}

const userColumns = `id, email, name, org_id, role, disabled, created_at, session_gen, second_factor_gen, demo`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (signal.User, error) {
	var u signal.User
	var role, created string
	err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &u.OrgID, &role, &u.Disabled, &created, &u.SessionGen, &u.SecondFactorGen, &u.Demo}, extra...)...)
	u.Role = signal.Role(role)
	u.CreatedAt = parseTime(created)
	return u, err
}

// UserByEmail returns the account with this email address and its password
// hash. Errors: CodeNotFound.
func (db *DB) UserByEmail(ctx context.Context, email string) (signal.User, string, error) {
	email, err := signal.NormaliseEmail(email)
	if err != nil {
		return signal.User{}, "", signal.Errorf(signal.CodeNotFound, "no such account")
	}
	var hash string
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = ?`, email), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return signal.User{}, "", signal.Errorf(signal.CodeNotFound, "no such account")
	}
	if err != nil {
		return signal.User{}, "", fmt.Errorf("find user: %w", err)
	}
	return u, hash, nil
}

// UserByID returns an account. Errors: CodeNotFound.
func (db *DB) UserByID(ctx context.Context, id string) (signal.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return signal.User{}, signal.Errorf(signal.CodeNotFound, "no such account")
	}
	if err != nil {
		return signal.User{}, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// Session implements signal.SessionStore. Every authenticated request asks
// it, so an answer is remembered for SessionTTL (see sessionCache) and
// otherwise it is a point query without a cancellation watcher (see quick).
func (a Accounts) Session(ctx context.Context, userID, tokenID string) (signal.User, bool, error) {
	db := a.db
	if s, ok := db.sessions.get(userID, tokenID); ok {
		return s.user, s.revoked, nil
	}
	gen := db.sessions.generation()
	var revoked bool
	u, err := scanUser(db.read.QueryRowContext(quick(ctx), `SELECT `+userColumns+`,
		EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?) FROM users WHERE id = ?`, tokenID, userID), &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return signal.User{}, false, signal.Errorf(signal.CodeNotFound, "no such account")
	case err != nil:
		return signal.User{}, false, fmt.Errorf("find session user: %w", err)
	}
	db.sessions.put(userID, tokenID, session{user: u, revoked: revoked}, gen)
	return u, revoked, nil
}

// RevokeToken implements signal.SessionStore. No revocation is dropped by
// the clock: past signal.MaxRevocations the account's generation moves on
// and its list is cleared.
func (a Accounts) RevokeToken(ctx context.Context, actor signal.Actor, tokenID, userID string, expiresAt time.Time, events []signal.AuditEvent) error {
	db := a.db
	err := db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (jti) DO NOTHING`, tokenID, userID, expiresAt.Unix()); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		var kept int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM revoked_tokens WHERE user_id = ?`, userID).Scan(&kept); err != nil {
			return fmt.Errorf("count revoked tokens: %w", err)
		}
		if kept > signal.MaxRevocations {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET session_gen = session_gen + 1 WHERE id = ?`, userID); err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM revoked_tokens WHERE user_id = ?`, userID); err != nil {
				return fmt.Errorf("clean revoked tokens: %w", err)
			}
		}
		return nil
	})
	db.sessions.forget() // also when it failed: it may have been committed
	return err
}

// EndSessions implements signal.SessionStore: the account's session
// generation moves on, so every token it holds is refused, and its
// revocations, now moot, go.
func (a Accounts) EndSessions(ctx context.Context, actor signal.Actor, userID string, events []signal.AuditEvent) error {
	db := a.db
	err := db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET session_gen = session_gen + 1 WHERE id = ?`, userID)
		if err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeNotFound, "no account %s", userID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM revoked_tokens WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("clean revoked tokens: %w", err)
		}
		return nil
	})
	db.sessions.forget() // also when it failed: it may have been committed
	return err
}

// RecordLogin implements signal.SessionStore.
func (a Accounts) RecordLogin(ctx context.Context, actor signal.Actor, userID, newHash string, events []signal.AuditEvent) error {
	return a.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if newHash != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, newHash, userID); err != nil {
				return fmt.Errorf("upgrade password hash: %w", err)
			}
		}
		return nil
	})
}

// Record implements signal.SessionStore.
func (a Accounts) Record(ctx context.Context, actor signal.Actor, events []signal.AuditEvent) error {
	return a.db.Record(ctx, actor, events)
}

// Organisation finds an organisation by id or by name. Errors: CodeNotFound.
func (db *DB) Organisation(ctx context.Context, idOrName string) (signal.Organisation, error) {
	o, err := scanOrganisation(db.read.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id = ? OR name = ?`, idOrName, idOrName))
	if errors.Is(err, sql.ErrNoRows) {
		return o, signal.Errorf(signal.CodeNotFound, "no organisation %q", idOrName)
	}
	if err != nil {
		return o, fmt.Errorf("find organisation: %w", err)
	}
	return o, nil
}

const orgColumns = `id, name, kind, cooperation_id, contact_name, contact_email, contact_phone,
	deputy_name, deputy_email, deputy_phone, created_at, part`

func scanOrganisation(row interface{ Scan(...any) error }) (signal.Organisation, error) {
	var o signal.Organisation
	var kind, created string
	err := row.Scan(&o.ID, &o.Name, &kind, &o.CooperationID, &o.Contact.Name, &o.Contact.Email, &o.Contact.Phone,
		&o.Deputy.Name, &o.Deputy.Email, &o.Deputy.Phone, &created, &o.Part)
	o.Kind = signal.OrgKind(kind)
	o.CreatedAt = parseTime(created)
	return o, err
}

// CooperationOf returns the cooperation an organisation belongs to, with its
// signal meeting (the default recipient of its members' signals).
// Errors: CodeNotFound.
func (db *DB) CooperationOf(ctx context.Context, orgID string) (signal.Cooperation, error) {
	var c signal.Cooperation
	err := db.read.QueryRowContext(ctx, `SELECT c.id, c.name, c.meeting_id, c.meeting_name
		FROM organisations o JOIN cooperations c ON c.id = o.cooperation_id WHERE o.id = ?`, orgID).Scan(
		&c.ID, &c.Name, &c.Meeting.ID, &c.Meeting.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return c, signal.Errorf(signal.CodeNotFound, "no organisation %q", orgID)
	}
	if err != nil {
		return c, fmt.Errorf("find cooperation: %w", err)
	}
	return c, nil
}
