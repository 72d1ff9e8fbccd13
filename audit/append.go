package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Chain appends entries to the log inside transactions that the store's
// write engine runs (signal/sqlite's group-commit writer, or any code
// holding a *sql.Tx of the database): it keeps the statements that read
// the head and insert an entry prepared, the clock for entries without a
// time, and what the bulk index (index.go) still has to take in.
//
// A Chain is used by one goroutine at a time (the engine's writer) and
// belongs to one write handle. It opens no connection, sets no PRAGMA and
// syncs nothing: durability is the engine's.
type Chain struct {
	now func() time.Time
	log *slog.Logger
	// The bulk index (index.go): entries appended since it was last
	// brought up to date (counting those of units rolled back, which only
	// makes it run sooner), when that was last tried, and whether that try
	// failed.
	unindexed   int64
	indexed     time.Time
	indexFailed bool
	head        *sql.Stmt // SELECT of the last entry
	insert      *sql.Stmt // INSERT of one entry
}

// ChainOptions configure a Chain. The zero value is usable.
type ChainOptions struct {
	// Now is the clock for entries without a time; nil means time.Now.
	Now func() time.Time
	// Logger receives the chain's own faults (a failed index step); nil
	// discards them.
	Logger *slog.Logger
}

// NewChain prepares the chain's statements on db, the engine's write
// handle. The audit tables must have been migrated ([Migrate]). Call it
// while no transaction holds db's connection: preparing on a pool of one
// connection during a transaction would deadlock. (Preparing also saves
// parsing them again for every entry.)
func NewChain(ctx context.Context, db *sql.DB, opts ChainOptions) (*Chain, error) {
	if err := checkSchema(ctx, db); err != nil {
		return nil, err
	}
	c := &Chain{now: opts.Now, log: opts.Logger}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	for _, st := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&c.head, "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1"},
		{&c.insert, insertColumns + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
	} {
		stmt, err := db.PrepareContext(ctx, st.query)
		if err != nil {
			c.Close()
			return nil, err
		}
		*st.dst = stmt
	}
	return c, nil
}

// Close releases the prepared statements.
func (c *Chain) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{c.head, c.insert} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// Begin returns the Appender of the chain inside tx. tx must hold the
// database's write lock from its BEGIN (BEGIN IMMEDIATE), so that no other
// writer moves the end of the log while the Appender carries it.
func (c *Chain) Begin(tx *sql.Tx) *Appender {
	return &Appender{c: c, tx: tx}
}

// Appender appends entries to the log inside one transaction (for the
// group-commit writer: one batch, shared by its units of work). It is valid
// until the transaction ends.
type Appender struct {
	c      *Chain
	tx     *sql.Tx
	insert *sql.Stmt // the Chain's insert, bound to tx on first use
	// tail is the last entry as this transaction sees it, read from the
	// database at the transaction's first Append (the transaction holds the
	// write lock from BEGIN IMMEDIATE, so no other process can move it
	// meanwhile) and advanced by each Append: one read per batch instead of
	// one per entry. A unit rolled back puts it back (Mark, Rewind).
	tail Mark
}

// Mark is the end of the log as an Appender sees it. The engine takes one
// before a savepoint and gives it back to Rewind after rolling back to that
// savepoint, since the entries appended since are gone with it.
type Mark struct {
	known bool
	seq   int64
	hash  [32]byte
}

// Mark returns the end of the log as a seen so far.
func (a *Appender) Mark() Mark { return a.tail }

// Rewind puts the end of the log back to m, after the transaction rolled
// back to a savepoint taken at m.
func (a *Appender) Rewind(m Mark) { a.tail = m }

// Append adds e at the end of the log inside the transaction and returns
// its sequence number. The entry is stored if and only if the transaction
// (and the savepoint it runs in) commits. Entries are refused (an
// *EntryError, matching ErrInvalidEntry) when a field holds something
// other than a code or identifier; see Entry.
//
// The chain is computed inside this transaction (the head is read from the
// database at the transaction's first entry, then carried from entry to
// entry), never from a copy kept between transactions, so a unit rolled
// back or a batch that failed to commit cannot leave the chain and the file
// apart.
func (a *Appender) Append(ctx context.Context, e Entry) (int64, error) {
	return a.AppendAll(ctx, e)
}

// AppendAll appends entries in order, as Append does each, and returns the
// sequence number of the last. Either all are appended or, on an error,
// none: every entry is validated before any is written, and they are
// inserted by one statement per up to appendChunk entries (a statement
// costs more than the rows it writes), within a savepoint of their own when
// there are more.
func (a *Appender) AppendAll(ctx context.Context, entries ...Entry) (int64, error) {
	p, err := Prepare(entries...)
	if err != nil {
		return 0, err
	}
	return a.AppendPrepared(ctx, p)
}

// Prepared are audit entries validated and encoded ahead of their
// transaction (see Prepare).
type Prepared struct {
	rows    []row
	timeSet []bool // whether the entry came with its own time
}

// Prepare validates and encodes entries for AppendPrepared, so that this
// work is done by the caller's goroutine before it hands its unit of work
// to the writer, rather than on the writer's, which every request waits
// for. An entry without a time gets the chain's clock when it is appended,
// as with Append, so the times of entries follow their order in the log.
func Prepare(entries ...Entry) (*Prepared, error) {
	if len(entries) == 0 {
		return nil, errors.New("append audit entries: none given")
	}
	p := &Prepared{rows: make([]row, len(entries)), timeSet: make([]bool, len(entries))}
	for i, e := range entries {
		e, err := validate(e)
		if err != nil {
			return nil, err
		}
		p.timeSet[i] = !e.Time.IsZero()
		if p.rows[i], err = toRow(0, e); err != nil {
			return nil, fmt.Errorf("append audit entry: %w", err)
		}
		commitIP(&p.rows[i])
	}
	return p, nil
}

// AppendPrepared appends entries made by Prepare, as AppendAll does. p may
// be appended again (by a retried unit of work), never by two units at
// once.
func (a *Appender) AppendPrepared(ctx context.Context, p *Prepared) (int64, error) {
	if p == nil || len(p.rows) == 0 {
		return 0, errors.New("append audit entries: none given")
	}
	rows := p.rows
	var now []byte
	for i, set := range p.timeSet {
		if !set {
			if now == nil {
				now = []byte(a.c.now().UTC().Format(timeLayout))
			}
			rows[i].cols[0] = now
		}
	}
	if !a.tail.known {
		if err := a.readTail(ctx); err != nil {
			return 0, err
		}
	}
	if len(rows) > appendChunk {
		if _, err := a.tx.ExecContext(ctx, "SAVEPOINT append_all"); err != nil {
			return 0, fmt.Errorf("append audit entries: %w", err)
		}
	}
	seq, err := a.insertRows(ctx, rows)
	if len(rows) > appendChunk {
		if err != nil {
			// Undo the chunks that went in; the unit's own savepoint stays.
			if _, rerr := a.tx.ExecContext(ctx, "ROLLBACK TO append_all"); rerr != nil {
				return 0, errors.Join(err, fmt.Errorf("roll back audit entries: %w", rerr))
			}
		}
		if _, rerr := a.tx.ExecContext(ctx, "RELEASE append_all"); rerr != nil {
			return 0, errors.Join(err, fmt.Errorf("append audit entries: %w", rerr))
		}
	}
	if err != nil {
		// Read the head again for the next entry rather than trust the
		// carried one.
		a.tail.known = false
		return 0, err
	}
	return seq, nil
}

// insertRows inserts rows after the tail, chaining each from the one
// before, and advances the tail. On an error the tail is unchanged.
func (a *Appender) insertRows(ctx context.Context, rows []row) (int64, error) {
	seq, hash := a.tail.seq, a.tail.hash
	args := make([]any, 0, appendColumns*min(len(rows), appendChunk))
	buf := make([]byte, 0, 512)
	for start := 0; start < len(rows); start += appendChunk {
		chunk := rows[start:min(start+appendChunk, len(rows))]
		args = args[:0]
		for i := range chunk {
			r := &chunk[i]
			seq++
			r.seq = seq
			hash = chainHash(&hash, appendEncoding(buf[:0], r))
			args = append(args, r.seq)
			for i, c := range r.cols {
				if i == 7 && c == nil { // no decision
					args = append(args, nil)
					continue
				}
				args = append(args, string(c))
			}
			h := hash // each row its own copy: hash changes with the next row
			args = append(args, h[:])
		}
		var err error
		if len(chunk) == 1 {
			if a.insert == nil {
				a.insert = a.tx.StmtContext(ctx, a.c.insert)
			}
			_, err = a.insert.ExecContext(ctx, args...)
		} else {
			// The driver keeps the statement for each chunk size prepared.
			_, err = a.tx.ExecContext(ctx, insertSQL(len(chunk)), args...)
		}
		if err != nil {
			return 0, fmt.Errorf("append audit entry: %w", err)
		}
		for i := range chunk {
			if r := &chunk[i]; r.ip != "" {
				if _, err := a.tx.ExecContext(ctx, insertOriginSQL, r.seq, r.ip, r.salt, string(r.cols[0])); err != nil {
					return 0, fmt.Errorf("append audit entry: keep the address: %w", err)
				}
			}
		}
	}
	a.tail.seq, a.tail.hash = seq, hash
	a.c.unindexed += int64(len(rows))
	return seq, nil
}

// appendColumns are the columns of an inserted entry, appendChunk the most
// entries one INSERT writes (SQLite allows 32,766 parameters).
const (
	appendColumns = 12
	appendChunk   = 64
)

const insertColumns = `INSERT INTO audit_entries
		(seq, time, actor_user, actor_role, actor_org, action, object, subject, decision, origin_request, origin_ip, hash)
		VALUES `

// OR REPLACE: an address left behind by entries someone cut off the log
// (Verify reports that) must not stop the log from going on.
const insertOriginSQL = `INSERT OR REPLACE INTO audit_origins (seq, ip, salt, time) VALUES (?, ?, ?, ?)`

// insertRowsSQL holds the INSERT statements of 2 to appendChunk entries.
var insertRowsSQL = func() []string {
	out := make([]string, appendChunk+1)
	tuple := "(?" + strings.Repeat(", ?", appendColumns-1) + ")"
	for n := 2; n <= appendChunk; n++ {
		out[n] = insertColumns + tuple + strings.Repeat(", "+tuple, n-1)
	}
	return out
}()

func insertSQL(n int) string { return insertRowsSQL[n] }

// readTail reads the last entry of the log into the tail.
func (a *Appender) readTail(ctx context.Context) error {
	var (
		seq  int64
		head []byte
	)
	switch err := a.tx.StmtContext(ctx, a.c.head).QueryRowContext(ctx).Scan(&seq, &head); {
	case errors.Is(err, sql.ErrNoRows):
		// The first entry chains from the genesis hash: 32 zero bytes.
		a.tail.seq, a.tail.hash = 0, [32]byte{}
	case err != nil:
		return fmt.Errorf("append audit entry: read head: %w", err)
	case len(head) != len(a.tail.hash):
		return fmt.Errorf("append audit entry: head entry %d has a malformed hash", seq)
	default:
		a.tail.seq = seq
		copy(a.tail.hash[:], head)
	}
	a.tail.known = true
	return nil
}

// ForgetIPs deletes the client addresses (and their commitments' salts) of
// the entries made before before, inside the transaction, and returns how
// many it deleted. The entries and their hashes stay as they are: each
// keeps a commitment to its address, which without the salt reveals
// nothing, so the chain verifies as before. Entries older than audit
// migration 5 hold their address inside the hashed columns and keep it.
func (a *Appender) ForgetIPs(ctx context.Context, before time.Time) (int64, error) {
	res, err := a.tx.ExecContext(ctx, "DELETE FROM audit_origins WHERE time < ?", before.UTC().Format(timeLayout))
	if err != nil {
		return 0, fmt.Errorf("forget audit addresses: %w", err)
	}
	return res.RowsAffected()
}
