// Package sqlite stores Signaal's data in one SQLite file: the accounts, the
// signals and the audit log side by side, so an action and its audit entry
// commit together.
//
// It is also the database's write engine, the one place that knows how
// SQLite is driven: the write connections' driver and settings
// (openWriteHandle, OpenWrite, Open), the read pool, the group-commit writer
// (writer.go), the fsync of the WAL that makes each batch durable
// (SyncWAL), and the checkpoints that copy the WAL into the database file.
// Every write goes through the writer (DB.Do): one goroutine owns the only
// write connection, batches the units of work of concurrent requests into
// one durable transaction (made durable by an fsync of the WAL before any
// of them is answered), and each unit appends its audit entries (through
// the audit package's Chain, in the same transaction) in the same
// savepoint as its rows: if the audit entry cannot be written, the action
// is not stored either. Reads use a separate pool of query-only
// connections, which WAL lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
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
	// erasedUnscrubbed: content was erased since the WAL was last
	// truncated (Privacy.EraseYouth, Privacy.Scrub).
	erasedUnscrubbed atomic.Bool
	closeErr         error
	path             string
	write            *sql.DB // owned by the writer after Open
	read             *sql.DB
	writer           *Writer
	now              func() time.Time
	logger           *slog.Logger
	sessions         sessionCache
	lock             *Lock
	// forget is told the young people whose keys an erasure retired, once
	// it committed (the key store's cache; see YouthKeys.OnErased).
	forget atomic.Pointer[func(youths ...string)]
	// nowait is a connection that never waits for a lock (busy timeout 0),
	// for truncating the WAL after an erasure (truncateWALSoon).
	nowait          *sql.DB
	truncatePending atomic.Bool
	// The background checkpoints so far (CheckpointStats).
	checkpoints, checkpointNanos atomic.Int64
}

// CheckpointStats counts the background checkpoints that copied the WAL
// into the database file, and the time they took, for benchmarks: an
// erasure's pages all over the file make them longer.
type CheckpointStats struct {
	Checkpoints int64
	Time        time.Duration
}

// CheckpointStats returns the background checkpoints' counters so far.
func (db *DB) CheckpointStats() CheckpointStats {
	return CheckpointStats{Checkpoints: db.checkpoints.Load(), Time: time.Duration(db.checkpointNanos.Load())}
}

// keysErased tells the key store's cache that youths' keys were retired.
func (db *DB) keysErased(youths ...string) {
	if f := db.forget.Load(); f != nil && len(youths) > 0 {
		(*f)(youths...)
	}
}

// Options configure Open. The zero value is usable.
type Options struct {
	Now       func() time.Time // default time.Now
	Logger    *slog.Logger     // default discards
	ReadConns int              // read pool size; default 4
	Writer    WriterOptions
	// Purpose names the owner in the database's lock (see Lock), e.g.
	// "serve"; default "command".
	Purpose string
}

// writeParams commit to the WAL without waiting for the disk
// (synchronous=NORMAL): the writer makes each batch durable itself with an
// fsync of the WAL (SyncWAL) on a goroutine of its own, overlapping
// the next batch's work, and answers no caller before that fsync, so a power
// cut still never loses a signal the reporter saw acknowledged (see
// WriterOptions.Sync). They also take the write lock at BEGIN
// (no lock upgrades that fail under load), and enforce foreign keys.
// secure_delete overwrites deleted content with zeros: the service's own
// deletions (revoked tokens, erased accounts, signal rows) should not linger
// in free pages. It costs little here because the workload mostly appends.
// stmtCache (both handles) keeps each connection's recently used statements
// prepared: every submission runs the same few statements, and parsing them
// again was about 5% of its CPU.
const writeParams = "_synchronous=NORMAL&_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate&_secure_delete=true" + stmtCache

// writePragmas are what every write connection needs beyond its DSN (which
// has no parameter for them): temp_store=MEMORY keeps the savepoint journal
// of each unit of work in memory (on a temporary file it spilled after
// 64 KiB, and a batch paid a write system call per page its units touched).
const writePragmas = "PRAGMA temp_store = MEMORY"

// checkpointerPragmas are what Open's write connection needs besides, with
// the checkpointer running: wal_autocheckpoint, since the checkpointer (see
// checkpointLoop) copies the WAL into the database on another connection,
// off the writer's path; SQLite's own checkpoint, run by the commit that
// crosses the limit while every other request waits, is only the backstop
// for a checkpointer that cannot keep up (64 MiB of WAL). A handle without
// the checkpointer (OpenWrite) keeps SQLite's default: a WAL that only
// grows made each synchronous=FULL commit slower (BenchmarkAppendOneCaller
// fell from 0.79 to 0.67 of the baseline).
const checkpointerPragmas = writePragmas + "; PRAGMA wal_autocheckpoint = 16384"

// openWriteHandle opens the single-connection write handle for dsn, running
// pragmas on each new connection. This is where the write engine's driver
// is made: go-sqlite3 with a connect hook, handed to database/sql as a
// connector rather than registered under a global name, so each handle
// gets exactly its own settings and no other package can open a write
// connection by name. (Read handles use go-sqlite3's own "sqlite3".)
func openWriteHandle(dsn, pragmas string) *sql.DB {
	db := sql.OpenDB(writeConnector{dsn: dsn, driver: &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec(pragmas, nil)
			return err
		},
	}})
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db
}

// writeConnector opens connections of driver to dsn, as database/sql does
// for a registered driver.
type writeConnector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
}

func (c writeConnector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c writeConnector) Driver() driver.Driver                        { return c.driver }

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
	if opts.Purpose == "" {
		opts.Purpose = "command"
	}
	// One process owns the database (see Lock), for as long as it is open.
	lock, err := AcquireLock(path, opts.Purpose)
	if err != nil {
		return nil, err
	}
	db, err := open(ctx, path, opts)
	if err != nil {
		lock.Release()
		return nil, err
	}
	db.lock = lock
	return db, nil
}

func open(ctx context.Context, path string, opts Options) (*DB, error) {
	// The file holds personal data (encrypted or not): owner only. SQLite
	// gives its -wal and -shm files the same permissions.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, fmt.Errorf("create database file: %w", err)
	} else {
		f.Close()
	}
	write := openWriteHandle(dsn(path, writeParams), checkpointerPragmas)
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
	wopts.Sync = SyncWAL(path)
	writer, err := NewWriter(write, wopts)
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("start audit writer: %w", err)
	}
	nowait, err := sql.Open("sqlite3", dsn(path, "_busy_timeout=0"))
	if err != nil {
		writer.Close()
		read.Close()
		write.Close()
		return nil, fmt.Errorf("open checkpoint connection: %w", err)
	}
	nowait.SetMaxOpenConns(1)
	db := &DB{path: path, write: write, read: read, writer: writer, now: opts.Now, logger: opts.Logger,
		stopCheckpoints: make(chan struct{}), checkpointsDone: make(chan struct{}), nowait: nowait}
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
		if e := db.nowait.Close(); err == nil {
			err = e
		}
		if e := db.write.Close(); err == nil {
			err = e
		}
		if e := db.lock.Release(); err == nil {
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
		if batches == seen && !db.truncatePending.Load() {
			continue
		}
		seen = batches
		if err := db.checkpointPassive(); err != nil {
			db.logger.Warn("database checkpoint failed", "err", err)
		}
		if db.truncatePending.Load() {
			db.tryTruncateWAL()
		}
	}
}

// truncateWALSoon drops the WAL's old page images after an erasure, so the
// erased bytes do not stay in the -wal file: it tries a TRUNCATE checkpoint
// at once, and the checkpointer tries again at each tick until one
// succeeds. The checkpoint runs on a connection that never waits: while a
// reader still uses the WAL (a long query, Litestream's own read
// transaction) it gives up at once instead of holding the write lock and
// stalling every writer until the reader is done, as a TRUNCATE checkpoint
// with a busy timeout does.
func (db *DB) truncateWALSoon() {
	db.truncatePending.Store(true)
	db.tryTruncateWAL()
}

// tryTruncateWAL runs one TRUNCATE checkpoint that waits for no one.
func (db *DB) tryTruncateWAL() {
	if !db.checkpointing.TryLock() {
		return // the checkpointer is at work; it tries again at its next tick
	}
	defer db.checkpointing.Unlock()
	var busy, logged, copied int
	// First copy the WAL into the file without the write lock (PASSIVE):
	// a TRUNCATE checkpoint holds the write lock while it copies and
	// syncs, so what it has left to copy is what it stalls writers for.
	if err := db.nowait.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied); err != nil || logged != copied {
		return // a reader is still on older frames; try again at the next tick
	}
	err := db.nowait.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &copied)
	if err == nil && busy == 0 {
		db.truncatePending.Store(false)
	}
}

// checkpointPassive runs one PASSIVE checkpoint.
func (db *DB) checkpointPassive() error {
	db.checkpointing.Lock()
	defer db.checkpointing.Unlock()
	start := time.Now()
	defer func() {
		db.checkpoints.Add(1)
		db.checkpointNanos.Add(int64(time.Since(start)))
	}()
	var busy, logged, copied int
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return db.read.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied)
}

// Do runs fn as one unit of work on the writer: fn's writes and the audit
// entries it appends are committed together, durably, or not at all. fn runs
// on the writer's goroutine, shared by every request: do slow work (policy
// evaluation, encryption, password hashing) before calling Do.
func (db *DB) Do(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return db.writer.Do(ctx, fn)
}

// Append records audit entries that come with no other write (a refused
// login, a denied access), in one unit.
func (db *DB) Append(ctx context.Context, entries ...audit.Entry) error {
	return db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		return appendAll(ctx, tx, entries)
	})
}

// Writer is the group-commit writer, e.g. for its metrics.
func (db *DB) Writer() *Writer { return db.writer }

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

// OpenWrite opens the database file at path as a write handle for a Writer
// whose every COMMIT waits for the disk (no WriterOptions.Sync): WAL,
// synchronous=FULL (go-sqlite3 would otherwise use NORMAL, which can lose
// the last commits on power loss), a busy timeout, foreign keys, BEGIN
// IMMEDIATE, writePragmas, and a single connection. The file is created if
// missing. `signald audit checkpoint` uses it on a database the service may
// have open; Open is the service's own, faster handle.
func OpenWrite(path string) (*sql.DB, error) {
	db := openWriteHandle(WriteDSN(path), writePragmas)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s for writing: %w", path, err)
	}
	return db, nil
}

// WriteDSN is the go-sqlite3 data source name of OpenWrite's handle for path.
func WriteDSN(path string) string {
	return dsn(path, "_synchronous=FULL&_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate")
}

// OpenRead opens the database file at path read-only, e.g. for the audit
// log's Verify, Export and Entries from the command line. It fails if the
// file does not exist.
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
	return dsn(path, "mode=ro&_busy_timeout=10000&_foreign_keys=on")
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
	if err := db.Do(ctx, func(context.Context, *Tx) error { return nil }); err != nil {
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
