package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkPrivateFiles refuses to start when the database (with its WAL and
// shared-memory files) or the keys directory or a file in it can be read
// by the group or by others: whoever can read both can read everything
// Signaal keeps. It names the first such file or directory and the command
// that fixes it. Files that do not exist yet are fine: signald creates
// them owner-only. Public keys (*.pub) may be read by anyone.
//
// serve calls it before it opens anything.
func checkPrivateFiles(db, keysDir string) error {
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		if err := checkPrivate(f, false); err != nil {
			return err
		}
	}
	if err := checkPrivate(keysDir, true); err != nil {
		return err
	}
	return filepath.WalkDir(keysDir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("check the keys directory: %w", err)
		}
		if p == keysDir || (!d.IsDir() && filepath.Ext(p) == ".pub") {
			return nil // a public key is public
		}
		return checkPrivate(p, d.IsDir())
	})
}

func checkPrivate(p string, dir bool) error {
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", p, err)
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	what, mode := "file", "600"
	if dir || fi.IsDir() {
		what, mode = "directory", "700"
	}
	return fmt.Errorf("%s %s can be read by its group or by others (mode %04o): whoever reads the database and the keys reads everything; run: chmod %s %s",
		what, p, fi.Mode().Perm(), mode, p)
}
