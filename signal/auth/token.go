package auth

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the claims of a Signaal session token. The registered claims
// iss, aud, sub (user id), exp, iat, nbf and jti are always set; Role and Org
// tell a reader of the token who it is for, but the service takes the
// current role from the account on every request (a changed role or a
// disabled account takes effect at once).
type Claims struct {
	jwt.RegisteredClaims
	Role string `json:"role,omitempty"`
	Org  string `json:"org,omitempty"`
	// Gen is the account's session generation when the token was issued
	// (signal.User.SessionGen): the token ends when the account's moves on.
	Gen int64 `json:"sgen,omitempty"`
}

// KeySet gives the public key a token's `kid` header names. Signaal's own
// keys are a StaticKeySet; an organisation's OpenID Connect provider can be
// trusted later by adding a KeySet that reads its JWKS endpoint, without
// changing the verifier.
type KeySet interface {
	Key(ctx context.Context, kid string) (crypto.PublicKey, error)
}

// StaticKeySet is a fixed set of public keys by kid: the current signing key
// and, during a rotation, the previous one.
type StaticKeySet map[string]crypto.PublicKey

// Key implements KeySet.
func (s StaticKeySet) Key(_ context.Context, kid string) (crypto.PublicKey, error) {
	k, ok := s[kid]
	if !ok {
		return nil, fmt.Errorf("no key with kid %q", kid)
	}
	return k, nil
}

// KeyID derives a stable kid from an Ed25519 public key, so a rotated key
// gets a new kid without anyone choosing one.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// Issuer signs Signaal's session tokens with Ed25519 (alg EdDSA).
type Issuer struct {
	key      ed25519.PrivateKey
	kid      string
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
}

// IssuerOptions configure an Issuer. Issuer and Audience are required.
type IssuerOptions struct {
	Issuer   string           // e.g. "signaal"
	Audience string           // e.g. "signaal-api"
	TTL      time.Duration    // token lifetime; default 8h, one working day
	Now      func() time.Time // default time.Now
}

// NewIssuer returns an Issuer signing with key.
func NewIssuer(key ed25519.PrivateKey, opts IssuerOptions) (*Issuer, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("signing key is not an Ed25519 private key")
	}
	if opts.Issuer == "" || opts.Audience == "" {
		return nil, errors.New("token issuer and audience are required")
	}
	if opts.TTL <= 0 {
		opts.TTL = 8 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Issuer{key: key, kid: KeyID(key.Public().(ed25519.PublicKey)), issuer: opts.Issuer,
		audience: opts.Audience, ttl: opts.TTL, now: opts.Now}, nil
}

// KeySet returns the public half of the issuer's key, for a Verifier.
func (i *Issuer) KeySet() StaticKeySet {
	return StaticKeySet{i.kid: i.key.Public()}
}

// Name is the issuer's `iss`.
func (i *Issuer) Name() string { return i.issuer }

// Audience is the issuer's `aud`.
func (i *Issuer) Audience() string { return i.audience }

// Issue signs a token for a user, under the account's session generation
// gen, and returns it with its claims.
func (i *Issuer) Issue(userID, role, org string, gen int64) (string, Claims, error) {
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", Claims{}, fmt.Errorf("read token id: %w", err)
	}
	now := i.now().Truncate(time.Second)
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.issuer,
			Subject:   userID,
			Audience:  jwt.ClaimStrings{i.audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(i.ttl)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        base64.RawURLEncoding.EncodeToString(jti),
		},
		Role: role,
		Org:  org,
		Gen:  gen,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = i.kid
	s, err := t.SignedString(i.key)
	if err != nil {
		return "", Claims{}, fmt.Errorf("sign token: %w", err)
	}
	return s, c, nil
}

// TrustedIssuer is an issuer whose tokens a Verifier accepts: its `iss`, the
// audience its tokens must carry, the algorithms it signs with and its keys.
type TrustedIssuer struct {
	Issuer   string
	Audience string
	Methods  []string // e.g. {"EdDSA"}; an OIDC provider may need {"RS256"}
	Keys     KeySet
}

// Verifier checks tokens strictly: a trusted issuer, its audience, one of its
// algorithms (never "none", never an HMAC with a public key as secret), a
// valid signature by a key from its key set, and exp, iat and nbf present and
// valid within a small leeway for clock skew.
//
// A token that passed is remembered (by its SHA-256, until its exp, at most
// verifiedCacheSize of them): a client sends the same token with every
// request, and checking its Ed25519 signature again cost 90-130 µs of each
// submission. A remembered token is still refused the moment it expires or
// its key leaves the issuer's key set; revocation and disabled accounts are
// not the verifier's business and are checked on every request by the
// caller (web's authenticate asks SessionUser).
type Verifier struct {
	trusted map[string]trusted
	now     func() time.Time
	leeway  time.Duration

	mu       sync.Mutex
	verified map[[sha256.Size]byte]verifiedToken
}

// verifiedCacheSize bounds the remembered tokens: about one per active
// session of a working day, at a few hundred bytes each.
const verifiedCacheSize = 8192

// verifiedToken is a token that passed every check of verify, with what a
// later check needs: who signed it with which key.
type verifiedToken struct {
	claims Claims
	issuer string
	kid    string
}

type trusted struct {
	TrustedIssuer
	parser *jwt.Parser
}

// ErrInvalidToken wraps every reason a token is refused; callers answer 401
// and do not tell the client which check failed.
var ErrInvalidToken = errors.New("invalid token")

// NewVerifier returns a Verifier trusting the given issuers. now defaults to
// time.Now; leeway (clock skew allowed) defaults to 30 seconds.
func NewVerifier(now func() time.Time, leeway time.Duration, issuers ...TrustedIssuer) (*Verifier, error) {
	if now == nil {
		now = time.Now
	}
	if leeway <= 0 {
		leeway = 30 * time.Second
	}
	v := &Verifier{trusted: map[string]trusted{}, now: now, leeway: leeway,
		verified: map[[sha256.Size]byte]verifiedToken{}}
	for _, ti := range issuers {
		if ti.Issuer == "" || ti.Audience == "" || len(ti.Methods) == 0 || ti.Keys == nil {
			return nil, fmt.Errorf("trusted issuer %q: issuer, audience, methods and keys are required", ti.Issuer)
		}
		for _, m := range ti.Methods {
			if m == "none" || m == "HS256" || m == "HS384" || m == "HS512" {
				return nil, fmt.Errorf("trusted issuer %q: method %s is not allowed", ti.Issuer, m)
			}
		}
		v.trusted[ti.Issuer] = trusted{TrustedIssuer: ti, parser: jwt.NewParser(
			jwt.WithValidMethods(ti.Methods),
			jwt.WithIssuer(ti.Issuer),
			jwt.WithAudience(ti.Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(leeway),
			jwt.WithTimeFunc(now),
		)}
	}
	return v, nil
}

// Verify parses and checks a token and returns its claims, or an error
// wrapping ErrInvalidToken.
func (v *Verifier) Verify(ctx context.Context, token string) (Claims, error) {
	sum := sha256.Sum256([]byte(token))
	if c, ok := v.remembered(ctx, sum); ok {
		return c, nil
	}
	vt, err := v.verify(ctx, token)
	if err != nil {
		return Claims{}, err
	}
	v.remember(sum, vt)
	return cloneClaims(vt.claims), nil
}

// remembered returns the claims of a token verified before, if it is still
// within its time window and its key is still trusted.
func (v *Verifier) remembered(ctx context.Context, sum [sha256.Size]byte) (Claims, bool) {
	v.mu.Lock()
	vt, ok := v.verified[sum]
	v.mu.Unlock()
	if !ok {
		return Claims{}, false
	}
	// The same time checks as the parser's (exp, nbf, iat with the leeway),
	// so a remembered token expires exactly when a fresh check would fail.
	now := v.now()
	c := vt.claims
	if !now.Before(c.ExpiresAt.Add(v.leeway)) || now.Before(c.NotBefore.Add(-v.leeway)) ||
		now.Before(c.IssuedAt.Add(-v.leeway)) || !v.stillTrusted(ctx, vt) {
		v.mu.Lock()
		delete(v.verified, sum)
		v.mu.Unlock()
		return Claims{}, false
	}
	return cloneClaims(c), true
}

// stillTrusted reports whether the key that signed vt is still in its
// issuer's key set (a rotated-out or withdrawn key ends its tokens at once).
func (v *Verifier) stillTrusted(ctx context.Context, vt verifiedToken) bool {
	ti, ok := v.trusted[vt.issuer]
	if !ok {
		return false
	}
	_, err := ti.Keys.Key(ctx, vt.kid)
	return err == nil
}

// remember keeps a verified token, making room by dropping expired ones
// and, if that is not enough, an arbitrary one.
func (v *Verifier) remember(sum [sha256.Size]byte, vt verifiedToken) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.verified) >= verifiedCacheSize {
		now := v.now()
		for k, old := range v.verified {
			if !now.Before(old.claims.ExpiresAt.Add(v.leeway)) {
				delete(v.verified, k)
			}
		}
		for k := range v.verified {
			if len(v.verified) < verifiedCacheSize {
				break
			}
			delete(v.verified, k)
		}
	}
	v.verified[sum] = vt
}

// cloneClaims copies c so a caller changing its audience cannot change what
// is remembered.
func cloneClaims(c Claims) Claims {
	c.Audience = slices.Clone(c.Audience)
	return c
}

// verify checks a token completely: issuer, algorithm, signature, claims.
func (v *Verifier) verify(ctx context.Context, token string) (verifiedToken, error) {
	// The issuer picks the rules; it is read before the signature is checked,
	// but the chosen issuer's parser then requires that same issuer, one of
	// its algorithms and a valid signature by one of its keys.
	var unverified Claims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &unverified); err != nil {
		return verifiedToken{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	ti, ok := v.trusted[unverified.Issuer]
	if !ok {
		return verifiedToken{}, fmt.Errorf("%w: issuer %q is not trusted", ErrInvalidToken, unverified.Issuer)
	}
	var (
		c       Claims
		usedKid string
	)
	_, err := ti.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if !slices.Contains(ti.Methods, t.Method.Alg()) {
			return nil, fmt.Errorf("method %s not allowed", t.Method.Alg())
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("kid header missing")
		}
		usedKid = kid
		return ti.Keys.Key(ctx, kid)
	})
	if err != nil {
		return verifiedToken{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Subject == "" || c.ID == "" || c.IssuedAt == nil || c.NotBefore == nil || c.ExpiresAt == nil {
		return verifiedToken{}, fmt.Errorf("%w: sub, jti, exp, iat and nbf are required", ErrInvalidToken)
	}
	return verifiedToken{claims: c, issuer: ti.Issuer, kid: usedKid}, nil
}
