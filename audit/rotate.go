package audit

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// TrustedKeysFile holds, one per line, the public keys of earlier checkpoint
// keys (rotated out by RotateKey), next to the signing key: checkpoints
// they signed stay verifiable.
const TrustedKeysFile = "checkpoint-trusted.pub"

// TrustedKeysPath is the file of earlier public keys for the signing key
// at keyPath.
func TrustedKeysPath(keyPath string) string {
	return filepath.Join(filepath.Dir(keyPath), TrustedKeysFile)
}

// LoadTrusted reads the earlier public keys kept for the signing key at
// keyPath; none if the file does not exist.
func LoadTrusted(keyPath string) ([]note.Verifier, error) {
	f, err := os.Open(TrustedKeysPath(keyPath))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read trusted checkpoint keys: %w", err)
	}
	defer f.Close()
	var out []note.Verifier
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		v, err := NewVerifier(t)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", TrustedKeysFile, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read trusted checkpoint keys: %w", err)
	}
	return out, nil
}

// RotateKey replaces the checkpoint signing key at keyPath with a new one
// named name, and keeps the old public key in TrustedKeysFile first, so the
// checkpoints it signed stay trusted. The old private key is removed: it
// signs nothing any more. It returns the old and the new public key.
func RotateKey(keyPath, name string) (oldKey, newKey string, err error) {
	_, oldKey, err = LoadKey(keyPath)
	if err != nil {
		return "", "", err
	}
	f, err := os.OpenFile(TrustedKeysPath(keyPath), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return "", "", fmt.Errorf("keep the old public key: %w", err)
	}
	_, err = f.WriteString(oldKey + "\n")
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		return "", "", fmt.Errorf("keep the old public key: %w", err)
	}
	if err := os.Remove(keyPath); err != nil {
		return "", "", fmt.Errorf("retire the old key: %w", err)
	}
	if _, newKey, err = createKey(keyPath, name); err != nil {
		return "", "", err
	}
	return oldKey, newKey, nil
}
