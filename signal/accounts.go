package signal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RoleSystem is the role of Signaal itself in the audit log: the retention
// job, the policy load, and the operator at the server's shell (signald's
// account commands). It is nobody's account role (see Roles).
const RoleSystem Role = "system"

// AccountStore keeps organisations, cooperations and accounts. Every change
// is written with its audit events in one unit of work: if the events cannot
// be appended, nothing is written (fail closed).
type AccountStore interface {
	// CreateOrganisation stores o in the cooperation named coop.Name. If no
	// cooperation has that name it stores coop (its id and signal meeting as
	// given) first and appends coopEvents too. It sets o.CooperationID.
	// CodeConflict when an organisation has o's name already.
	CreateOrganisation(ctx context.Context, actor Actor, o *Organisation, coop Cooperation, coopEvents, events []AuditEvent) error
	// SetContacts stores an organisation's contact person and deputy.
	// CodeNotFound for an unknown organisation id.
	SetContacts(ctx context.Context, actor Actor, orgID string, contact, deputy Person, events []AuditEvent) error
	// CreateUser stores an account with its password hash. CodeNotFound when
	// its organisation does not exist, CodeConflict when the email address
	// has an account already.
	CreateUser(ctx context.Context, actor Actor, u User, passwordHash string, events []AuditEvent) error
	// SetUserDisabled disables or re-enables account userID. Disabling
	// moves its session generation on (User.SessionGen), in the same unit,
	// so every session of the account ends for good: enabling it again
	// does not revive them.
	SetUserDisabled(ctx context.Context, actor Actor, userID string, disabled bool, events []AuditEvent) error
}

// AccountDirectory finds organisations and accounts.
type AccountDirectory interface {
	// Organisation finds an organisation by id or by name; CodeNotFound if
	// there is none.
	Organisation(ctx context.Context, idOrName string) (Organisation, error)
	// CooperationOf returns the cooperation of organisation orgID, with its
	// signal meeting; CodeNotFound if there is no such organisation.
	CooperationOf(ctx context.Context, orgID string) (Cooperation, error)
	// UserByEmail returns the account with this (normalised) email address
	// and its password hash; CodeNotFound if there is none.
	UserByEmail(ctx context.Context, email string) (User, string, error)
}

// SessionStore keeps what a session depends on besides its signed token.
type SessionStore interface {
	// Session returns account userID as it is now and whether the token
	// tokenID was revoked; CodeNotFound if there is no such account. It is
	// asked on every authenticated request, so it may remember answers for a
	// moment (a second) when a change made elsewhere cannot tell it.
	Session(ctx context.Context, userID, tokenID string) (u User, revoked bool, err error)
	// RecordLogin appends events (the login) and, when newHash is set,
	// stores it as the account's password hash, in one unit: the hash is
	// upgraded only if the login is on record.
	RecordLogin(ctx context.Context, actor Actor, userID, newHash string, events []AuditEvent) error
	// RevokeToken refuses token tokenID of userID and appends events, in
	// one unit. A revocation is kept until the account's session
	// generation moves past the token, never dropped by the clock (a clock
	// that once ran ahead must not revive a logged-out token); expiresAt is
	// kept for the record. An account with more than MaxRevocations kept
	// has its generation moved on instead (all its sessions end), which
	// bounds the list without a clock.
	RevokeToken(ctx context.Context, actor Actor, tokenID, userID string, expiresAt time.Time, events []AuditEvent) error
	// EndSessions ends every session of userID at once (its session
	// generation moves on) and appends events, in one unit. CodeNotFound
	// for an unknown account.
	EndSessions(ctx context.Context, actor Actor, userID string, events []AuditEvent) error
	// Record appends audit events that come with no change (a failed
	// login, a refusal).
	AuditRecorder
}

// MaxRevocations is how many logged-out tokens an account keeps on the
// revocation list before its logout ends all its sessions instead (see
// SessionStore.RevokeToken): a hundred logouts of one account within a
// token's lifetime is far beyond ordinary use.
const MaxRevocations = 100

// Passwords hashes and checks passwords (implemented by auth.Passwords,
// argon2id).
type Passwords interface {
	Hash(password string) (string, error)
	// Verify returns nil when password matches hash, an error wrapping
	// ErrPasswordMismatch when it does not, another error when hash is
	// unreadable.
	Verify(hash, password string) error
	// NeedsRehash reports whether hash was made with weaker parameters than
	// new hashes get.
	NeedsRehash(hash string) bool
}

// ErrPasswordMismatch is what Passwords.Verify's error wraps for a wrong
// password.
var ErrPasswordMismatch = errors.New("password does not match")

// Accounts is the use cases of organisations, accounts and sessions:
// signald's account commands, logging in and out, and who a session is.
type Accounts struct {
	store     AccountStore
	dir       AccountDirectory
	sessions  SessionStore
	passwords Passwords
	loginKey  []byte
	dummyHash string
	now       func() time.Time
	factors   SecondFactorStore
	// factorVault seals the second-factor secrets (second_factor_sealed.go).
	factorVault Vault
	codes       OneTimeCodes
	demo        bool
	remember    time.Duration

	oidc       OIDCStore
	oidcClient OIDCClient
	ssoPending ssoState

	resets      PasswordResetStore
	resetSender PasswordResetSender
	invitations InvitationStore
}

// AccountsOptions configure NewAccounts; zero values get defaults.
type AccountsOptions struct {
	// LoginKey keys the pseudonym under which a login attempt for an
	// unknown email address is audited (the address itself is not stored).
	// Default: random per process.
	LoginKey []byte
	Now      func() time.Time
	// SecondFactors and Codes keep and check the second factor every
	// account needs (see second_factor.go). Without them, a login that
	// needs one is refused (CodeUnavailable): fail closed.
	SecondFactors SecondFactorStore
	Codes         OneTimeCodes
	// Demo is demo mode (signald serve --demo on loopback): the demo's
	// public accounts (User.Demo) log in without a second factor. Never
	// set for a real set-up.
	Demo bool
	// RememberDevice is how long a browser asked to remember logs in
	// without the second factor; default DefaultRememberDevice.
	RememberDevice time.Duration
	// OIDC and OIDCClient are the organisations' sign-in settings and the
	// relying party (see sso.go); without them there is no sign-in
	// through an organisation.
	OIDC       OIDCStore
	OIDCClient OIDCClient
	// PasswordResets and ResetSender keep and send password reset links
	// (see password_reset.go); without them a reset is refused
	// (CodeUnavailable).
	PasswordResets PasswordResetStore
	ResetSender    PasswordResetSender
	// Invitations are the administrator's invitations, which an invitee
	// may accept by signing in through their organisation
	// (BeginInvitationSSO); without them, only with a password.
	Invitations InvitationStore
}

// NewAccounts returns the account use cases over their stores.
func NewAccounts(store AccountStore, dir AccountDirectory, sessions SessionStore, passwords Passwords, opts AccountsOptions) (*Accounts, error) {
	if len(opts.LoginKey) == 0 {
		opts.LoginKey = make([]byte, 32)
		rand.Read(opts.LoginKey)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// Unknown addresses are checked against this hash, so they take as long
	// as known ones.
	dummy, err := passwords.Hash("not a password of anyone")
	if err != nil {
		return nil, fmt.Errorf("hash the dummy password: %w", err)
	}
	if opts.RememberDevice <= 0 {
		opts.RememberDevice = DefaultRememberDevice
	}
	return &Accounts{store: store, dir: dir, sessions: sessions, passwords: passwords,
		loginKey: opts.LoginKey, dummyHash: dummy, now: opts.Now,
		factors: opts.SecondFactors, codes: opts.Codes, demo: opts.Demo, remember: opts.RememberDevice,
		oidc: opts.OIDC, oidcClient: opts.OIDCClient, resets: opts.PasswordResets, resetSender: opts.ResetSender,
		invitations: opts.Invitations}, nil
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random identifier with a short prefix naming its kind
// ("org_…", "usr_…"): 80 random bits, unguessable and safe in audit entries.
func NewID(prefix string) string {
	b := make([]byte, 10)
	rand.Read(b) // never fails (crypto/rand)
	return prefix + "_" + idEncoding.EncodeToString(b)
}

// mayAdminister: accounts are managed by an admin or by the operator at the
// server's shell (RoleSystem).
func mayAdminister(actor Actor) error {
	if actor.Role != RoleAdmin && actor.Role != RoleSystem {
		return Errorf(CodeForbidden, "only an administrator manages organisations and accounts")
	}
	return nil
}

// CreateOrganisation adds a partner organisation to the cooperation named
// cooperation, creating that cooperation and its signal meeting if it does
// not exist yet. It fills o.ID, o.CooperationID and o.CreatedAt and audits
// org.create (and cooperation.create).
//
// Callers: an admin, or the operator (RoleSystem, signald org add).
// Errors: CodeForbidden, CodeInvalid (o.Validate, a missing cooperation),
// CodeConflict (the name is taken).
func (a *Accounts) CreateOrganisation(ctx context.Context, actor Actor, o *Organisation, cooperation string) error {
	if err := mayAdminister(actor); err != nil {
		return err
	}
	var fe FieldErrors
	if strings.TrimSpace(cooperation) == "" {
		fe.Add("cooperation", "required")
	}
	if err := o.Validate(); err != nil {
		var se *Error
		errors.As(err, &se)
		fe = append(fe, se.Fields...)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	for _, p := range []*Person{&o.Contact, &o.Deputy} {
		p.Email, _ = NormaliseEmail(p.Email)
		p.Name = strings.TrimSpace(p.Name)
	}
	o.Name = strings.TrimSpace(o.Name)
	o.ID = NewID("org")
	o.CreatedAt = a.now().UTC()
	name := strings.TrimSpace(cooperation)
	coop := Cooperation{ID: NewID("coop"), Name: name, Meeting: SignalMeeting{ID: NewID("mtg"), Name: "Signaleringsoverleg " + name}}
	return a.store.CreateOrganisation(ctx, actor, o, coop,
		[]AuditEvent{{Action: ActionCooperationCreate, Object: "cooperation/" + coop.ID}},
		[]AuditEvent{{Action: ActionOrgCreate, Object: "org/" + o.ID}})
}

// SetContacts names the contact person and deputy of the organisation org
// (its id or name), both at once and both required, and audits
// org.contacts. It returns the organisation as it was before.
//
// Callers: an admin, or the operator (signald org contacts).
// Errors: CodeForbidden, CodeInvalid, CodeNotFound (no such organisation).
func (a *Accounts) SetContacts(ctx context.Context, actor Actor, org string, contact, deputy Person) (Organisation, error) {
	if err := mayAdminister(actor); err != nil {
		return Organisation{}, err
	}
	o, err := a.dir.Organisation(ctx, org)
	if err != nil {
		return Organisation{}, err
	}
	check := Organisation{Name: "x", Kind: OrgSchool, Contact: contact, Deputy: deputy}
	if err := check.Validate(); err != nil {
		return Organisation{}, err
	}
	for _, p := range []*Person{&contact, &deputy} {
		p.Email, _ = NormaliseEmail(p.Email)
		p.Name = strings.TrimSpace(p.Name)
	}
	return o, a.store.SetContacts(ctx, actor, o.ID, contact, deputy, []AuditEvent{{Action: ActionOrgContacts, Object: "org/" + o.ID}})
}

// Organisation finds an organisation by id or by name.
//
// Callers: an admin, or the operator.
// Errors: CodeForbidden, CodeNotFound.
func (a *Accounts) Organisation(ctx context.Context, actor Actor, idOrName string) (Organisation, error) {
	if err := mayAdminister(actor); err != nil {
		return Organisation{}, err
	}
	return a.dir.Organisation(ctx, idOrName)
}

// CreateUser adds an account in the organisation u.OrgID (its id or name)
// with password, which is hashed here. It fills u.ID, u.OrgID (the id) and
// u.CreatedAt and audits user.create.
//
// Callers: an admin, or the operator (signald user add).
// Errors: CodeForbidden, CodeInvalid (u.Validate, CheckPassword),
// CodeNotFound (no such organisation), CodeConflict (the email address has
// an account).
func (a *Accounts) CreateUser(ctx context.Context, actor Actor, u *User, password string) error {
	if err := mayAdminister(actor); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := CheckPassword(password); err != nil {
		return err
	}
	o, err := a.dir.Organisation(ctx, u.OrgID)
	if err != nil {
		return err
	}
	// Hashed before the unit of work: it is slow, and the store's writer is
	// shared.
	hash, err := a.passwords.Hash(password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return a.addUser(ctx, actor, u, o, hash)
}

// SeedUser adds an account whose password was hashed elsewhere and is not
// held to CheckPassword: the demo's fixtures, with their well-known
// password. It is marked a demo account (User.Demo), which in demo mode
// alone logs in without a second factor. Otherwise it is CreateUser.
//
// Callers: the operator (RoleSystem) only.
// Errors: as CreateUser.
func (a *Accounts) SeedUser(ctx context.Context, actor Actor, u *User, passwordHash string) error {
	if actor.Role != RoleSystem {
		return Errorf(CodeForbidden, "only signald itself seeds accounts")
	}
	if err := u.Validate(); err != nil {
		return err
	}
	o, err := a.dir.Organisation(ctx, u.OrgID)
	if err != nil {
		return err
	}
	u.Demo = true
	return a.addUser(ctx, actor, u, o, passwordHash)
}

func (a *Accounts) addUser(ctx context.Context, actor Actor, u *User, o Organisation, hash string) error {
	u.Email, _ = NormaliseEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	u.OrgID = o.ID
	u.ID = NewID("usr")
	u.CreatedAt = a.now().UTC()
	return a.store.CreateUser(ctx, actor, *u, hash, []AuditEvent{{Action: ActionUserCreate, Object: "user/" + u.ID}})
}

// SetUserDisabled disables or re-enables the account with this email
// address and audits user.disable or user.enable. A disabled account cannot
// log in and its sessions end (SessionUser refuses them).
//
// An organisation's contact person or deputy cannot be disabled before
// another person is named (SetContacts): the role must never be empty.
//
// Callers: an admin, or the operator (signald user disable/enable).
// Errors: CodeForbidden, CodeInvalid (not an email address), CodeNotFound
// (no such account), CodeConflict (the contact person or deputy).
func (a *Accounts) SetUserDisabled(ctx context.Context, actor Actor, email string, disabled bool) error {
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
	if disabled {
		o, err := a.dir.Organisation(ctx, u.OrgID)
		if err != nil {
			return err
		}
		if email == o.Contact.Email || email == o.Deputy.Email {
			role := "contact person"
			if email == o.Deputy.Email {
				role = "deputy contact person"
			}
			return Errorf(CodeConflict, "%s is the %s of %s; name another %s first, so %s stays reachable", email, role, o.Name, role, o.Name)
		}
	}
	action := ActionUserEnable
	if disabled {
		action = ActionUserDisable
	}
	return a.store.SetUserDisabled(ctx, actor, u.ID, disabled, []AuditEvent{{Action: action, Object: "user/" + u.ID}})
}

// ErrWrongLogin is the one answer to a wrong address, a wrong password and a
// disabled account alike, so a caller does not learn which accounts exist.
var ErrWrongLogin = Errorf(CodeUnauthorized, "wrong email address or password")

// ErrNoSession is the one answer to a request without a valid session,
// whatever the reason: no token, a forged or expired one, one logged out,
// an account disabled or gone. Telling them apart would tell a holder of an
// old token whether its account was disabled (someone was let go, or is
// being investigated).
var ErrNoSession = Errorf(CodeUnauthorized, "no valid session: log in")

// PhoneOutbox is what a phone needs to keep its outbox (signals and drafts
// waiting on the phone) bound to one account: Account tags the entries
// (not the user's id, nothing to recognise a person by) and Key (32 bytes)
// is the AES-GCM key they are encrypted with. Both are derived from the
// login key and the user's id, so the same account gets the same key
// again after logging out and in, on any server of the installation, and
// another account never gets it.
type PhoneOutbox struct {
	Account string
	Key     []byte
}

// OutboxKey returns the actor's PhoneOutbox (issue 15 item 4). The phone
// keeps the key as a WebCrypto key that cannot be exported and forgets it
// at logout; what is queued stays encrypted until the same account logs in
// again. Nothing is stored or audited: no data about anyone leaves.
//
// Callers: a logged-in user, for their own phone (the web reporter pages).
// Errors: CodeUnauthorized without a user.
func (a *Accounts) OutboxKey(actor Actor) (PhoneOutbox, error) {
	if actor.UserID == "" {
		return PhoneOutbox{}, ErrNoSession
	}
	derive := func(purpose string) []byte {
		m := hmac.New(sha256.New, a.loginKey)
		m.Write([]byte(purpose + "\x00" + actor.UserID))
		return m.Sum(nil)
	}
	return PhoneOutbox{
		Account: base64.RawURLEncoding.EncodeToString(derive("signaal phone outbox account v1")[:12]),
		Key:     derive("signaal phone outbox key v1"),
	}, nil
}

// LoginRef is the keyed pseudonym of a (normalised) email address: what a
// failed login for an unknown address is audited under, and what the login
// rate limit counts per account. The address itself is never stored.
func (a *Accounts) LoginRef(email string) string {
	m := hmac.New(sha256.New, a.loginKey)
	m.Write([]byte(email))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// Login checks a normalised email address and a password. Both outcomes
// are audited: login.fail (an unknown address under LoginRef only; an
// unknown address takes as long as a known one) or, for a right password,
// login.ok when the login is complete, else login.password and the second
// step is asked (LoginResult.Next, see second_factor.go). Either is on
// record before Login returns: no audit entry, no session. device is the
// browser's remembered-device token (RememberDevice), or "". A hash made
// with weaker parameters is upgraded with the login. origin is the request
// (RequestID, IP); the account becomes the actor.
//
// Callers: anyone (it is how one becomes someone); rate limiting is the
// door's.
// Errors: CodeUnauthorized (ErrWrongLogin), CodeUnavailable.
func (a *Accounts) Login(ctx context.Context, origin Actor, email, password, device string) (LoginResult, error) {
	u, hash, err := a.dir.UserByEmail(ctx, email)
	switch {
	case ErrorCode(err) == CodeNotFound:
		_ = a.passwords.Verify(a.dummyHash, password) // same time as a known address
		anon := Actor{RequestID: origin.RequestID, IP: origin.IP}
		if err := a.sessions.Record(ctx, anon, []AuditEvent{{Action: ActionLoginFail, Object: "email/" + a.LoginRef(email)}}); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, ErrWrongLogin
	case err != nil:
		return LoginResult{}, err
	}
	actor := Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, RequestID: origin.RequestID, IP: origin.IP}
	if err := a.passwords.Verify(hash, password); err != nil || u.Disabled {
		if err != nil && !errors.Is(err, ErrPasswordMismatch) {
			return LoginResult{}, err
		}
		if err := a.sessions.Record(ctx, actor, []AuditEvent{{Action: ActionLoginFail, Object: "user/" + u.ID}}); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, ErrWrongLogin
	}
	// Raised parameters reach existing accounts at their next login.
	var newHash string
	if a.passwords.NeedsRehash(hash) {
		if newHash, err = a.passwords.Hash(password); err != nil {
			return LoginResult{}, fmt.Errorf("rehash password: %w", err)
		}
	}
	return a.passwordStep(ctx, actor, u, newHash, device)
}

// LoginThrottled audits a login attempt for email that the door's throttle
// answered "wait" before the password was checked, so a privacy officer
// sees guessing that never reached a password check too: under the
// account when it exists, else under LoginRef, as login.fail.
//
// Callers: the login doors' throttle.
// Errors: none but internal ones (no audit entry, no answer).
func (a *Accounts) LoginThrottled(ctx context.Context, origin Actor, email string) error {
	anon := Actor{RequestID: origin.RequestID, IP: origin.IP}
	ev := AuditEvent{Action: ActionLoginThrottled, Object: "email/" + a.LoginRef(email)}
	u, _, err := a.dir.UserByEmail(ctx, email)
	switch {
	case err == nil:
		anon = Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, RequestID: origin.RequestID, IP: origin.IP}
		ev.Object = "user/" + u.ID
	case ErrorCode(err) != CodeNotFound:
		return err
	}
	return a.sessions.Record(ctx, anon, []AuditEvent{ev})
}

// deviceTokenTTL is how long a browser that logged in stays a known device
// for the login throttle.
const deviceTokenTTL = 180 * 24 * time.Hour

// DeviceToken returns a token that marks the browser that just logged in
// as email as a known device of that account (a cookie): the login
// throttle counts failures from a known device apart from everyone else's,
// so guessing from elsewhere cannot make the owner wait. It names the
// account by LoginRef only and is signed with a key derived from LoginKey.
//
// Callers: the login doors, after a successful Login.
func (a *Accounts) DeviceToken(email string) (token string, expires time.Time) {
	expires = a.now().Add(deviceTokenTTL).Truncate(time.Second)
	id := make([]byte, 12)
	rand.Read(id)
	payload := a.LoginRef(email) + "." + base64.RawURLEncoding.EncodeToString(id) + "." + fmt.Sprint(expires.Unix())
	return payload + "." + a.deviceMAC(payload), expires
}

// KnownDevice checks a DeviceToken against the (normalised) email address
// of a login attempt and returns the device's id: ok only when the token is
// genuine, unexpired and was issued for that account.
//
// Callers: the login doors' throttle.
func (a *Accounts) KnownDevice(token, email string) (device string, ok bool) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return "", false
	}
	payload, mac := token[:i], token[i+1:]
	if !hmac.Equal([]byte(mac), []byte(a.deviceMAC(payload))) {
		return "", false
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 || parts[0] != a.LoginRef(email) {
		return "", false
	}
	var exp int64
	if _, err := fmt.Sscan(parts[2], &exp); err != nil || !a.now().Before(time.Unix(exp, 0)) {
		return "", false
	}
	return parts[1], true
}

func (a *Accounts) deviceMAC(payload string) string {
	k := hmac.New(sha256.New, a.loginKey)
	k.Write([]byte("signaal known device v1"))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// SessionUser returns the account a session token (id tokenID, issued under
// session generation gen, see User.SessionGen) was issued to, as it is now:
// its role and organisation come from here, not from the token. A token of
// another generation than the account's is refused: the account was
// disabled since (and perhaps enabled again), or the database is not the
// one that issued it. Nothing here reads the clock.
//
// Callers: the authentication of every request.
// Errors: ErrNoSession (CodeUnauthorized) when the account is gone or
// disabled, the token was revoked or its generation has passed, all alike.
func (a *Accounts) SessionUser(ctx context.Context, userID, tokenID string, gen int64) (User, error) {
	u, revoked, err := a.sessions.Session(ctx, userID, tokenID)
	switch {
	case ErrorCode(err) == CodeNotFound:
		return User{}, ErrNoSession
	case err != nil:
		return User{}, fmt.Errorf("find session user: %w", err)
	case u.Disabled:
		return User{}, ErrNoSession
	case revoked, gen != u.SessionGen:
		return User{}, ErrNoSession
	}
	return u, nil
}

// Logout ends actor's session: its token (tokenID, valid until expiresAt)
// is refused from now on, whatever the clock does later, and logout is
// audited.
//
// Callers: any logged-in user, for their own session.
// Errors: none but internal ones.
func (a *Accounts) Logout(ctx context.Context, actor Actor, tokenID string, expiresAt time.Time) error {
	return a.sessions.RevokeToken(ctx, actor, tokenID, actor.UserID, expiresAt,
		[]AuditEvent{{Action: ActionLogout, Object: "user/" + actor.UserID}})
}

// LogoutEverywhere ends every session of actor's account, on every device
// (a lost phone, a shared computer left logged in), this one included, and
// audits logout.everywhere.
//
// Callers: any logged-in user, for their own account.
// Errors: none but internal ones.
func (a *Accounts) LogoutEverywhere(ctx context.Context, actor Actor) error {
	return a.sessions.EndSessions(ctx, actor, actor.UserID,
		[]AuditEvent{{Action: ActionLogoutEverywhere, Object: "user/" + actor.UserID}})
}

// Refuse audits that actor was refused what (a route, "route/api/v1/…")
// because of their role, so a privacy officer sees who tried what, and
// returns the refusal.
//
// Callers: the doors' role checks.
// Errors: CodeForbidden (the refusal), or an internal one when it could not
// be audited.
func (a *Accounts) Refuse(ctx context.Context, actor Actor, what string) error {
	if err := a.sessions.Record(ctx, actor, []AuditEvent{{Action: ActionAccessDenied, Object: what}}); err != nil {
		return err
	}
	return Errorf(CodeForbidden, "your role (%s) may not do this", actor.Role)
}

// Membership returns actor's organisation and cooperation (with its signal
// meeting).
//
// Callers: any logged-in user, about themselves.
// Errors: CodeNotFound when the organisation is gone.
func (a *Accounts) Membership(ctx context.Context, actor Actor) (Organisation, Cooperation, error) {
	o, err := a.dir.Organisation(ctx, actor.OrgID)
	if err != nil {
		return Organisation{}, Cooperation{}, err
	}
	co, err := a.dir.CooperationOf(ctx, o.ID)
	if err != nil {
		return Organisation{}, Cooperation{}, err
	}
	return o, co, nil
}
