package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
)

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random identifier with a short prefix naming its kind
// ("org_…", "usr_…"): 80 random bits, unguessable and safe in audit entries.
func NewID(prefix string) string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("read random id: %v", err)) // crypto/rand never fails on Linux
	}
	return prefix + "_" + idEncoding.EncodeToString(b)
}

// CreateOrganisation stores a partner organisation in the cooperation named
// cooperationName, creating that cooperation and its signal meeting if it
// does not exist yet. It fills o.ID, o.CooperationID and o.CreatedAt and
// audits "org.create" (and "cooperation.create") by actor.
// Errors: CodeInvalid (o.Validate), CodeConflict (the name is taken).
func (db *DB) CreateOrganisation(ctx context.Context, o *signal.Organisation, cooperationName string, actor audit.Actor) error {
	var fe signal.FieldErrors
	if strings.TrimSpace(cooperationName) == "" {
		fe.Add("cooperation", "required")
	}
	if err := o.Validate(); err != nil {
		var se *signal.Error
		errors.As(err, &se)
		fe = append(fe, se.Fields...)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	for _, p := range []*signal.Person{&o.Contact, &o.Deputy} {
		p.Email, _ = signal.NormaliseEmail(p.Email)
		p.Name = strings.TrimSpace(p.Name)
	}
	o.Name = strings.TrimSpace(o.Name)
	o.ID = NewID("org")
	o.CreatedAt = db.now().UTC()
	cooperationName = strings.TrimSpace(cooperationName)
	return db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		coopID, err := ensureCooperation(ctx, tx, cooperationName, actor, db.now)
		if err != nil {
			return err
		}
		o.CooperationID = coopID
		_, err = tx.ExecContext(ctx, `INSERT INTO organisations
			(id, name, kind, cooperation_id, contact_name, contact_email, contact_phone, deputy_name, deputy_email, deputy_phone, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.ID, o.Name, string(o.Kind), o.CooperationID, o.Contact.Name, o.Contact.Email, o.Contact.Phone,
			o.Deputy.Name, o.Deputy.Email, o.Deputy.Phone, formatTime(o.CreatedAt))
		if isUniqueViolation(err) {
			return signal.Errorf(signal.CodeConflict, "an organisation named %q exists already", o.Name)
		}
		if err != nil {
			return fmt.Errorf("insert organisation: %w", err)
		}
		if _, err := tx.Append(ctx, audit.Entry{Actor: actor, Action: "org.create", Object: "org/" + o.ID}); err != nil {
			return fmt.Errorf("append audit entry: %w", err)
		}
		return nil
	})
}

func ensureCooperation(ctx context.Context, tx *Tx, name string, actor audit.Actor, now func() time.Time) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM cooperations WHERE name = ?`, name).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find cooperation: %w", err)
	}
	id = NewID("coop")
	if _, err := tx.ExecContext(ctx, `INSERT INTO cooperations (id, name, meeting_id, meeting_name, created_at) VALUES (?, ?, ?, ?, ?)`,
		id, name, NewID("mtg"), "Signaleringsoverleg "+name, formatTime(now())); err != nil {
		return "", fmt.Errorf("insert cooperation: %w", err)
	}
	if _, err := tx.Append(ctx, audit.Entry{Actor: actor, Action: "cooperation.create", Object: "cooperation/" + id}); err != nil {
		return "", fmt.Errorf("append audit entry: %w", err)
	}
	return id, nil
}

// CreateUser stores an account with an already computed password hash (hash
// before calling: it is slow, and Do's unit runs on the shared writer). It
// fills u.ID and u.CreatedAt and audits "user.create" by actor.
// Errors: CodeInvalid, CodeNotFound (no such organisation), CodeConflict
// (the email address has an account).
func (db *DB) CreateUser(ctx context.Context, u *signal.User, passwordHash string, actor audit.Actor) error {
	if err := u.Validate(); err != nil {
		return err
	}
	u.Email, _ = signal.NormaliseEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	u.ID = NewID("usr")
	u.CreatedAt = db.now().UTC()
	return db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations WHERE id = ?`, u.OrgID).Scan(&exists); err != nil {
			return fmt.Errorf("find organisation: %w", err)
		}
		if exists == 0 {
			return signal.Errorf(signal.CodeNotFound, "no organisation %q", u.OrgID)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, org_id, role, password_hash, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Email, u.Name, u.OrgID, string(u.Role), passwordHash, u.Disabled, formatTime(u.CreatedAt))
		if isUniqueViolation(err) {
			return signal.Errorf(signal.CodeConflict, "%s has an account already", u.Email)
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		if _, err := tx.Append(ctx, audit.Entry{Actor: actor, Action: "user.create", Object: "user/" + u.ID}); err != nil {
			return fmt.Errorf("append audit entry: %w", err)
		}
		return nil
	})
}

// SetUserDisabled disables or re-enables an account; a disabled account
// cannot log in and its tokens are refused at once. Disabling the contact
// person or deputy of an organisation is refused (CodeConflict) until
// another person is named with SetContacts: the role must never be empty.
func (db *DB) SetUserDisabled(ctx context.Context, email string, disabled bool, actor audit.Actor) error {
	email, err := signal.NormaliseEmail(email)
	if err != nil {
		return signal.Invalid(signal.FieldError{Field: "email", Problem: "not a valid email address"})
	}
	err = db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		var id, orgName, contact, deputy string
		err := tx.QueryRowContext(ctx, `SELECT u.id, o.name, o.contact_email, o.deputy_email
			FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.email = ?`, email).Scan(&id, &orgName, &contact, &deputy)
		if errors.Is(err, sql.ErrNoRows) {
			return signal.Errorf(signal.CodeNotFound, "no account %s", email)
		}
		if err != nil {
			return fmt.Errorf("find user: %w", err)
		}
		if disabled && (email == contact || email == deputy) {
			role := "contact person"
			if email == deputy {
				role = "deputy contact person"
			}
			return signal.Errorf(signal.CodeConflict,
				"%s is the %s of %s; name another %s first, so %s stays reachable", email, role, orgName, role, orgName)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, id); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
		}
		if _, err := tx.Append(ctx, audit.Entry{Actor: actor, Action: action, Object: "user/" + id}); err != nil {
			return fmt.Errorf("append audit entry: %w", err)
		}
		return nil
	})
	db.sessions.forget() // also when it failed: it may have been committed
	return err
}

// SetContacts names an organisation's contact person and deputy, both at
// once and both required, and audits "org.contacts".
func (db *DB) SetContacts(ctx context.Context, orgID string, contact, deputy signal.Person, actor audit.Actor) error {
	o := signal.Organisation{Name: "x", Kind: signal.OrgSchool, Contact: contact, Deputy: deputy}
	if err := o.Validate(); err != nil {
		return err
	}
	contact.Email, _ = signal.NormaliseEmail(contact.Email)
	deputy.Email, _ = signal.NormaliseEmail(deputy.Email)
	return db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET contact_name = ?, contact_email = ?, contact_phone = ?,
			deputy_name = ?, deputy_email = ?, deputy_phone = ? WHERE id = ?`,
			strings.TrimSpace(contact.Name), contact.Email, contact.Phone, strings.TrimSpace(deputy.Name), deputy.Email, deputy.Phone, orgID)
		if err != nil {
			return fmt.Errorf("update organisation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeNotFound, "no organisation %q", orgID)
		}
		if _, err := tx.Append(ctx, audit.Entry{Actor: actor, Action: "org.contacts", Object: "org/" + orgID}); err != nil {
			return fmt.Errorf("append audit entry: %w", err)
		}
		return nil
	})
}

const userColumns = `id, email, name, org_id, role, disabled, created_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (signal.User, error) {
	var u signal.User
	var role, created string
	err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &u.OrgID, &role, &u.Disabled, &created}, extra...)...)
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

// SessionUser returns the account a token with id tokenID was issued to, as
// it is now. Errors: CodeUnauthorized when the account is gone or disabled
// or the token was revoked.
//
// Every authenticated request asks it, so a valid session is remembered for
// SessionTTL (see sessionCache) and otherwise it is a point query without a
// cancellation watcher (see quick).
func (db *DB) SessionUser(ctx context.Context, userID, tokenID string) (signal.User, error) {
	if u, ok := db.sessions.get(userID, tokenID); ok {
		return u, nil
	}
	gen := db.sessions.generation()
	u, err := db.sessionUser(ctx, userID, tokenID)
	if err == nil {
		db.sessions.put(userID, tokenID, u, gen)
	}
	return u, err
}

func (db *DB) sessionUser(ctx context.Context, userID, tokenID string) (signal.User, error) {
	var revoked bool
	u, err := scanUser(db.read.QueryRowContext(quick(ctx), `SELECT `+userColumns+`,
		EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?) FROM users WHERE id = ?`, tokenID, userID), &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return signal.User{}, signal.Errorf(signal.CodeUnauthorized, "the account of this session does not exist")
	case err != nil:
		return signal.User{}, fmt.Errorf("find session user: %w", err)
	case u.Disabled:
		return signal.User{}, signal.Errorf(signal.CodeUnauthorized, "this account is disabled")
	case revoked:
		return signal.User{}, signal.Errorf(signal.CodeUnauthorized, "this session has ended; log in again")
	}
	return u, nil
}

// RevokeToken ends a session: the token id is refused until expiresAt (unix
// seconds), after which the token is invalid anyway. entries (e.g. "logout")
// are audited in the same unit. Expired revocations are cleaned up here.
func (db *DB) RevokeToken(ctx context.Context, tokenID, userID string, expiresAt int64, entries ...audit.Entry) error {
	err := db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (jti) DO NOTHING`, tokenID, userID, expiresAt); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM revoked_tokens WHERE expires_at < ?`, db.now().Unix()-3600); err != nil {
			return fmt.Errorf("clean revoked tokens: %w", err)
		}
		for _, e := range entries {
			if _, err := tx.Append(ctx, e); err != nil {
				return fmt.Errorf("append audit entry: %w", err)
			}
		}
		return nil
	})
	db.sessions.forget() // also when it failed: it may have been committed
	return err
}

// RecordLogin audits a successful login (entry, "login.ok") and, when
// newHash is set, stores the account's password hash made with stronger
// parameters, in one unit: the hash is upgraded only if the login is on
// record.
func (db *DB) RecordLogin(ctx context.Context, userID, newHash string, entry audit.Entry) error {
	return db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		if newHash != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, newHash, userID); err != nil {
				return fmt.Errorf("upgrade password hash: %w", err)
			}
		}
		if _, err := tx.Append(ctx, entry); err != nil {
			return fmt.Errorf("append audit entry: %w", err)
		}
		return nil
	})
}

// Organisation finds an organisation by id or by name. Errors: CodeNotFound.
func (db *DB) Organisation(ctx context.Context, idOrName string) (signal.Organisation, error) {
	var o signal.Organisation
	var kind, created string
	err := db.read.QueryRowContext(ctx, `SELECT id, name, kind, cooperation_id, contact_name, contact_email, contact_phone,
		deputy_name, deputy_email, deputy_phone, created_at FROM organisations WHERE id = ? OR name = ?`, idOrName, idOrName).Scan(
		&o.ID, &o.Name, &kind, &o.CooperationID, &o.Contact.Name, &o.Contact.Email, &o.Contact.Phone,
		&o.Deputy.Name, &o.Deputy.Email, &o.Deputy.Phone, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return o, signal.Errorf(signal.CodeNotFound, "no organisation %q", idOrName)
	}
	if err != nil {
		return o, fmt.Errorf("find organisation: %w", err)
	}
	o.Kind = signal.OrgKind(kind)
	o.CreatedAt = parseTime(created)
	return o, nil
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
