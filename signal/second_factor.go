package signal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A second factor is required of every account at login: every role sees
// content (reporters their signals, coordinators the meeting, privacy
// officers the audit, administrators the accounts that see it). The one
// exception is demo mode (AccountsOptions.Demo, `signald serve --demo` on
// loopback): there the demo's public accounts (seeded by SeedUser, see
// User.Demo) log in with their well-known password alone, and the login
// page says so. No setting turns the requirement off for a real set-up.

// SecondFactor is an account's enrolled (or enrolling) TOTP second factor.
type SecondFactor struct {
	Secret    string // base32, as the authenticator app reads it
	Confirmed bool   // a first code was entered: it is in use
	LastStep  int64  // the last 30-second step whose code was accepted
}

// SecondFactorStore keeps second factors and recovery codes. Every change
// that counts as a login is written with its audit events in one unit.
type SecondFactorStore interface {
	// UserByID returns an account; CodeNotFound if there is none.
	UserByID(ctx context.Context, userID string) (User, error)
	// SecondFactor returns userID's second factor; CodeNotFound if none.
	SecondFactor(ctx context.Context, userID string) (SecondFactor, error)
	// BeginSecondFactor stores secret as userID's unconfirmed second
	// factor, replacing an unconfirmed one. CodeConflict when a confirmed
	// one exists.
	BeginSecondFactor(ctx context.Context, userID, secret string) error
	// ConfirmSecondFactor marks the unconfirmed factor (whose secret is
	// secret) in use, accepted at step, replaces the recovery codes by
	// recoveryHashes and appends events, in one unit. CodeConflict when
	// the factor changed or was confirmed meanwhile.
	ConfirmSecondFactor(ctx context.Context, actor Actor, userID, secret string, step int64, recoveryHashes []string, events []AuditEvent) error
	// UseSecondFactor accepts a code and appends events, in one unit: with
	// step > 0, the TOTP code of that step, only if no code of that or a
	// later step was accepted before (else CodeConflict: a replay); with
	// recoveryHash set, that unused recovery code, which is used up (else
	// CodeUnauthorized).
	UseSecondFactor(ctx context.Context, actor Actor, userID string, step int64, recoveryHash string, events []AuditEvent) error
	// ResetSecondFactor removes userID's second factor and recovery codes,
	// moves its second-factor generation (remembered devices) and session
	// generation on, and appends events, in one unit. CodeNotFound for an
	// unknown account.
	ResetSecondFactor(ctx context.Context, actor Actor, userID string, events []AuditEvent) error
	// PlainSecondFactors returns the secrets (per account id) not yet
	// sealed, those not starting with sealedPrefix; SealSecondFactor
	// replaces one by its sealed form, false when it changed meanwhile.
	PlainSecondFactors(ctx context.Context, sealedPrefix string) (map[string]string, error)
	SealSecondFactor(ctx context.Context, userID, plain, sealed string) (bool, error)
}

// OneTimeCodes makes TOTP secrets and checks codes (implemented by
// auth.TOTP, RFC 6238 with 30-second steps and 6 digits).
type OneTimeCodes interface {
	// NewSecret returns a new secret for account at issuer and the
	// otpauth:// URI an authenticator app reads from the QR code.
	NewSecret(issuer, account string) (secret, uri string, err error)
	// URI returns the otpauth:// URI of an existing secret.
	URI(issuer, account, secret string) (string, error)
	// Step returns the step whose code code is for secret, allowing one
	// step of clock difference either way around at; ok false when it is
	// none of them.
	Step(secret, code string, at time.Time) (step int64, ok bool)
}

// LoginNext says what a login needs after its password.
type LoginNext int

const (
	// LoginDone: the login is complete and on record (login.ok).
	LoginDone LoginNext = iota
	// LoginNeedsCode: the account has a second factor; ask its code (or a
	// recovery code) with LoginResult.Pending.
	LoginNeedsCode
	// LoginNeedsEnrolment: the account has no second factor yet; it
	// enrols one now (BeginEnrolment, ConfirmEnrolment).
	LoginNeedsEnrolment
)

// LoginResult is the outcome of a right password.
type LoginResult struct {
	User User
	Next LoginNext
	// Pending proves the password step for PendingLoginTTL; it is what the
	// second step (LoginSecondFactor, BeginEnrolment, ConfirmEnrolment)
	// takes. Empty when Next is LoginDone.
	Pending string
	// Exempt: no second factor is asked because this is a demo account
	// in demo mode.
	Exempt bool
}

// PendingLoginTTL is how long the second step of a login may take.
const PendingLoginTTL = 10 * time.Minute

// DefaultRememberDevice is how long a browser whose owner asked it
// ("remember this device") logs in without the second factor.
const DefaultRememberDevice = 30 * 24 * time.Hour

// RecoveryCodeCount is how many recovery codes an enrolment gives.
const RecoveryCodeCount = 10

// ErrSecondFactorWrong is the answer to a wrong, replayed or used-up code,
// and to a pending login that expired or does not hold.
var ErrSecondFactorWrong = Errorf(CodeUnauthorized, "wrong or expired code; log in again if this keeps happening")

// ErrSecondFactorNeeded is the API's answer to a login without the code
// the account needs.
var ErrSecondFactorNeeded = Errorf(CodeUnauthorized, "this account needs its second factor: send its current code (or a recovery code) as \"code\"")

// ErrEnrolFirst is the API's answer to a login of an account that has not
// enrolled a second factor yet: that is done once, in a browser.
var ErrEnrolFirst = Errorf(CodeForbidden, "this account has no second factor yet: log in once in the browser to set it up")

// TOTPIssuer names Signaal in authenticator apps.
const TOTPIssuer = "Signaal"

// needsSecondFactor: every account, except the demo's public accounts in
// demo mode.
func (a *Accounts) needsSecondFactor(u User) bool {
	return !(a.demo && u.Demo)
}

// passwordStep is what Login does after a right password: complete the
// login (demo account in demo mode, or a remembered device) or hand out a
// pending login for the second step. rehash is the upgraded password hash,
// if any.
func (a *Accounts) passwordStep(ctx context.Context, actor Actor, u User, rehash, device string) (LoginResult, error) {
	if !a.needsSecondFactor(u) {
		if err := a.sessions.RecordLogin(ctx, actor, u.ID, rehash, []AuditEvent{{Action: ActionLoginOK, Object: "user/" + u.ID}}); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{User: u, Next: LoginDone, Exempt: true}, nil
	}
	if a.factors == nil {
		return LoginResult{}, Errorf(CodeUnavailable, "second factors are not available")
	}
	sf, _, err := a.readSecondFactor(ctx, u.ID)
	switch {
	case ErrorCode(err) == CodeNotFound:
		sf = SecondFactor{}
	case err != nil:
		return LoginResult{}, err
	}
	if sf.Confirmed && a.rememberedDevice(device, u) {
		if err := a.sessions.RecordLogin(ctx, actor, u.ID, rehash, []AuditEvent{{Action: ActionLoginOK, Object: "user/" + u.ID}}); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{User: u, Next: LoginDone}, nil
	}
	if err := a.sessions.RecordLogin(ctx, actor, u.ID, rehash, []AuditEvent{{Action: ActionLoginPassword, Object: "user/" + u.ID}}); err != nil {
		return LoginResult{}, err
	}
	next := LoginNeedsCode
	if !sf.Confirmed {
		next = LoginNeedsEnrolment
	}
	return LoginResult{User: u, Next: next, Pending: a.pendingToken(u)}, nil
}

// pendingToken: "p1.<user>.<session gen>.<factor gen>.<expiry>.<nonce>.<mac>".
func (a *Accounts) pendingToken(u User) string {
	nonce := make([]byte, 9)
	rand.Read(nonce)
	exp := a.now().Add(PendingLoginTTL).Unix()
	payload := fmt.Sprintf("p1.%s.%d.%d.%d.%s", u.ID, u.SessionGen, u.SecondFactorGen, exp, base64.RawURLEncoding.EncodeToString(nonce))
	return payload + "." + a.mac("signaal pending login v1", payload)
}

// PendingUser returns the account a pending login (LoginResult.Pending) is
// for, when it is genuine and unexpired: the doors' throttle counts second
// factor attempts per account.
//
// Callers: the login doors.
func (a *Accounts) PendingUser(pending string) (userID string, ok bool) {
	f, ok := a.verifyToken("signaal pending login v1", "p1", pending, 6)
	if !ok {
		return "", false
	}
	return f[1], true
}

// pendingAccount checks a pending login and returns its account as it is
// now: still enabled, same session and second-factor generation.
func (a *Accounts) pendingAccount(ctx context.Context, pending string) (User, error) {
	f, ok := a.verifyToken("signaal pending login v1", "p1", pending, 6)
	if !ok {
		return User{}, ErrSecondFactorWrong
	}
	if a.factors == nil {
		return User{}, Errorf(CodeUnavailable, "second factors are not available")
	}
	u, err := a.factors.UserByID(ctx, f[1])
	switch {
	case ErrorCode(err) == CodeNotFound:
		return User{}, ErrSecondFactorWrong
	case err != nil:
		return User{}, err
	}
	if u.Disabled || f[2] != strconv.FormatInt(u.SessionGen, 10) || f[3] != strconv.FormatInt(u.SecondFactorGen, 10) {
		return User{}, ErrSecondFactorWrong
	}
	return u, nil
}

// verifyToken checks a token "<kind>.<fields...>.<expiry>.<x>.<mac>" of
// fields dot-separated parts before the mac, the expiry second to last.
func (a *Accounts) verifyToken(purpose, kind, token string, fields int) ([]string, bool) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return nil, false
	}
	payload, mac := token[:i], token[i+1:]
	if !hmac.Equal([]byte(mac), []byte(a.mac(purpose, payload))) {
		return nil, false
	}
	f := strings.Split(payload, ".")
	if len(f) != fields || f[0] != kind {
		return nil, false
	}
	exp, err := strconv.ParseInt(f[len(f)-2], 10, 64)
	if err != nil || !a.now().Before(time.Unix(exp, 0)) {
		return nil, false
	}
	return f, true
}

func (a *Accounts) mac(purpose, payload string) string {
	k := hmac.New(sha256.New, a.loginKey)
	k.Write([]byte(purpose))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// RememberDevice returns a token (a cookie) with which this browser logs
// in to u without the second factor until expires (AccountsOptions.
// RememberDevice). Resetting the account's second factor ends it.
//
// Callers: the login page, when its user asked to be remembered after a
// complete login.
func (a *Accounts) RememberDevice(u User) (token string, expires time.Time) {
	expires = a.now().Add(a.remember).Truncate(time.Second)
	nonce := make([]byte, 9)
	rand.Read(nonce)
	payload := fmt.Sprintf("r1.%s.%d.%d.%s", u.ID, u.SecondFactorGen, expires.Unix(), base64.RawURLEncoding.EncodeToString(nonce))
	return payload + "." + a.mac("signaal remembered device v1", payload), expires
}

func (a *Accounts) rememberedDevice(token string, u User) bool {
	if token == "" {
		return false
	}
	f, ok := a.verifyToken("signaal remembered device v1", "r1", token, 5)
	return ok && f[1] == u.ID && f[2] == strconv.FormatInt(u.SecondFactorGen, 10)
}

// LoginSecondFactor completes a login whose password was right (pending,
// see LoginResult) with the account's current TOTP code or one of its
// unused recovery codes (used up by this). A code is accepted once: the
// same code again, or an older one, is refused. The outcome is audited:
// login.ok (on record before this returns: no audit entry, no session) or
// login.second_factor_fail.
//
// Callers: anyone holding a pending login (the login page's second step,
// the API's login with "code"); rate limiting is the door's.
// Errors: CodeUnauthorized (ErrSecondFactorWrong), CodeUnavailable.
func (a *Accounts) LoginSecondFactor(ctx context.Context, origin Actor, pending, code string) (User, error) {
	u, err := a.pendingAccount(ctx, pending)
	if err != nil {
		return User{}, err
	}
	actor := Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, RequestID: origin.RequestID, IP: origin.IP}
	fail := func() (User, error) {
		if err := a.sessions.Record(ctx, actor, []AuditEvent{{Action: ActionLoginSecondFactorFail, Object: "user/" + u.ID}}); err != nil {
			return User{}, err
		}
		return User{}, ErrSecondFactorWrong
	}
	sf, _, err := a.readSecondFactor(ctx, u.ID)
	if ErrorCode(err) == CodeNotFound || err == nil && !sf.Confirmed {
		return fail()
	}
	if err != nil {
		return User{}, err
	}
	ok := []AuditEvent{{Action: ActionLoginOK, Object: "user/" + u.ID}}
	code = normaliseCode(code)
	var step int64
	var recovery string
	if len(code) == 6 {
		s, valid := a.codes.Step(sf.Secret, code, a.now())
		if !valid || s <= sf.LastStep {
			return fail()
		}
		step = s
	} else if len(code) == recoveryCodeLength {
		recovery = hashRecoveryCode(code)
	} else {
		return fail()
	}
	err = a.factors.UseSecondFactor(ctx, actor, u.ID, step, recovery, ok)
	switch ErrorCode(err) {
	case "":
		return u, nil
	case CodeConflict, CodeUnauthorized:
		return fail()
	}
	return User{}, err
}

// Enrolment is a second factor being set up: the secret (also shown as
// text, for typing it in) and the otpauth:// URI the QR code holds.
type Enrolment struct {
	Secret string
	URI    string
}

// BeginEnrolment starts setting up the second factor of the account of a
// pending login (LoginNeedsEnrolment): a new secret, stored unconfirmed
// until ConfirmEnrolment, or the one begun before (the page shown again
// shows the same QR code). Nothing is audited until then.
//
// Callers: anyone holding a pending login of an account without a second
// factor.
// Errors: CodeUnauthorized (ErrSecondFactorWrong: the pending login does
// not hold), CodeConflict (the account has a second factor already).
func (a *Accounts) BeginEnrolment(ctx context.Context, pending string) (Enrolment, error) {
	u, err := a.pendingAccount(ctx, pending)
	if err != nil {
		return Enrolment{}, err
	}
	sf, _, err := a.readSecondFactor(ctx, u.ID)
	switch {
	case err == nil && sf.Confirmed:
		return Enrolment{}, Errorf(CodeConflict, "this account has a second factor already")
	case err == nil:
		uri, err := a.codes.URI(TOTPIssuer, u.Email, sf.Secret)
		return Enrolment{Secret: sf.Secret, URI: uri}, err
	case ErrorCode(err) != CodeNotFound:
		return Enrolment{}, err
	}
	secret, uri, err := a.codes.NewSecret(TOTPIssuer, u.Email)
	if err != nil {
		return Enrolment{}, fmt.Errorf("new second factor: %w", err)
	}
	sealed, err := a.sealSecret(ctx, u.ID, secret)
	if err != nil {
		return Enrolment{}, err
	}
	if err := a.factors.BeginSecondFactor(ctx, u.ID, sealed); err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: secret, URI: uri}, nil
}

// ConfirmEnrolment completes the set-up started by BeginEnrolment with the
// first code of the authenticator app, and with it the login: the factor
// is in use, RecoveryCodeCount new recovery codes are returned (shown
// once; only their hashes are kept), and second_factor.enrol and login.ok
// are audited in the same unit.
//
// Callers: anyone holding a pending login of an account without a second
// factor.
// Errors: CodeUnauthorized (ErrSecondFactorWrong: a wrong code, or the
// pending login does not hold), CodeConflict (no set-up begun, or one
// completed meanwhile).
func (a *Accounts) ConfirmEnrolment(ctx context.Context, origin Actor, pending, code string) (User, []string, error) {
	u, err := a.pendingAccount(ctx, pending)
	if err != nil {
		return User{}, nil, err
	}
	actor := Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, RequestID: origin.RequestID, IP: origin.IP}
	sf, stored, err := a.readSecondFactor(ctx, u.ID)
	if ErrorCode(err) == CodeNotFound || err == nil && sf.Confirmed {
		return User{}, nil, Errorf(CodeConflict, "no second factor is being set up for this account; log in again")
	}
	if err != nil {
		return User{}, nil, err
	}
	step, valid := a.codes.Step(sf.Secret, normaliseCode(code), a.now())
	if !valid {
		if err := a.sessions.Record(ctx, actor, []AuditEvent{{Action: ActionLoginSecondFactorFail, Object: "user/" + u.ID}}); err != nil {
			return User{}, nil, err
		}
		return User{}, nil, ErrSecondFactorWrong
	}
	codes := make([]string, RecoveryCodeCount)
	hashes := make([]string, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = hashRecoveryCode(normaliseCode(codes[i]))
	}
	events := []AuditEvent{{Action: ActionSecondFactorEnrol, Object: "user/" + u.ID}, {Action: ActionLoginOK, Object: "user/" + u.ID}}
	if err := a.factors.ConfirmSecondFactor(ctx, actor, u.ID, stored, step, hashes, events); err != nil {
		return User{}, nil, err
	}
	return u, codes, nil
}

// ResetSecondFactor removes the second factor of the account with this
// email address (a lost phone): it sets one up again at its next login;
// its recovery codes, remembered devices and sessions end. Audited as
// second_factor.reset.
//
// Callers: an admin (the console), or the operator (signald user
// reset-second-factor).
// Errors: CodeForbidden, CodeInvalid (not an email address), CodeNotFound
// (no such account), CodeUnavailable.
func (a *Accounts) ResetSecondFactor(ctx context.Context, actor Actor, email string) error {
	if err := mayAdminister(actor); err != nil {
		return err
	}
	email, err := NormaliseEmail(email)
	if err != nil {
		return Invalid(FieldError{Field: "email", Problem: "not a valid email address"})
	}
	u, _, err := a.dir.UserByEmail(ctx, email)
	if ErrorCode(err) == CodeNotFound {
		return Errorf(CodeNotFound, "no account %s", email)
	}
	if err != nil {
		return err
	}
	if a.factors == nil {
		return Errorf(CodeUnavailable, "second factors are not available")
	}
	return a.factors.ResetSecondFactor(ctx, actor, u.ID, []AuditEvent{{Action: ActionSecondFactorReset, Object: "user/" + u.ID}})
}

// recoveryCodeLength is the length of a recovery code without its dashes:
// 10 characters of base32, 50 bits.
const recoveryCodeLength = 10

// newRecoveryCode returns "xxxxx-xxxxx" (lower-case base32).
func newRecoveryCode() string {
	b := make([]byte, 7)
	rand.Read(b)
	s := idEncoding.EncodeToString(b)[:recoveryCodeLength]
	return s[:5] + "-" + s[5:]
}

// normaliseCode drops spaces and dashes and lower-cases: "123 456" and
// "ABCDE-FGHIJ" are read as typed on a phone.
func normaliseCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t':
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// hashRecoveryCode: a recovery code has 50 random bits, so a plain SHA-256
// keeps it from whoever reads the database without slowing the login.
func hashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte("signaal recovery code v1:" + code))
	return hex.EncodeToString(sum[:])
}

// DemoMode reports whether the demo's public accounts log in without a
// second factor (AccountsOptions.Demo): the login page says so.
//
// Callers: the login page.
func (a *Accounts) DemoMode() bool { return a.demo }

// RememberFor is how long a remembered browser logs in without the second
// factor.
//
// Callers: the login page (it says for how long).
func (a *Accounts) RememberFor() time.Duration { return a.remember }
