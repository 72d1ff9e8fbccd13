package audit

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"

	"github.com/mattn/go-sqlite3"
)

// WritePragmas are what a Writer's connection needs beyond its DSN (which
// has no parameter for them): temp_store=MEMORY keeps the savepoint journal
// of each unit of work in memory (on a temporary file it spilled after
// 64 KiB, and a batch paid a write system call per page its units touched).
// Run them on every new write connection, as OpenWrite's driver does.
const WritePragmas = "PRAGMA temp_store = MEMORY"

// writeDriver is go-sqlite3 running WritePragmas on each connection.
const writeDriver = "sqlite3-audit-write"

func init() {
	sql.Register(writeDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(WritePragmas, nil)
		return err
	}})
}

// OpenWrite opens the database file at path as the write handle a Writer
// needs: WAL, synchronous=FULL (go-sqlite3 would otherwise use NORMAL, which
// can lose the last commits on power loss), a busy timeout, foreign keys,
// BEGIN IMMEDIATE, savepoint journals in memory, and a single connection.
// The file is created if missing.
func OpenWrite(path string) (*sql.DB, error) {
	db, err := sql.Open(writeDriver, WriteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open %s for writing: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s for writing: %w", path, err)
	}
	return db, nil
}

// SyncWAL returns a WriterOptions.Sync for the database file at path: an
// fsync of its WAL file, as SQLite's own commit with synchronous=FULL does
// (SQLite calls fsync, not fdatasync, unless built otherwise). The file is
// opened for each Sync, so it is always the WAL SQLite is using, never one
// it deleted; a missing WAL is an error, since the writer's connection keeps
// it.
func SyncWAL(path string) func() error {
	wal := path + "-wal"
	return func() error {
		f, err := os.OpenFile(wal, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("sync the WAL: %w", err)
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("sync the WAL %s: %w", wal, err)
		}
		return nil
	}
}

// WriteDSN is the go-sqlite3 data source name of the write handle for path.
func WriteDSN(path string) string {
	return "file:" + escapePath(path) + "?_synchronous=FULL&_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate"
}

// OpenRead opens the database file at path read-only, for Verify, Export,
// Entries and the service's queries. It fails if the file does not exist.
func OpenRead(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", ReadDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	return db, nil
}

// ReadDSN is the go-sqlite3 data source name of a read-only handle for path.
func ReadDSN(path string) string {
	return "file:" + escapePath(path) + "?mode=ro&_busy_timeout=10000&_foreign_keys=on"
}

// escapePath keeps "?" and "#" in a file name from being read as the start
// of the DSN's parameters.
func escapePath(path string) string {
	return (&url.URL{Path: path}).EscapedPath()
}
