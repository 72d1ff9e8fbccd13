// Package sqlite stores Signaal's data in one SQLite file: the accounts, the
// signals and the audit log side by side, so an action and its audit entry
// commit together.
//
// Every write goes through the audit package's group-commit writer (DB.Do):
// one goroutine owns the only write connection, batches the units of work of
// concurrent requests into one durable transaction (made durable by an
// fsync of the WAL before any of them is answered), and
// each unit appends its audit entries in the same savepoint as its rows: if
// the audit entry cannot be written, the action is not stored either. Reads
// use a separate pool of query-only connections, which WAL lets run beside
// the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/signaal-nl/signaal/audit"
)

// DB is an open Signaal database.
type DB struct {
	closeOnce       sync.Once
	stopCheckpoints chan struct{}
	checkpointsDone chan struct{}
	checkpointing   sync.Mutex // one checkpoint at a time: SQLite refuses a second at once
	closeErr        error
	path            string
	write           *sql.DB // owned by the writer after Open
	read            *sql.DB
	writer          *audit.Writer
	now             func() time.Time
	logger          *slog.Logger
	sessions        sessionCache
}

// Options configure Open. The zero value is usable.
type Options struct {
	Now       func() time.Time // default time.Now
	Logger    *slog.Logger     // default discards
	ReadConns int              // read pool size; default 4
	Writer    audit.WriterOptions
}

// writeParams commit to the WAL without waiting for the disk
// (synchronous=NORMAL): the writer makes each batch durable itself with an
// fsync of the WAL (audit.SyncWAL) on a goroutine of its own, overlapping
// the next batch's work, and answers no caller before that fsync, so a power
// cut still never loses a signal the reporter saw acknowledged (see
// audit.WriterOptions.Sync). They also take the write lock at BEGIN
// (no lock upgrades that fail under load), and enforce foreign keys.
// secure_delete overwrites deleted content with zeros: the service's own
// deletions (revoked tokens, erased accounts, signal rows) should not linger
// in free pages. It costs little here because the workload mostly appends.
// stmtCache (both handles) keeps each connection's recently used statements
// prepared: every submission runs the same few statements, and parsing them
// again was about 5% of its CPU.
const writeParams = "_synchronous=NORMAL&_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate&_secure_delete=true" + stmtCache

// writeDriver is go-sqlite3 with the write connection's settings that have
// no DSN parameter.
const writeDriver = "sqlite3-signaal-write"

func init() {
	sql.Register(writeDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		// What the audit writer needs of its connection (audit.WritePragmas),
		// and wal_autocheckpoint: the checkpointer (see checkpointLoop) copies the
		// WAL into the database on another connection, off the writer's
		// path; SQLite's own checkpoint, run by the commit that crosses the
		// limit while every other request waits, is only the backstop for a
		// checkpointer that cannot keep up (64 MiB of WAL).
		_, err := c.Exec(audit.WritePragmas+"; PRAGMA wal_autocheckpoint = 16384", nil)
		return err
	}})
}

// readParams: query_only makes a stray write on the read pool an error
// instead of a second writer contending for the lock.
const readParams = "_busy_timeout=10000&_foreign_keys=on&_query_only=true" + stmtCache

// stmtCache is go-sqlite3's per-connection cache of prepared statements
// (v1.14.53+), keyed by the query text; sqlite3_prepare_v2 statements are
// re-prepared by SQLite itself after a schema change.
const stmtCache = "&_stmt_cache_size=64"

// Open opens (creating it and its directory if needed) the database at path,
// applies the audit log's and the service's migrations, and starts the
// writer. Close it to stop the writer and release the file.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("database path is empty")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = 4
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	// The file holds personal data (encrypted or not): owner only. SQLite
	// gives its -wal and -shm files the same permissions.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, fmt.Errorf("create database file: %w", err)
	} else {
		f.Close()
	}
	write, err := sql.Open(writeDriver, dsn(path, writeParams))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := audit.Migrate(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("migrate audit log: %w", err)
	}
	if err := migrate(ctx, write, migrationFiles, opts.Now); err != nil {
		write.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	read, err := sql.Open("sqlite3", dsn(path, readParams))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open read pool: %w", err)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("open read pool: %w", err)
	}
	wopts := opts.Writer
	wopts.Sync = audit.SyncWAL(path)
	writer, err := audit.NewWriter(write, wopts)
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("start audit writer: %w", err)
	}
	db := &DB{path: path, write: write, read: read, writer: writer, now: opts.Now, logger: opts.Logger,
		stopCheckpoints: make(chan struct{}), checkpointsDone: make(chan struct{})}
	go db.checkpointLoop(checkpointEvery)
	return db, nil
}

// Close stops the writer (after the units already handed to it are
// committed) and closes the database handles.
// Closing twice is harmless (the second returns the first's result).
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.stopCheckpoints)
		<-db.checkpointsDone
		err := db.writer.Close()
		if e := db.read.Close(); err == nil {
			err = e
		}
		if e := db.write.Close(); err == nil {
			err = e
		}
		db.closeErr = err
	})
	return db.closeErr
}

// checkpointEvery is how often the checkpointer looks for new commits.
const checkpointEvery = 250 * time.Millisecond

// checkpointLoop copies committed WAL frames into the database file on a
// read connection while the writer goes on (a PASSIVE checkpoint waits for
// no one), so the commit that a request waits for pays only its own WAL
// write and fsync. SQLite then starts the WAL over from its beginning at the
// next write once everything in it was copied. A failure is only logged: the
// data is safe in the WAL, and the write connection's own autocheckpoint is
// the backstop.
func (db *DB) checkpointLoop(every time.Duration) {
	defer close(db.checkpointsDone)
	t := time.NewTicker(every)
	defer t.Stop()
	var seen int64
	for {
		select {
		case <-db.stopCheckpoints:
			return
		case <-t.C:
		}
		batches := db.writer.Stats().Batches
		if batches == seen {
			continue
		}
		seen = batches
		if err := db.checkpointPassive(); err != nil {
			db.logger.Warn("database checkpoint failed", "err", err)
		}
	}
}

// checkpointPassive runs one PASSIVE checkpoint.
func (db *DB) checkpointPassive() error {
	db.checkpointing.Lock()
	defer db.checkpointing.Unlock()
	var busy, logged, copied int
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return db.read.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied)
}

// Do runs fn as one unit of work on the writer: fn's writes and the audit
// entries it appends are committed together, durably, or not at all. fn runs
// on the writer's goroutine, shared by every request: do slow work (policy
// evaluation, encryption, password hashing) before calling Do.
func (db *DB) Do(ctx context.Context, fn func(ctx context.Context, tx *audit.Tx) error) error {
	return db.writer.Do(ctx, fn)
}

// Append records audit entries that come with no other write (a refused
// login, a denied access), in one unit.
func (db *DB) Append(ctx context.Context, entries ...audit.Entry) error {
	return db.Do(ctx, func(ctx context.Context, tx *audit.Tx) error {
		return appendAll(ctx, tx, entries)
	})
}

// Writer is the group-commit writer, e.g. for its metrics.
func (db *DB) Writer() *audit.Writer { return db.writer }

// Read is the pool of query-only connections. Use it for every read; a
// write through it fails.
func (db *DB) Read() *sql.DB { return db.read }

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Ping checks that the database answers a query on the read pool.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY conflict.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// dsn escapes the path so "?" or "#" in a file name are not read as the
// start of the parameters.
func dsn(path, params string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + params
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// CheckWriter checks that the writer still commits: it runs an empty unit.
// For readiness probes.
func (db *DB) CheckWriter(ctx context.Context) error {
	if err := db.Do(ctx, func(context.Context, *audit.Tx) error { return nil }); err != nil {
		return fmt.Errorf("audit writer: %w", err)
	}
	return nil
}

// queryIDs runs a query on db that selects one text column and returns its
// values in order; the rows are closed when it returns, so the caller may
// query again on the same pool.
func queryIDs(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
