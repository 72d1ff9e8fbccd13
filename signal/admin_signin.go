package signal

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"
)

// SecretFiles keeps organisations' client secrets as files the server
// reads at each sign-in (OIDCSettings.SecretFile), in a directory of the
// server's own: the console never names a path, so an administrator
// cannot make the server send one of its other files to an issuer.
type SecretFiles interface {
	// StoreSecret writes secret as orgID's client secret (mode 0600,
	// replacing an earlier one at once) and returns the file's absolute
	// path.
	StoreSecret(orgID, secret string) (path string, err error)
}

// PartnerSignIn is a partner's sign-in through its own issuer as the
// console shows it: the settings, never the secret.
type PartnerSignIn struct {
	Partner  Organisation
	Settings OIDCSettings // zero when none are recorded
	Set      bool
}

// PartnerSignIn returns how partner orgID's people sign in.
//
// Callers: an admin.
// Errors: CodeForbidden, CodeNotFound (not a partner of this cooperation),
// CodeUnavailable.
func (ad *Administration) PartnerSignIn(ctx context.Context, actor Actor, orgID string) (PartnerSignIn, error) {
	coop, err := ad.ownCooperation(ctx, actor)
	if err != nil {
		return PartnerSignIn{}, err
	}
	o, err := ad.partnerOf(ctx, coop, orgID)
	if err != nil {
		return PartnerSignIn{}, err
	}
	s, err := ad.d.Accounts.OrgOIDC(ctx, actor, o.ID)
	switch {
	case ErrorCode(err) == CodeNotFound:
		return PartnerSignIn{Partner: o}, nil
	case err != nil:
		return PartnerSignIn{}, err
	}
	return PartnerSignIn{Partner: o, Settings: s, Set: true}, nil
}

// SetPartnerSignIn records that partner orgID's people sign in through
// their organisation's OpenID Connect issuer: s's Issuer, ClientID and
// Claim, and the client secret, which is kept as a file of the server's
// (SecretFiles; s.SecretFile is ignored). An empty secret keeps the one
// stored before. Audited org.oidc, as signald org sso.
//
// Callers: an admin.
// Errors: CodeForbidden, CodeInvalid (issuer, client_id, secret, claim),
// CodeNotFound (not a partner of this cooperation), CodeUnavailable (no
// place for secrets on this server).
func (ad *Administration) SetPartnerSignIn(ctx context.Context, actor Actor, orgID string, s OIDCSettings, secret string) (OIDCSettings, error) {
	cur, err := ad.PartnerSignIn(ctx, actor, orgID)
	if err != nil {
		return OIDCSettings{}, err
	}
	if ad.d.Secrets == nil {
		return OIDCSettings{}, Errorf(CodeUnavailable, "this server keeps no client secrets: use signald org sso")
	}
	secret = strings.TrimSpace(secret)
	// Every field checked before anything is written.
	check := s
	check.SecretFile = "/" // the file is the server's
	var fe FieldErrors
	var se *Error
	if err := check.Validate(); errors.As(err, &se) {
		fe = FieldErrors(se.Fields)
	}
	switch {
	case secret == "" && !cur.Set:
		fe.Add("secret", "required")
	case utf8.RuneCountInString(secret) > 1000:
		fe.Add("secret", "at most 1000 characters")
	case strings.ContainsAny(secret, "\r\n"):
		fe.Add("secret", "one line")
	}
	if err := fe.Err(); err != nil {
		return OIDCSettings{}, err
	}
	s.SecretFile = cur.Settings.SecretFile
	if secret != "" {
		if s.SecretFile, err = ad.d.Secrets.StoreSecret(cur.Partner.ID, secret); err != nil {
			return OIDCSettings{}, err
		}
	}
	return ad.d.Accounts.SetOrgOIDC(ctx, actor, cur.Partner.ID, s)
}
