package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// BackupTo writes a consistent copy of the database at path to dest (a new
// file) with VACUUM INTO: one read transaction, so the copy is the database
// as of one commit, signals, data keys and audit log alike. It takes no
// write lock and needs no owner lock: it runs beside serve, whose writes go
// on meanwhile. dest is synced before BackupTo returns.
func BackupTo(ctx context.Context, path, dest string) error {
	if _, err := os.Stat(dest); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %s exists already", dest)
	}
	// Not mode=ro: SQLite needs the -shm file of a WAL database, and a
	// read-only open of a WAL file whose -shm is missing fails. Nothing is
	// written: VACUUM INTO only reads the source.
	db, err := sql.Open("sqlite3", dsn(path, "_busy_timeout=10000"))
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("backup: copy %s: %w", path, err)
	}
	if err := os.Chmod(dest, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f, err := os.Open(dest)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: sync %s: %w", dest, err)
	}
	return nil
}

// MasterCheckOf returns the master key check value stored in the database
// file at path (read-only); "" if none is stored.
func MasterCheckOf(ctx context.Context, path string) (string, error) {
	db, err := OpenRead(path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	err = db.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM key_meta WHERE name = 'master_check'), '')
		WHERE EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'key_meta')`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the master key check of %s: %w", path, err)
	}
	return v, nil
}
