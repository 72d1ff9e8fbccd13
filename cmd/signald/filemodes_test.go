package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeRefusesReadableDatabaseAndKeys: a database or key that its
// group or others can read stops serve, with a message naming the file
// and the chmod that fixes it.
func TestServeRefusesReadableDatabaseAndKeys(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, db, keys string) string // returns the path the message must name
		fix   string
	}{
		{"world-readable database", func(t *testing.T, db, keys string) string {
			os.WriteFile(db, nil, 0o644)
			return db
		}, "chmod 600"},
		{"group-readable WAL", func(t *testing.T, db, keys string) string {
			os.WriteFile(db+"-wal", nil, 0o640)
			return db + "-wal"
		}, "chmod 600"},
		{"keys directory open to others", func(t *testing.T, db, keys string) string {
			os.Mkdir(keys, 0o755)
			return keys
		}, "chmod 700"},
		{"readable checkpoint key", func(t *testing.T, db, keys string) string {
			os.Mkdir(keys, 0o700)
			os.WriteFile(filepath.Join(keys, "checkpoint-ed25519.key"), []byte("x"), 0o644)
			return filepath.Join(keys, "checkpoint-ed25519.key")
		}, "chmod 600"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			db, keys := filepath.Join(dir, "signaal.db"), filepath.Join(dir, "keys")
			bad := c.setup(t, db, keys)
			var out, errb bytes.Buffer
			// Before the check, serve started; the deadline stops it.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--keys", keys},
				stdio{in: strings.NewReader(""), out: &out, err: &errb})
			if code == 0 || !strings.Contains(errb.String(), bad) || !strings.Contains(errb.String(), c.fix+" "+bad) {
				t.Fatalf("exit %d, stderr %q; want a refusal naming %s and %q", code, errb.String(), bad, c.fix)
			}
		})
	}
}
