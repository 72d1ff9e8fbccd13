package signal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Sign-in with OpenID Connect, per organisation (issue 19, item 2): a school
// signs in through Entree Federatie or its Microsoft Entra ID, a
// municipality through Entra ID or ADFS. Each organisation that wants it
// has its issuer, client id, a file with the client secret, and the claim
// that names the account: an e-mail address the issuer verified, or the
// issuer's subject id linked to the account beforehand (at invitation).
// The flow is the authorization code flow with PKCE, state and nonce; the
// ID token is checked against the issuer's keys (OIDCClient). An account
// of another organisation, a disabled one or none is refused. The issuer
// is trusted with the second factor: a login through it asks none here.

// IdentityClaim is what in the issuer's ID token names the account.
type IdentityClaim string

const (
	// ClaimEmail: the "email" claim, only with "email_verified": true;
	// the account with that address, in the organisation.
	ClaimEmail IdentityClaim = "email"
	// ClaimSubject: the "sub" claim, linked to the account beforehand
	// (Accounts.LinkSubject).
	ClaimSubject IdentityClaim = "sub"
)

// OIDCSettings are an organisation's sign-in settings.
type OIDCSettings struct {
	OrgID    string
	Issuer   string // the issuer URL, exactly as its discovery document says
	ClientID string
	// SecretFile is the path of a file on the server holding the client
	// secret (read at each sign-in, so it can be replaced without a
	// restart); the secret itself is never stored in the database.
	SecretFile string
	Claim      IdentityClaim
	UpdatedAt  time.Time
}

// Validate reports every problem as field errors, named as `signald org
// sso`'s flags.
func (s *OIDCSettings) Validate() error {
	var fe FieldErrors
	if s.Issuer == "" {
		fe.Add("issuer", "required")
	} else if u, err := url.Parse(s.Issuer); err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" ||
		!(u.Scheme == "https" || u.Scheme == "http" && loopbackHost(u.Hostname())) {
		fe.Add("issuer", "must be an https:// URL without query (http:// only on loopback, for tests)")
	}
	if strings.TrimSpace(s.ClientID) == "" {
		fe.Add("client_id", "required")
	} else if utf8.RuneCountInString(s.ClientID) > 200 {
		fe.Add("client_id", "at most 200 characters")
	}
	if strings.TrimSpace(s.SecretFile) == "" {
		fe.Add("secret_file", "required")
	} else if !strings.HasPrefix(s.SecretFile, "/") {
		fe.Add("secret_file", "must be an absolute path")
	}
	switch s.Claim {
	case ClaimEmail, ClaimSubject:
	case "":
		fe.Add("claim", "required")
	default:
		fe.Add("claim", "must be email or sub")
	}
	return fe.Err()
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// SSOIdentity is what a verified ID token says about who signed in.
type SSOIdentity struct {
	Subject       string
	Email         string
	EmailVerified bool
}

// OIDCClient is the relying party (implemented by signal/oidc with
// github.com/coreos/go-oidc and golang.org/x/oauth2).
type OIDCClient interface {
	// AuthURL returns where to send the browser: the issuer's
	// authorization endpoint with the client id, redirectURL, state,
	// nonce and the PKCE challenge (S256) of verifier.
	AuthURL(ctx context.Context, s OIDCSettings, redirectURL, state, nonce, verifier string) (string, error)
	// Exchange redeems code with the client secret and verifier and
	// verifies the ID token: signed by a key of the issuer's JWKS
	// (fetched again when a token names a key it does not know), issued
	// by s.Issuer for s.ClientID, unexpired at now, with nonce. Any
	// failure is an error; CodeUnauthorized for a token that does not
	// hold.
	Exchange(ctx context.Context, s OIDCSettings, redirectURL, code, verifier, nonce string, now time.Time) (SSOIdentity, error)
}

// OIDCStore keeps the organisations' sign-in settings and the subject
// ids linked to accounts.
type OIDCStore interface {
	// SetOIDC stores s (replacing the organisation's settings) and
	// appends events, in one unit. CodeNotFound for an unknown
	// organisation.
	SetOIDC(ctx context.Context, actor Actor, s OIDCSettings, events []AuditEvent) error
	// OIDC returns an organisation's settings; CodeNotFound if it has
	// none.
	OIDC(ctx context.Context, orgID string) (OIDCSettings, error)
	// OIDCOrganisations lists the organisations that have settings.
	OIDCOrganisations(ctx context.Context) ([]Organisation, error)
	// LinkSubject links subject (of the organisation's issuer) to account
	// userID and appends events, in one unit. CodeConflict when another
	// account of the organisation has it.
	LinkSubject(ctx context.Context, actor Actor, userID, subject string, events []AuditEvent) error
	// UserBySubject returns the account of orgID linked to subject;
	// CodeNotFound if none.
	UserBySubject(ctx context.Context, orgID, subject string) (User, error)
}

// SSOLoginTTL is how long a sign-in at the issuer may take.
const SSOLoginTTL = 10 * time.Minute

// maxPendingSSO bounds the sign-ins waiting for their issuer's answer.
const maxPendingSSO = 10_000

type pendingSSO struct {
	orgID, nonce, verifier, redirect, next string
	// invitation and invitee: a sign-in that accepts an invitation (the
	// token's hash) for account invitee (BeginInvitationSSO).
	invitation, invitee string
	expires             time.Time
}

// ssoState is the sign-ins begun and not yet finished, by state. Each is
// taken once: a state comes back once, never twice (a replayed answer of
// the issuer is refused). Kept in memory: a restart asks to sign in again.
type ssoState struct {
	mu      sync.Mutex
	pending map[string]pendingSSO
}

func (p *ssoState) put(state string, v pendingSSO, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending == nil {
		p.pending = map[string]pendingSSO{}
	}
	if len(p.pending) >= maxPendingSSO {
		for k, e := range p.pending {
			if !now.Before(e.expires) {
				delete(p.pending, k)
			}
		}
		if len(p.pending) >= maxPendingSSO {
			return false
		}
	}
	p.pending[state] = v
	return true
}

func (p *ssoState) take(state string) (pendingSSO, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.pending[state]
	delete(p.pending, state)
	return v, ok
}

// ErrSSOFailed is the one answer to a sign-in through an organisation's
// issuer that does not lead to an account: an unknown or replayed state, a
// token that does not hold, an unverified address, no account (or one of
// another organisation, or disabled). The audit entry says no more either;
// the log of the server has the reason, without names.
var ErrSSOFailed = Errorf(CodeUnauthorized, "signing in through your organisation did not work; try again or ask your administrator")

func (a *Accounts) mayUseOIDC() error {
	if a.oidc == nil || a.oidcClient == nil {
		return Errorf(CodeUnavailable, "sign-in through an organisation is not available")
	}
	return nil
}

// SetOrgOIDC sets the sign-in settings of organisation org (its id or
// name) and audits org.oidc. The secret stays in its file.
//
// Callers: an admin (the console), or the operator (signald org sso).
// Errors: CodeForbidden, CodeInvalid (s.Validate), CodeNotFound (no such
// organisation), CodeUnavailable.
func (a *Accounts) SetOrgOIDC(ctx context.Context, actor Actor, org string, s OIDCSettings) (OIDCSettings, error) {
	if err := mayAdminister(actor); err != nil {
		return OIDCSettings{}, err
	}
	if err := a.mayUseOIDC(); err != nil {
		return OIDCSettings{}, err
	}
	s.Issuer = strings.TrimSpace(s.Issuer)
	s.ClientID = strings.TrimSpace(s.ClientID)
	s.SecretFile = strings.TrimSpace(s.SecretFile)
	if err := s.Validate(); err != nil {
		return OIDCSettings{}, err
	}
	o, err := a.dir.Organisation(ctx, org)
	if err != nil {
		return OIDCSettings{}, err
	}
	s.OrgID = o.ID
	s.UpdatedAt = a.now().UTC()
	return s, a.oidc.SetOIDC(ctx, actor, s, []AuditEvent{{Action: ActionOrgOIDC, Object: "org/" + o.ID}})
}

// OrgOIDC returns the sign-in settings of organisation org (id or name).
//
// Callers: an admin, or the operator.
// Errors: CodeForbidden, CodeNotFound (no such organisation, or no
// settings), CodeUnavailable.
func (a *Accounts) OrgOIDC(ctx context.Context, actor Actor, org string) (OIDCSettings, error) {
	if err := mayAdminister(actor); err != nil {
		return OIDCSettings{}, err
	}
	if err := a.mayUseOIDC(); err != nil {
		return OIDCSettings{}, err
	}
	o, err := a.dir.Organisation(ctx, org)
	if err != nil {
		return OIDCSettings{}, err
	}
	return a.oidc.OIDC(ctx, o.ID)
}

// SSOOrganisations lists the organisations whose people sign in through
// their own issuer (id and name only), for the login page's buttons.
//
// Callers: anyone (the login page); partner names are not secret.
// Errors: none but internal ones; none without the store.
func (a *Accounts) SSOOrganisations(ctx context.Context) ([]Organisation, error) {
	if a.mayUseOIDC() != nil {
		return nil, nil
	}
	orgs, err := a.oidc.OIDCOrganisations(ctx)
	for i := range orgs {
		orgs[i] = Organisation{ID: orgs[i].ID, Name: orgs[i].Name}
	}
	return orgs, err
}

// LinkSubject links the subject id an organisation's issuer gives a person
// to their account (with ClaimSubject, at invitation), and audits
// user.sso_link.
//
// Callers: an admin, or the operator (signald user link-sso).
// Errors: CodeForbidden, CodeInvalid (email, subject), CodeNotFound (no
// such account), CodeConflict (another account has the subject),
// CodeUnavailable.
func (a *Accounts) LinkSubject(ctx context.Context, actor Actor, email, subject string) error {
	if err := mayAdminister(actor); err != nil {
		return err
	}
	if err := a.mayUseOIDC(); err != nil {
		return err
	}
	var fe FieldErrors
	norm, err := NormaliseEmail(email)
	if err != nil {
		fe.Add("email", "not a valid email address")
	}
	subject = strings.TrimSpace(subject)
	if subject == "" {
		fe.Add("subject", "required")
	} else if len(subject) > 255 {
		fe.Add("subject", "at most 255 characters")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	u, _, err := a.dir.UserByEmail(ctx, norm)
	if ErrorCode(err) == CodeNotFound {
		return Errorf(CodeNotFound, "no account %s", norm)
	}
	if err != nil {
		return err
	}
	return a.oidc.LinkSubject(ctx, actor, u.ID, subject, []AuditEvent{{Action: ActionUserSSOLink, Object: "user/" + u.ID}})
}

// BeginSSO starts a sign-in through organisation orgID's issuer: it keeps
// a new state, nonce and PKCE verifier for SSOLoginTTL and returns the
// state (the door binds it to the browser) and the URL to send the browser
// to. redirectURL is where the issuer sends it back (registered there);
// next is where to go after.
//
// Callers: anyone (the login page).
// Errors: CodeNotFound (the organisation has no sign-in settings),
// CodeUnavailable (too many sign-ins pending, no relying party, the
// issuer not reachable).
func (a *Accounts) BeginSSO(ctx context.Context, orgID, redirectURL, next string) (state, authURL string, err error) {
	if err := a.mayUseOIDC(); err != nil {
		return "", "", err
	}
	s, err := a.oidc.OIDC(ctx, orgID)
	if err != nil {
		return "", "", err
	}
	return a.beginSSO(ctx, s, pendingSSO{redirect: redirectURL, next: next})
}

// BeginInvitationSSO starts accepting an invitation by signing in through
// the invitee's organisation's issuer, as BeginSSO starts a sign-in: when
// the issuer sends the browser back, FinishSSO links the person the issuer
// vouches for to the invited account (the subject id, for an organisation
// that names accounts by it; for one that names them by a verified
// address, that address must be the invitation's) and uses the invitation
// up, then signs them in. The invitation stays usable until then.
//
// Callers: anyone holding the invitation link (no session).
// Errors: CodeNotFound (ErrInvitationInvalid; or the organisation does
// not sign in through an issuer), CodeUnavailable.
func (a *Accounts) BeginInvitationSSO(ctx context.Context, token, redirectURL string) (state, authURL string, err error) {
	if err := a.mayUseOIDC(); err != nil {
		return "", "", err
	}
	if a.invitations == nil || a.factors == nil {
		return "", "", Errorf(CodeUnavailable, "accepting an invitation through the organisation is not available")
	}
	u, err := a.invitee(ctx, token)
	if err != nil {
		return "", "", err
	}
	s, err := a.oidc.OIDC(ctx, u.OrgID)
	if err != nil {
		return "", "", err
	}
	return a.beginSSO(ctx, s, pendingSSO{redirect: redirectURL, next: "/", invitation: invitationTokenHash(token), invitee: u.ID})
}

// invitee is the account an invitation link is for (ErrInvitationInvalid
// for an unknown, used or expired one).
func (a *Accounts) invitee(ctx context.Context, token string) (User, error) {
	if token == "" {
		return User{}, ErrInvitationInvalid
	}
	userID, expires, used, err := a.invitations.Invitation(ctx, invitationTokenHash(token))
	return linkHolder(ctx, a.factors, userID, expires, used, err, a.now(), ErrInvitationInvalid)
}

// beginSSO keeps p (with a new state, nonce and PKCE verifier) for
// SSOLoginTTL and returns the state and where to send the browser.
func (a *Accounts) beginSSO(ctx context.Context, s OIDCSettings, p pendingSSO) (state, authURL string, err error) {
	state, nonce, verifier := randomToken(), randomToken(), randomToken()+randomToken()
	now := a.now()
	p.orgID, p.nonce, p.verifier, p.expires = s.OrgID, nonce, verifier, now.Add(SSOLoginTTL)
	redirectURL := p.redirect
	if !a.ssoPending.put(state, p, now) {
		return "", "", Errorf(CodeUnavailable, "too many sign-ins at once; try again in a minute")
	}
	authURL, err = a.oidcClient.AuthURL(ctx, s, redirectURL, state, nonce, verifier)
	if err != nil {
		a.ssoPending.take(state)
		return "", "", Errorf(CodeUnavailable, "the sign-in service of your organisation cannot be reached: %v", err)
	}
	return state, authURL, nil
}

// FinishSSO completes a sign-in begun by BeginSSO when the issuer sends
// the browser back with state and code: the state is taken (once; a
// replay finds none), the code redeemed and the ID token verified, and the
// identity leads to an account of the organisation (see IdentityClaim),
// enabled; a sign-in begun by BeginInvitationSSO accepts the invitation
// first (acceptBySSO). Audited: login.sso (on record before this returns) or
// login.fail (under the account, else a keyed pseudonym of issuer and
// subject only). It returns the account and the next page.
//
// Callers: anyone (the issuer's redirect back).
// Errors: CodeUnauthorized (ErrSSOFailed), CodeUnavailable.
func (a *Accounts) FinishSSO(ctx context.Context, origin Actor, state, code string) (User, string, error) {
	if err := a.mayUseOIDC(); err != nil {
		return User{}, "", err
	}
	anon := Actor{RequestID: origin.RequestID, IP: origin.IP}
	fail := func(actor Actor, object string, reason error) (User, string, error) {
		if err := a.sessions.Record(ctx, actor, []AuditEvent{{Action: ActionLoginFail, Object: object}}); err != nil {
			return User{}, "", err
		}
		return User{}, "", &Error{Code: CodeUnauthorized, Message: ErrSSOFailed.Message, Err: reason}
	}
	p, ok := a.ssoPending.take(state)
	now := a.now()
	if !ok || !now.Before(p.expires) {
		return fail(anon, "sso/state", errorString("unknown, used or expired state"))
	}
	s, err := a.oidc.OIDC(ctx, p.orgID)
	if err != nil {
		return fail(anon, "org/"+p.orgID, err)
	}
	id, err := a.oidcClient.Exchange(ctx, s, p.redirect, code, p.verifier, p.nonce, now)
	if err != nil {
		return fail(anon, "org/"+s.OrgID, err)
	}
	ref := "sso/" + a.LoginRef(s.Issuer+" "+id.Subject)
	if p.invitation != "" {
		return a.acceptBySSO(ctx, origin, p, s, id, ref, fail)
	}
	var u User
	switch s.Claim {
	case ClaimEmail:
		email, err := NormaliseEmail(id.Email)
		if err != nil || !id.EmailVerified {
			return fail(anon, ref, errorString("no verified email address in the token"))
		}
		if u, _, err = a.dir.UserByEmail(ctx, email); ErrorCode(err) == CodeNotFound {
			return fail(anon, ref, errorString("no account"))
		} else if err != nil {
			return User{}, "", err
		}
	case ClaimSubject:
		if u, err = a.oidc.UserBySubject(ctx, s.OrgID, id.Subject); ErrorCode(err) == CodeNotFound {
			return fail(anon, ref, errorString("no account linked"))
		} else if err != nil {
			return User{}, "", err
		}
	}
	actor := Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, RequestID: origin.RequestID, IP: origin.IP}
	if u.OrgID != s.OrgID || u.Disabled {
		return fail(actor, "user/"+u.ID, errorString("an account of another organisation, or disabled"))
	}
	if err := a.sessions.RecordLogin(ctx, actor, u.ID, "", []AuditEvent{{Action: ActionLoginSSO, Object: "user/" + u.ID}}); err != nil {
		return User{}, "", err
	}
	return u, p.next, nil
}

// acceptBySSO finishes a sign-in that accepts an invitation (see
// BeginInvitationSSO): the invitation is checked again, the identity tied
// to the invited account, the invitation used up and the acceptance
// audited (user.invite_accept, and user.sso_link for a subject id) in one
// unit, then the sign-in recorded.
func (a *Accounts) acceptBySSO(ctx context.Context, origin Actor, p pendingSSO, s OIDCSettings, id SSOIdentity, ref string,
	fail func(Actor, string, error) (User, string, error)) (User, string, error) {
	anon := Actor{RequestID: origin.RequestID, IP: origin.IP}
	userID, expires, used, err := a.invitations.Invitation(ctx, p.invitation)
	u, err := linkHolder(ctx, a.factors, userID, expires, used, err, a.now(), ErrInvitationInvalid)
	if ErrorCode(err) == CodeNotFound || (err == nil && u.ID != p.invitee) {
		return fail(anon, ref, errorString("the invitation was used, expired or withdrawn meanwhile"))
	}
	if err != nil {
		return User{}, "", err
	}
	actor := Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, RequestID: origin.RequestID, IP: origin.IP}
	if u.OrgID != s.OrgID {
		return fail(actor, "user/"+u.ID, errorString("an account of another organisation"))
	}
	subject := ""
	events := []AuditEvent{{Action: ActionInviteAccept, Object: "user/" + u.ID}}
	switch s.Claim {
	case ClaimEmail:
		email, err := NormaliseEmail(id.Email)
		if err != nil || !id.EmailVerified || email != u.Email {
			return fail(actor, "user/"+u.ID, errorString("the issuer does not vouch for the invitation's address"))
		}
	case ClaimSubject:
		if strings.TrimSpace(id.Subject) == "" || len(id.Subject) > 255 {
			return fail(actor, "user/"+u.ID, errorString("no usable subject id in the token"))
		}
		subject = id.Subject
		events = append(events, AuditEvent{Action: ActionUserSSOLink, Object: "user/" + u.ID})
	}
	switch err := a.invitations.AcceptInvitation(ctx, actor, p.invitation, u.ID, "", subject, events); {
	case ErrorCode(err) == CodeConflict:
		return fail(actor, "user/"+u.ID, errorString("the subject id is another account's, or the account has another"))
	case ErrorCode(err) == CodeNotFound:
		return fail(actor, "user/"+u.ID, errorString("the invitation was used meanwhile"))
	case err != nil:
		return User{}, "", err
	}
	if err := a.sessions.RecordLogin(ctx, actor, u.ID, "", []AuditEvent{{Action: ActionLoginSSO, Object: "user/" + u.ID}}); err != nil {
		return User{}, "", err
	}
	return u, p.next, nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

// randomToken: 128 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SSOBinding is the value the door keeps in the browser for a sign-in
// begun there (a cookie) and compares with the state that comes back: a
// state begun in another browser (someone's sign-in forced on a victim)
// does not match. A hash of the state, so the cookie alone is no state.
//
// Callers: the login doors.
func SSOBinding(state string) string {
	sum := sha256.Sum256([]byte("signaal sso binding v1:" + state))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}
