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

// Issue signs a token for a user and returns it with its claims.
func (i *Issuer) Issue(userID, role, org string) (string, Claims, error) {
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
type Verifier struct {
	trusted map[string]trusted
	now     func() time.Time
	leeway  time.Duration
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
	v := &Verifier{trusted: map[string]trusted{}, now: now, leeway: leeway}
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
	// The issuer picks the rules; it is read before the signature is checked,
	// but the chosen issuer's parser then requires that same issuer, one of
	// its algorithms and a valid signature by one of its keys.
	var unverified Claims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &unverified); err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	ti, ok := v.trusted[unverified.Issuer]
	if !ok {
		return Claims{}, fmt.Errorf("%w: issuer %q is not trusted", ErrInvalidToken, unverified.Issuer)
	}
	var c Claims
	_, err := ti.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if !slices.Contains(ti.Methods, t.Method.Alg()) {
			return nil, fmt.Errorf("method %s not allowed", t.Method.Alg())
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("kid header missing")
		}
		return ti.Keys.Key(ctx, kid)
	})
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Subject == "" || c.ID == "" || c.IssuedAt == nil || c.NotBefore == nil {
		return Claims{}, fmt.Errorf("%w: sub, jti, iat and nbf are required", ErrInvalidToken)
	}
	return c, nil
}
