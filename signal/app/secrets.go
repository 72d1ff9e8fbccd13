package app

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// secretDir keeps the client secrets the console records for a partner's
// sign-in through its issuer (signal.SecretFiles): one file per
// organisation, mode 0600, in a directory (mode 0700) inside the keys
// directory.
type secretDir string

var orgIDPattern = regexp.MustCompile(`^[a-z]+_[a-z2-7]+$`)

// StoreSecret implements signal.SecretFiles: written to a temporary file
// and renamed over the earlier one, so a sign-in reads either whole.
func (d secretDir) StoreSecret(orgID, secret string) (string, error) {
	if !orgIDPattern.MatchString(orgID) {
		return "", fmt.Errorf("store client secret: unexpected organisation id %q", orgID)
	}
	dir, err := filepath.Abs(string(d))
	if err != nil {
		return "", fmt.Errorf("store client secret: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("store client secret: %w", err)
	}
	f, err := os.CreateTemp(dir, orgID+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("store client secret: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("store client secret: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", fmt.Errorf("store client secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("store client secret: %w", err)
	}
	path := filepath.Join(dir, orgID+".secret")
	if err := os.Rename(f.Name(), path); err != nil {
		return "", fmt.Errorf("store client secret: %w", err)
	}
	return path, nil
}
