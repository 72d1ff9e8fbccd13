package signal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// A forgotten password is set again through a link sent by e-mail to the
// account's address: single use, valid for PasswordResetTTL, only the
// SHA-256 of its token kept. The answer to a request is the same whether
// or not the address has an account. Using the link sets the new password
// and ends every session of the account; it does not log anyone in, so the
// second factor is still asked at the next login (a reset by someone who
// read the mailbox gets no further than the password step).

// PasswordResetTTL is how long a password reset link can be used.
const PasswordResetTTL = time.Hour

// PasswordResetsPerHour is how many reset links one account gets within
// an hour; more requests are answered alike but send nothing (someone
// filling in another's address cannot flood their mailbox).
const PasswordResetsPerHour = 3

// PasswordResetStore keeps password reset links.
type PasswordResetStore interface {
	// CreatePasswordReset stores a reset link (tokenHash, expires) for
	// userID with events, in one unit, unless userID had max or more links
	// made since since: then nothing is stored and the error has
	// CodeTooMany.
	CreatePasswordReset(ctx context.Context, actor Actor, userID, tokenHash string, created, expires, since time.Time, max int, events []AuditEvent) error
	// PasswordReset returns the account a link is for, when it expires and
	// whether it was used; CodeNotFound for an unknown token.
	PasswordReset(ctx context.Context, tokenHash string) (userID string, expires time.Time, used bool, err error)
	// UsePasswordReset marks the link used (and every other open link and
	// invitation of the account), stores passwordHash and moves the
	// account's session generation on (every session ends), with events,
	// in one unit; CodeNotFound (ErrPasswordResetInvalid) when the link was
	// used meanwhile.
	UsePasswordReset(ctx context.Context, actor Actor, tokenHash, userID, passwordHash string, events []AuditEvent) error
}

// PasswordResetSender delivers a reset link: an e-mail to u.Email with the
// link that carries token, valid until expires.
type PasswordResetSender interface {
	SendPasswordReset(ctx context.Context, u User, token string, expires time.Time) error
}

// ErrPasswordResetInvalid is the one answer to an unknown, used or expired
// reset link.
var ErrPasswordResetInvalid = Errorf(CodeNotFound, "this link to set a new password is not valid (any more): ask for a new one on the login page")

func passwordResetTokenHash(token string) string {
	h := sha256.Sum256([]byte("signaal password reset v1\x00" + token))
	return hex.EncodeToString(h[:])
}

// RequestPasswordReset e-mails the owner of email a single-use link, valid
// for PasswordResetTTL, to choose a new password: only when the address has
// an enabled account that had fewer than PasswordResetsPerHour links in
// the past hour. The answer is the same in every case (nil), so nobody
// learns which addresses have an account. Every request is audited
// password.reset_request: under the account when there is one (object
// "user/<id>", or ".../throttled" or ".../disabled" when nothing was sent),
// else under LoginRef ("email/<ref>"), never the address itself.
//
// Callers: anyone (no session); origin is the request. The door limits
// requests per source.
// Errors: CodeInvalid (email), CodeUnavailable (no e-mail on this
// server), or an internal one (no audit entry, no mail).
func (a *Accounts) RequestPasswordReset(ctx context.Context, origin Actor, email string) error {
	norm, err := NormaliseEmail(email)
	if err != nil {
		return Invalid(FieldError{Field: "email", Problem: "not a valid email address"})
	}
	if a.resets == nil || a.resetSender == nil {
		return Errorf(CodeUnavailable, "a new password by e-mail needs e-mail, which is not configured on this server")
	}
	anon := Actor{RequestID: origin.RequestID, IP: origin.IP}
	u, _, err := a.dir.UserByEmail(ctx, norm)
	switch {
	case ErrorCode(err) == CodeNotFound:
		return a.sessions.Record(ctx, anon, []AuditEvent{{Action: ActionPasswordResetRequest, Object: "email/" + a.LoginRef(norm)}})
	case err != nil:
		return err
	}
	actor := Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, RequestID: origin.RequestID, IP: origin.IP}
	if u.Disabled {
		return a.sessions.Record(ctx, actor, []AuditEvent{{Action: ActionPasswordResetRequest, Object: "user/" + u.ID + "/disabled"}})
	}
	tok := make([]byte, 32)
	rand.Read(tok)
	token := base64.RawURLEncoding.EncodeToString(tok)
	now := a.now().UTC()
	expires := now.Add(PasswordResetTTL)
	err = a.resets.CreatePasswordReset(ctx, actor, u.ID, passwordResetTokenHash(token), now, expires, now.Add(-time.Hour), PasswordResetsPerHour,
		[]AuditEvent{{Action: ActionPasswordResetRequest, Object: "user/" + u.ID}})
	switch {
	case ErrorCode(err) == CodeTooMany:
		return a.sessions.Record(ctx, actor, []AuditEvent{{Action: ActionPasswordResetRequest, Object: "user/" + u.ID + "/throttled"}})
	case err != nil:
		return err
	}
	if err := a.resetSender.SendPasswordReset(ctx, u, token, expires); err != nil {
		return fmt.Errorf("send the password reset link: %w", err)
	}
	return nil
}

// PasswordResetFor checks a reset link's token and returns the account it
// is for, so the page can say which address gets the new password.
//
// Callers: anyone holding the link (no session).
// Errors: CodeNotFound (ErrPasswordResetInvalid: unknown, used, expired,
// or the account disabled meanwhile).
func (a *Accounts) PasswordResetFor(ctx context.Context, token string) (User, error) {
	if a.resets == nil || a.factors == nil || token == "" {
		return User{}, ErrPasswordResetInvalid
	}
	userID, expires, used, err := a.resets.PasswordReset(ctx, passwordResetTokenHash(token))
	return linkHolder(ctx, a.factors, userID, expires, used, err, a.now(), ErrPasswordResetInvalid)
}

// ResetPassword uses a reset link once: password (CheckPassword) becomes
// the account's, every session of the account ends, and the link (and any
// other open link or invitation of the account) is used up. Audited
// password.reset under the account. It does not log in: the next login
// asks the new password and then the second factor, as always.
//
// Callers: anyone holding the link (no session); origin is the request.
// Errors: CodeNotFound (ErrPasswordResetInvalid), CodeInvalid (password).
func (a *Accounts) ResetPassword(ctx context.Context, origin Actor, token, password string) (User, error) {
	u, err := a.PasswordResetFor(ctx, token)
	if err != nil {
		return User{}, err
	}
	if err := CheckPassword(password); err != nil {
		return User{}, err
	}
	hash, err := a.passwords.Hash(password)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	actor := Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, RequestID: origin.RequestID, IP: origin.IP}
	if err := a.resets.UsePasswordReset(ctx, actor, passwordResetTokenHash(token), u.ID, hash,
		[]AuditEvent{{Action: ActionPasswordReset, Object: "user/" + u.ID}}); err != nil {
		return User{}, err
	}
	return u, nil
}

// SendPasswordReset enqueues the reset e-mail (a PasswordResetSender): the
// fixed text and the link, once per link. The message holds the link only
// until it is sent.
func (o *Outbox) SendPasswordReset(ctx context.Context, u User, token string, _ time.Time) error {
	_, err := o.Enqueue(ctx, Mail{Key: "password-reset/" + u.ID + "/" + passwordResetTokenHash(token)[:16], To: u.Email,
		Kind: MailPasswordReset, Link: "/wachtwoord/" + token})
	return err
}
