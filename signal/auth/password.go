// Package auth provides Signaal's authentication primitives: argon2id
// password hashes, signed session tokens (JWT, EdDSA) and the key sets that
// verify them. It knows nothing of HTTP or storage; signal/web uses it to log
// people in and signal/sqlite stores what it produces.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/signaal-nl/signaal/signal"
	"golang.org/x/crypto/argon2"
)

// PasswordParams are argon2id's cost parameters. They are stored with every
// hash (PHC string format), so they can be raised later: old hashes keep
// verifying with their own parameters and NeedsRehash says when to upgrade.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultPasswordParams follow OWASP's argon2id recommendation (19 MiB, 2
// passes, 1 thread): 26-75 ms per check on this noisy 2-core machine
// (BenchmarkVerifyPassword), and modest memory so a burst of
// logins from a school at 8:30 does not exhaust a small server.
var DefaultPasswordParams = PasswordParams{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// ErrMismatch is returned by VerifyPassword when the password is wrong.
var ErrMismatch = errors.New("password does not match")

var b64 = base64.RawStdEncoding

// HashPassword returns the PHC string of pw: $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func HashPassword(pw string, p PasswordParams) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword checks pw against a PHC string made by HashPassword. It
// returns nil on a match, ErrMismatch on a wrong password, another error for
// a malformed hash. The comparison is constant-time.
func VerifyPassword(encoded, pw string) error {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return ErrMismatch
	}
	return nil
}

// NeedsRehash reports whether encoded was made with weaker parameters than p,
// so a successful login can store a stronger hash.
func NeedsRehash(encoded string, p PasswordParams) bool {
	old, _, _, err := decodeHash(encoded)
	if err != nil {
		return true
	}
	return old.Memory < p.Memory || old.Time < p.Time || old.KeyLen < p.KeyLen
}

func decodeHash(encoded string) (PasswordParams, []byte, []byte, error) {
	var p PasswordParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("password hash is not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("password hash has unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("password hash parameters %q: %w", parts[3], err)
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("password hash salt: %w", err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("password hash key: %w", err)
	}
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || len(key) < 16 {
		return p, nil, nil, errors.New("password hash has zero parameters")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// Passwords hashes new passwords with Params and checks existing hashes: the
// signal.Passwords of the account use cases.
type Passwords struct {
	Params PasswordParams // the zero value means DefaultPasswordParams
}

var _ signal.Passwords = Passwords{}

func (p Passwords) params() PasswordParams {
	if p.Params == (PasswordParams{}) {
		return DefaultPasswordParams
	}
	return p.Params
}

// Hash implements signal.Passwords.
func (p Passwords) Hash(pw string) (string, error) { return HashPassword(pw, p.params()) }

// Verify implements signal.Passwords: a wrong password is an error that
// matches both ErrMismatch and signal.ErrPasswordMismatch.
func (p Passwords) Verify(hash, pw string) error {
	err := VerifyPassword(hash, pw)
	if errors.Is(err, ErrMismatch) {
		return fmt.Errorf("%w: %w", signal.ErrPasswordMismatch, err)
	}
	return err
}

// NeedsRehash implements signal.Passwords.
func (p Passwords) NeedsRehash(hash string) bool { return NeedsRehash(hash, p.params()) }
