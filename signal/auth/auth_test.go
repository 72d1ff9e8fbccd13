package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var cheap = PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("lange zin als wachtwoord", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string with its parameters", h)
	}
	if h2, _ := HashPassword("lange zin als wachtwoord", cheap); h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	cases := []struct {
		name, encoded, password string
		want                    error
		malformed               bool
	}{
		{"right password", h, "lange zin als wachtwoord", nil, false},
		{"wrong password", h, "lange zin als wachtwoorD", ErrMismatch, false},
		{"empty password", h, "", ErrMismatch, false},
		{"bcrypt hash", "$2a$10$abcdefghijklmnopqrstuu", "x", nil, true},
		{"zero memory", "$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5", "x", nil, true},
		{"other version", strings.Replace(h, "v=19", "v=16", 1), "x", nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := VerifyPassword(c.encoded, c.password)
			if c.malformed {
				if err == nil || errors.Is(err, ErrMismatch) {
					t.Fatalf("VerifyPassword = %v; want a malformed-hash error", err)
				}
				return
			}
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("VerifyPassword = %v; want %v", err, c.want)
			}
		})
	}
	if !NeedsRehash(h, DefaultPasswordParams) || NeedsRehash(h, cheap) {
		t.Fatal("NeedsRehash does not compare the stored parameters")
	}
}

func TestSigningKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "jwt-ed25519.key")
	k1, err := LoadOrCreateSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	k2, err := LoadOrCreateSigningKey(path)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("second load gave another key (%v)", err)
	}
	os.Chmod(path, 0o644)
	if _, err := LoadOrCreateSigningKey(path); err == nil {
		t.Fatal("a key file readable by others was accepted")
	}
}

func TestIssueVerifyRoundTrip(t *testing.T) {
	k, err := LoadOrCreateSigningKey(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	iss, _ := NewIssuer(k, IssuerOptions{Issuer: "signaal", Audience: "signaal-api", TTL: time.Hour, Now: clock})
	v, err := NewVerifier(clock, time.Second, TrustedIssuer{Issuer: "signaal", Audience: "signaal-api", Methods: []string{"EdDSA"}, Keys: iss.KeySet()})
	if err != nil {
		t.Fatal(err)
	}
	tok, c, err := iss.Issue("usr_1", "reporter", "org_1", 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Verify(context.Background(), tok)
	if err != nil || got.Subject != "usr_1" || got.Role != "reporter" || got.ID != c.ID {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	now = now.Add(time.Hour + 2*time.Second)
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("Verify after expiry = %v; want ErrInvalidToken", err)
	}
	if _, err := NewVerifier(nil, 0, TrustedIssuer{Issuer: "x", Audience: "y", Methods: []string{"HS256"}, Keys: StaticKeySet{}}); err == nil {
		t.Fatal("a verifier trusting HS256 was built")
	}
}

// TestVerifyRememberedToken: a token accepted once is remembered, but what
// would refuse a fresh check still refuses it at once.
func TestVerifyRememberedToken(t *testing.T) {
	tests := []struct {
		name   string
		change func(now *time.Time, keys StaticKeySet) // between the first and the second Verify
		token  func(tok string) string                 // what is sent the second time
		ok     bool
	}{
		{name: "the same token again is accepted", ok: true},
		{name: "the same token after its exp is refused",
			change: func(now *time.Time, _ StaticKeySet) { *now = now.Add(time.Hour + 2*time.Second) }},
		{name: "the same token within the leeway after exp is accepted",
			change: func(now *time.Time, _ StaticKeySet) { *now = now.Add(time.Hour) }, ok: true},
		{name: "the same token after its key left the key set is refused",
			change: func(_ *time.Time, keys StaticKeySet) { clear(keys) }},
		{name: "the token with its signature altered is refused",
			token: func(tok string) string {
				i := strings.LastIndexByte(tok, '.') + 1
				b := []byte(tok)
				b[i] ^= 'A' ^ 'B'
				return string(b)
			}},
	}
	k, err := LoadOrCreateSigningKey(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			iss, _ := NewIssuer(k, IssuerOptions{Issuer: "signaal", Audience: "signaal-api", TTL: time.Hour, Now: clock})
			keys := iss.KeySet()
			v, err := NewVerifier(clock, time.Second, TrustedIssuer{Issuer: "signaal", Audience: "signaal-api", Methods: []string{"EdDSA"}, Keys: keys})
			if err != nil {
				t.Fatal(err)
			}
			tok, c, err := iss.Issue("usr_1", "reporter", "org_1", 0)
			if err != nil {
				t.Fatal(err)
			}
			first, err := v.Verify(context.Background(), tok)
			if err != nil {
				t.Fatalf("first Verify: %v", err)
			}
			first.Audience[0] = "changed by the caller"
			if tt.change != nil {
				tt.change(&now, keys)
			}
			again := tok
			if tt.token != nil {
				again = tt.token(tok)
			}
			got, err := v.Verify(context.Background(), again)
			switch {
			case tt.ok && (err != nil || got.Subject != "usr_1" || got.ID != c.ID || got.Audience[0] != "signaal-api"):
				t.Fatalf("second Verify = %+v, %v; want the token's claims", got, err)
			case !tt.ok && !errors.Is(err, ErrInvalidToken):
				t.Fatalf("second Verify = %+v, %v; want ErrInvalidToken", got, err)
			}
		})
	}
}

// BenchmarkVerifyPassword measures a login's password check with the
// default parameters, next to a token verification (what every later
// request costs without the verifier's memory of tokens), and reports how
// many token checks one login costs.
func BenchmarkVerifyPassword(b *testing.B) {
	h, err := HashPassword("lange zin als wachtwoord", DefaultPasswordParams)
	if err != nil {
		b.Fatal(err)
	}
	k, _ := LoadOrCreateSigningKey(filepath.Join(b.TempDir(), "k"))
	iss, _ := NewIssuer(k, IssuerOptions{Issuer: "signaal", Audience: "signaal-api"})
	v, _ := NewVerifier(nil, 0, TrustedIssuer{Issuer: "signaal", Audience: "signaal-api", Methods: []string{"EdDSA"}, Keys: iss.KeySet()})
	tok, _, _ := iss.Issue("usr_1", "reporter", "org_1", 0)
	const tokens = 200
	start := time.Now()
	for range tokens {
		if _, err := v.verify(context.Background(), tok); err != nil {
			b.Fatal(err)
		}
	}
	perToken := time.Since(start) / tokens
	b.ResetTimer()
	for b.Loop() {
		if err := VerifyPassword(h, "lange zin als wachtwoord"); err != nil {
			b.Fatal(err)
		}
	}
	perLogin := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(perToken.Microseconds()), "µs/token-verify")
	b.ReportMetric(float64(perLogin)/float64(perToken), "token-verifies/login")
}

// BenchmarkVerifyRememberedToken measures Verify of a token seen before
// (what every request after the first costs) and reports how many times
// cheaper it is than a full check, measured in the same run.
func BenchmarkVerifyRememberedToken(b *testing.B) {
	k, _ := LoadOrCreateSigningKey(filepath.Join(b.TempDir(), "k"))
	iss, _ := NewIssuer(k, IssuerOptions{Issuer: "signaal", Audience: "signaal-api"})
	v, _ := NewVerifier(nil, 0, TrustedIssuer{Issuer: "signaal", Audience: "signaal-api", Methods: []string{"EdDSA"}, Keys: iss.KeySet()})
	tok, _, _ := iss.Issue("usr_1", "reporter", "org_1", 0)
	const full = 200
	start := time.Now()
	for range full {
		if _, err := v.verify(context.Background(), tok); err != nil {
			b.Fatal(err)
		}
	}
	perFull := time.Since(start) / full
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			b.Fatal(err)
		}
	}
	perRemembered := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(perFull.Nanoseconds())/1000, "µs/full-verify")
	b.ReportMetric(float64(perFull)/float64(perRemembered), "times-cheaper")
}
