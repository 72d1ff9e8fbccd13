package signal

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
)

// An account's TOTP secret is what makes a code: whoever reads it passes
// the second step. It is sealed under a key of the key store (the same
// wrapped-key table as the young people's and the cooperations' keys,
// under master.key, which stays outside the database), bound to the
// account, so a stolen database file does not give it away (issue 18,
// issue 19 item 3). The store keeps the sealed form as text with
// sealedSecretPrefix; secrets stored before this change are sealed in
// place at start (SealStoredSecondFactors).

const (
	sealedSecretPrefix = "sealed1:"
	secondFactorHolder = "accounts/second-factors"
)

func secondFactorAD(userID string) []byte { return []byte("second-factor/" + userID) }

// SealSecondFactorsWith makes a seal the second-factor secrets with v from
// now on. Who calls it: the wiring (app.Open), once, before serving, when
// the key store is open. Without it secrets are stored as they are.
func (a *Accounts) SealSecondFactorsWith(v Vault) { a.factorVault = v }

// sealSecret is secret as the store keeps it.
func (a *Accounts) sealSecret(ctx context.Context, userID, secret string) (string, error) {
	if a.factorVault == nil {
		return secret, nil
	}
	ct, err := a.factorVault.Seal(ctx, secondFactorHolder, secondFactorAD(userID), []byte(secret))
	if err != nil {
		return "", fmt.Errorf("seal the second factor: %w", err)
	}
	return sealedSecretPrefix + base64.RawStdEncoding.EncodeToString(ct), nil
}

// readSecondFactor returns userID's second factor with its secret opened,
// and the secret as the store keeps it (to name the factor to the store).
func (a *Accounts) readSecondFactor(ctx context.Context, userID string) (SecondFactor, string, error) {
	sf, err := a.factors.SecondFactor(ctx, userID)
	if err != nil {
		return sf, "", err
	}
	stored := sf.Secret
	rest, sealed := strings.CutPrefix(stored, sealedSecretPrefix)
	if !sealed {
		return sf, stored, nil
	}
	if a.factorVault == nil {
		return SecondFactor{}, "", Errorf(CodeUnavailable, "the key store is not available: the second factor cannot be checked")
	}
	ct, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil {
		return SecondFactor{}, "", fmt.Errorf("the second factor of %s: %w", userID, err)
	}
	pt, err := a.factorVault.Unseal(ctx, secondFactorHolder, secondFactorAD(userID), ct)
	if err != nil {
		return SecondFactor{}, "", fmt.Errorf("open the second factor of %s: %w", userID, err)
	}
	sf.Secret = string(pt)
	return sf, stored, nil
}

// SealStoredSecondFactors seals the second-factor secrets stored before
// secrets were sealed and returns how many. Who may call it: the wiring
// (app.Open) once at start, after SealSecondFactorsWith and before
// serving; it is the system acting and nothing is read or shown, so
// nothing is audited (as SealStoredAnswers). Errors: the store's or the
// vault's, wrapped; nothing to do without a vault.
func (a *Accounts) SealStoredSecondFactors(ctx context.Context) (int, error) {
	if a.factorVault == nil || a.factors == nil {
		return 0, nil
	}
	plain, err := a.factors.PlainSecondFactors(ctx, sealedSecretPrefix)
	if err != nil {
		return 0, err
	}
	n := 0
	for userID, secret := range plain {
		sealed, err := a.sealSecret(ctx, userID, secret)
		if err != nil {
			return n, err
		}
		ok, err := a.factors.SealSecondFactor(ctx, userID, secret, sealed)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
