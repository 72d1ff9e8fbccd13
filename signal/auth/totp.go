package auth

import (
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP makes and checks the time-based one-time codes of the second factor
// (RFC 6238: SHA-1, 30-second steps, 6 digits, what every authenticator app
// reads), with github.com/pquerna/otp. It implements signal.OneTimeCodes.
type TOTP struct{}

const totpPeriod = 30

// NewSecret returns a new 160-bit secret and its otpauth:// URI.
func (TOTP) NewSecret(issuer, account string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, SecretSize: 20})
	if err != nil {
		return "", "", fmt.Errorf("generate TOTP secret: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// URI returns the otpauth:// URI of secret (base32).
func (TOTP) URI(issuer, account, secret string) (string, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return "", fmt.Errorf("read TOTP secret: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Secret: raw})
	if err != nil {
		return "", fmt.Errorf("TOTP URI: %w", err)
	}
	return key.URL(), nil
}

// Step returns the 30-second step (Unix time / 30) whose code code is,
// trying at's step and one on either side (a phone's clock a little off);
// ok is false when it is none of them. The caller refuses a step at or
// before the last one accepted, so a code works once.
func (TOTP) Step(secret, code string, at time.Time) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	now := at.Unix() / totpPeriod
	for _, d := range []int64{0, -1, 1} {
		step := now + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}
