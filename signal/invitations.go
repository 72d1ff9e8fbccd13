package signal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// InvitationTTL is how long an invitation link can be used.
const InvitationTTL = 7 * 24 * time.Hour

// InvitationStore keeps invitations: only a token's SHA-256 is stored.
type InvitationStore interface {
	// CreateInvitedUser stores account u with a password hash nobody knows
	// the password of, and its invitation (tokenHash, expires), with
	// events, in one unit. CodeNotFound for an unknown organisation,
	// CodeConflict when the address has an account.
	CreateInvitedUser(ctx context.Context, actor Actor, u User, unusableHash, tokenHash string, expires time.Time, events []AuditEvent) error
	// Invitation returns the account an invitation is for, when it
	// expires and whether it was used; CodeNotFound for an unknown token.
	Invitation(ctx context.Context, tokenHash string) (userID string, expires time.Time, used bool, err error)
	// AcceptInvitation marks the invitation used and stores the account's
	// password hash (unless empty: accepted by signing in through the
	// organisation) and links subject, the id the organisation's issuer
	// gives the invitee (unless empty), with events, in one unit;
	// CodeNotFound when it was used meanwhile (each link works once),
	// CodeConflict when another account of the organisation has the
	// subject or the account has another one.
	AcceptInvitation(ctx context.Context, actor Actor, tokenHash, userID, passwordHash, subject string, events []AuditEvent) error
	// Reinvite stores a new invitation (tokenHash, expires) for account
	// userID, which was invited and never accepted, with events, in one
	// unit; the account's earlier links stop working. CodeNotFound when
	// the account was never invited, CodeConflict when it accepted.
	Reinvite(ctx context.Context, actor Actor, userID, tokenHash string, expires time.Time, events []AuditEvent) error
	// OpenInvitations returns, for every account of cooperation coopID
	// that was invited and never accepted an invitation, when its latest
	// invitation expires (or expired).
	OpenInvitations(ctx context.Context, coopID string) (map[string]time.Time, error)
}

// InvitationSender delivers an invitation: an e-mail to u.Email with the
// link that carries token, valid until expires.
type InvitationSender interface {
	SendInvitation(ctx context.Context, u User, org Organisation, token string, expires time.Time) error
}

// Invited is an invitation as the administrator sees it: to whom, until
// when. The token itself only travels in the e-mail.
type Invited struct {
	User    User
	Expires time.Time
}

func invitationTokenHash(token string) string {
	h := sha256.Sum256([]byte("signaal invitation v1\x00" + token))
	return hex.EncodeToString(h[:])
}

// Invite creates account u in partner u.OrgID of the administrator's
// cooperation and e-mails its owner a single-use link, valid for
// InvitationTTL, to choose a password; audited user.invite. The account
// cannot log in before the link is used.
//
// Callers: an admin.
// Errors: CodeForbidden, CodeInvalid (email, name, role, org),
// CodeNotFound (not a partner of this cooperation), CodeConflict (the
// address has an account), CodeUnavailable (no e-mail configured; nothing
// is stored then).
func (ad *Administration) Invite(ctx context.Context, actor Actor, u *User) (Invited, error) {
	coop, err := ad.ownCooperation(ctx, actor)
	if err != nil {
		return Invited{}, err
	}
	if err := u.Validate(); err != nil {
		return Invited{}, err
	}
	o, err := ad.partnerOf(ctx, coop, u.OrgID)
	if err != nil {
		return Invited{}, err
	}
	if ad.d.Invitations == nil || ad.d.Sender == nil {
		return Invited{}, Errorf(CodeUnavailable, "invitations need e-mail, which is not configured on this server")
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	unusable, err := ad.d.Accounts.passwords.Hash(base64.RawURLEncoding.EncodeToString(secret))
	if err != nil {
		return Invited{}, fmt.Errorf("hash password: %w", err)
	}
	tok := make([]byte, 32)
	rand.Read(tok)
	token := base64.RawURLEncoding.EncodeToString(tok)
	u.Email, _ = NormaliseEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	u.ID = NewID("usr")
	u.CreatedAt = ad.d.Now().UTC()
	expires := u.CreatedAt.Add(InvitationTTL)
	if err := ad.d.Invitations.CreateInvitedUser(ctx, actor, *u, unusable, invitationTokenHash(token), expires,
		[]AuditEvent{{Action: ActionUserInvite, Object: "user/" + u.ID}}); err != nil {
		return Invited{}, err
	}
	if err := ad.d.Sender.SendInvitation(ctx, *u, o, token, expires); err != nil {
		return Invited{}, fmt.Errorf("send the invitation: %w", err)
	}
	return Invited{User: *u, Expires: expires}, nil
}

// Reinvite e-mails account userID of the administrator's cooperation a
// new single-use link, valid for InvitationTTL, when it has not accepted
// its invitation (the link expired, or the mail was lost); every earlier
// link of the account stops working. Audited user.invite, like the first.
//
// Callers: an admin.
// Errors: CodeForbidden, CodeNotFound (no such account in this cooperation,
// or one that was never invited), CodeConflict (the invitation was
// accepted, or the account is disabled: enable it first),
// CodeUnavailable (no e-mail configured; nothing is stored then).
func (ad *Administration) Reinvite(ctx context.Context, actor Actor, userID string) (Invited, error) {
	coop, err := ad.ownCooperation(ctx, actor)
	if err != nil {
		return Invited{}, err
	}
	if ad.d.Invitations == nil || ad.d.Sender == nil {
		return Invited{}, Errorf(CodeUnavailable, "invitations need e-mail, which is not configured on this server")
	}
	u, err := ad.accountIn(ctx, coop, userID)
	if err != nil {
		return Invited{}, err
	}
	if u.Disabled {
		return Invited{}, Errorf(CodeConflict, "account %s is disabled: enable it before inviting again", userID)
	}
	o, err := ad.partnerOf(ctx, coop, u.OrgID)
	if err != nil {
		return Invited{}, err
	}
	tok := make([]byte, 32)
	rand.Read(tok)
	token := base64.RawURLEncoding.EncodeToString(tok)
	expires := ad.d.Now().UTC().Add(InvitationTTL)
	if err := ad.d.Invitations.Reinvite(ctx, actor, u.ID, invitationTokenHash(token), expires,
		[]AuditEvent{{Action: ActionUserInvite, Object: "user/" + u.ID}}); err != nil {
		return Invited{}, err
	}
	if err := ad.d.Sender.SendInvitation(ctx, u, o, token, expires); err != nil {
		return Invited{}, fmt.Errorf("send the invitation: %w", err)
	}
	return Invited{User: u, Expires: expires}, nil
}

// ErrInvitationInvalid is the one answer to an unknown, used or expired
// invitation link: the holder learns nothing about which.
var ErrInvitationInvalid = Errorf(CodeNotFound, "this invitation link is not valid (any more): ask your administrator for a new one")

// Invitation checks an invitation link's token and returns the account it
// is for, so the page can greet them.
//
// Callers: anyone holding the link (no session).
// Errors: CodeNotFound (ErrInvitationInvalid).
func (ad *Administration) Invitation(ctx context.Context, token string) (User, error) {
	if ad.d.Invitations == nil || token == "" {
		return User{}, ErrInvitationInvalid
	}
	userID, expires, used, err := ad.d.Invitations.Invitation(ctx, invitationTokenHash(token))
	return linkHolder(ctx, ad.d.Users, userID, expires, used, err, ad.d.Now(), ErrInvitationInvalid)
}

// AcceptInvitation uses an invitation link once: the invitee chooses a
// password (CheckPassword) and can log in from then on. Audited
// user.invite_accept under the invited account.
//
// Callers: anyone holding the link (no session); origin is the request.
// Errors: CodeNotFound (ErrInvitationInvalid: unknown, used, expired),
// CodeInvalid (password).
func (ad *Administration) AcceptInvitation(ctx context.Context, origin Actor, token, password string) (User, error) {
	u, err := ad.Invitation(ctx, token)
	if err != nil {
		return User{}, err
	}
	if err := CheckPassword(password); err != nil {
		return User{}, err
	}
	hash, err := ad.d.Accounts.passwords.Hash(password)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	actor := Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, RequestID: origin.RequestID, IP: origin.IP}
	if err := ad.d.Invitations.AcceptInvitation(ctx, actor, invitationTokenHash(token), u.ID, hash, "",
		[]AuditEvent{{Action: ActionInviteAccept, Object: "user/" + u.ID}}); err != nil {
		return User{}, err
	}
	return u, nil
}

// SendInvitation enqueues the invitation e-mail (an InvitationSender): the
// fixed invitation text and the link, once per invitation. The message
// holds the link only until it is sent.
func (o *Outbox) SendInvitation(ctx context.Context, u User, _ Organisation, token string, expires time.Time) error {
	_, err := o.Enqueue(ctx, Mail{Key: "invite/" + u.ID + "/" + strconv.FormatInt(expires.Unix(), 10), To: u.Email, Kind: MailInvitation,
		Link: "/uitnodiging/" + token})
	return err
}
