package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"golang.org/x/mod/sumdb/note"
)

// ErrClosed is returned by [Writer.Do] after [Writer.Close].
var ErrClosed = errors.New("audit writer closed")

// WriterOptions configure a Writer. The zero value is usable.
type WriterOptions struct {
	// MaxBatch caps the units of work committed together; 0 means 256.
	MaxBatch int
	// Now is the clock for audit entries without a time and for
	// checkpoints; nil means time.Now.
	Now func() time.Time
	// Logger receives the writer's own faults (a failed commit, a failed
	// step of the audit log's bulk index); nil discards them.
	Logger *slog.Logger
	// Sync, when set, makes durable everything the handle has committed
	// so far (SyncWAL: fsync of the WAL file). Set it for a handle whose
	// COMMIT does not wait for the disk (synchronous=NORMAL in WAL mode).
	// The writer then answers a batch's callers only once a Sync begun
	// after the batch's COMMIT has returned, and while that Sync runs it
	// already runs the next units, in a transaction it commits when the
	// Sync is done: the disk's wait and the units' work overlap, and
	// every fsync still covers one whole batch. If a Sync fails the writer
	// stops: those callers and every later one get the error, because
	// after a failed fsync nobody can say what the disk holds.
	//
	// A batch is visible to readers from its COMMIT, up to one fsync
	// before it is durable. Whoever wrote it is answered only after the
	// fsync, and an answer that shows what others wrote is held up by its
	// own audit entry, which comes later in the same WAL, so it is durable
	// only once what it shows is.
	Sync func() error
}

// Writer is the one write path of the database: a goroutine that owns the
// write connection and commits the units of work handed to Do in batches
// (group commit). The service's own tables and the audit log are written
// through it, so an action and its audit entries always share one
// transaction: each batch's transaction is handed to the audit log's
// [audit.Chain], whose Appender the units append through ([Tx.Append]).
//
// Durability comes either from the handle's DSN, each COMMIT waiting for the
// disk: open it with
// _synchronous=FULL&_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate
// and SetMaxOpenConns(1), and run writePragmas on its connection (OpenWrite
// does all of this); or, faster under load, from WriterOptions.Sync with the
// same DSN but _synchronous=NORMAL, as Open does. Nobody else may
// write with that handle.
type Writer struct {
	db       *sql.DB
	chain    *audit.Chain // the audit log's appends, index step and checkpoints
	log      *slog.Logger
	maxBatch int

	queue      chan *unit    // the units waiting for a batch
	mu         sync.RWMutex  // held for reading while sending to queue, for writing to close
	closed     bool          // set under mu by Close
	stopping   chan struct{} // closed by Close once no sender can add to queue
	stopped    chan struct{} // closed when the loop has drained queue and exited
	batches    atomic.Int64
	units      atomic.Int64
	busy       atomic.Int64 // nanoseconds spent running batches
	committing atomic.Int64 // nanoseconds of busy spent in COMMIT (WAL write and, without Sync, fsync)
	// With Sync (see WriterOptions.Sync):
	sync      func() error
	toSync    chan []*unit          // committed batches for the sync goroutine
	inSync    atomic.Int64          // batches committed and not yet answered
	syncDone  chan struct{}         // a token (capacity 1) after each Sync
	synced    chan struct{}         // closed when the sync goroutine has exited
	broken    atomic.Pointer[error] // the failed Sync that stopped the writer
	syncs     atomic.Int64
	syncNanos atomic.Int64
	unitSQL   [3]*sql.Stmt // SAVEPOINT, ROLLBACK TO, RELEASE of a unit
}

// unit is one call of Do waiting for its batch.
type unit struct {
	ctx  context.Context
	fn   func(context.Context, *Tx) error
	done chan error
	err  error // the unit's own outcome before the commit
}

// NewWriter starts the writer on db, the write handle described on Writer.
// The audit tables must have been migrated ([audit.Migrate]).
func NewWriter(db *sql.DB, opts WriterOptions) (*Writer, error) {
	ctx := context.Background()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// The chain prepares its statements now too (see below).
	chain, err := audit.NewChain(ctx, db, audit.ChainOptions{Now: opts.Now, Logger: opts.Logger})
	if err != nil {
		return nil, fmt.Errorf("start audit writer: %w", err)
	}
	w := &Writer{
		db:       db,
		chain:    chain,
		log:      opts.Logger,
		maxBatch: opts.MaxBatch,
		queue:    make(chan *unit, max(opts.MaxBatch, 256)),
		stopping: make(chan struct{}),
		stopped:  make(chan struct{}),
		sync:     opts.Sync,
		synced:   make(chan struct{}),
	}
	if w.maxBatch <= 0 {
		w.maxBatch = 256
	}
	// Statements are prepared now, while no transaction holds the single
	// connection: preparing on the pool during a transaction would deadlock.
	// (Preparing also saves parsing them again for every unit.)
	stmts := []struct {
		dst   **sql.Stmt
		query string
	}{
		{&w.unitSQL[begin], "SAVEPOINT unit"},
		{&w.unitSQL[undo], "ROLLBACK TO unit"},
		{&w.unitSQL[end], "RELEASE unit"},
	}
	for _, st := range stmts {
		stmt, err := db.PrepareContext(ctx, st.query)
		if err != nil {
			w.closeStmts()
			return nil, fmt.Errorf("start audit writer: %w", err)
		}
		*st.dst = stmt
	}
	if w.sync != nil {
		w.toSync = make(chan []*unit, 64)
		w.syncDone = make(chan struct{}, 1)
		go w.syncLoop()
	} else {
		close(w.synced)
	}
	go w.loop()
	return w, nil
}

// Do runs fn as one unit of work: inside its own savepoint of a batched
// transaction on the writer's goroutine. It returns nil once the batch is
// durably committed; fn's error if fn failed (its changes, audit entries
// included, are rolled back, and the other units of the batch go on); or the
// commit's error, in which case nothing of fn's is stored.
//
// fn runs on the writer's goroutine while other callers wait, so it must be
// short: evaluate policies, hash passwords and encrypt BEFORE calling Do.
// fn must not keep tx or use it after returning, and must not call Do or
// Close (it would wait for itself). A panic in fn is recovered and returned
// as fn's error.
//
// A unit whose ctx is done before it runs is not run. Once handed to the
// writer, Do waits for the batch's outcome even if ctx is cancelled
// meanwhile, so it never reports a failure for work that was in fact stored.
//
// Rows of the service's tables should use immediate (the default) foreign
// keys: a DEFERRABLE INITIALLY DEFERRED violation is only found at COMMIT
// and fails the whole batch, not just the unit that caused it.
func (w *Writer) Do(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.broken.Load(); err != nil {
		return *err
	}
	u := &unit{ctx: ctx, fn: fn, done: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.queue <- u:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	return <-u.done
}

// Close stops accepting units, runs the ones already handed over, and
// stops the writer. It does not close the database handle.
func (w *Writer) Close() error {
	// Taking the lock waits for senders in Do to finish handing over their
	// unit (the loop keeps taking them meanwhile); after it, none can add one.
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.stopping)
	}
	w.mu.Unlock()
	<-w.stopped
	return w.closeStmts()
}

// The unit statements, by index in unitSQL.
const (
	begin = iota
	undo
	end
)

func (w *Writer) closeStmts() error {
	var errs []error
	for _, st := range w.unitSQL {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	errs = append(errs, w.chain.Close())
	return errors.Join(errs...)
}

// loop is the writer goroutine: it collects whoever is waiting into a
// batch and commits it, until Close.
func (w *Writer) loop() {
	defer close(w.stopped)
	defer func() {
		if w.sync != nil {
			close(w.toSync)
			<-w.synced // every batch answered
		}
	}()
	for {
		// A new slice each time: with Sync, the sync goroutine still holds
		// the last one.
		var batch []*unit
		select {
		case u := <-w.queue:
			batch = append(batch, u)
		case <-w.stopping:
			// No unit can be added any more; run those still queued.
			for {
				batch = w.collect(nil)
				if len(batch) == 0 {
					return
				}
				w.commit(batch)
			}
		}
		w.commit(w.collect(batch))
	}
}

// collect adds the units waiting right now, up to the cap.
func (w *Writer) collect(batch []*unit) []*unit {
	for len(batch) < w.maxBatch {
		select {
		case u := <-w.queue:
			batch = append(batch, u)
		default:
			return batch
		}
	}
	return batch
}

// Stats counts what a writer committed, for metrics.
type Stats struct {
	Batches int64 // transactions committed or attempted
	Units   int64 // units of work handed to those transactions
	// Busy is the time spent running batches, Committing the part of it
	// spent in COMMIT (writing the WAL, and without Sync waiting for
	// fsync). With Sync, Busy includes holding a batch open while the
	// previous one's Sync runs. Busy close to the wall time means the
	// writer is what limits throughput.
	Busy, Committing time.Duration
	// With Sync: the Syncs done and the time they took, which overlaps
	// with Busy.
	Syncs   int64
	Syncing time.Duration
}

// Stats returns the writer's counters so far.
func (w *Writer) Stats() Stats {
	return Stats{Batches: w.batches.Load(), Units: w.units.Load(),
		Busy: time.Duration(w.busy.Load()), Committing: time.Duration(w.committing.Load()),
		Syncs: w.syncs.Load(), Syncing: time.Duration(w.syncNanos.Load())}
}

// commit runs a batch in one transaction and answers every caller, or,
// with Sync, hands the committed batch to the sync goroutine to answer.
func (w *Writer) commit(batch []*unit) {
	if err := w.broken.Load(); err != nil {
		w.answer(batch, *err)
		return
	}
	w.batches.Add(1)
	start := time.Now()
	batch, committed, err := w.runBatch(batch)
	w.busy.Add(int64(time.Since(start)))
	w.units.Add(int64(len(batch)))
	if err != nil {
		w.log.Error("audit writer: batch not committed", "units", len(batch), "err", err)
	}
	if !committed || w.sync == nil {
		w.answer(batch, err)
		return
	}
	w.inSync.Add(1)
	w.toSync <- batch
}

// syncLoop is the sync goroutine (with Sync): it makes the batches
// committed so far durable with one Sync, answers their callers, and tells
// the writer, which may be holding its next transaction open for this.
func (w *Writer) syncLoop() {
	defer close(w.synced)
	for batch := range w.toSync {
		batches := [][]*unit{batch}
		for more := true; more; {
			select {
			case b, ok := <-w.toSync:
				if !ok {
					more = false
					break
				}
				batches = append(batches, b)
			default:
				more = false
			}
		}
		var err error
		if broken := w.broken.Load(); broken != nil {
			err = *broken
		} else {
			start := time.Now()
			if serr := w.sync(); serr != nil {
				err = fmt.Errorf("make audit batch durable: %w", serr)
				w.broken.Store(&err)
				w.log.Error("audit writer: stopped, a sync failed", "err", err)
			}
			w.syncs.Add(1)
			w.syncNanos.Add(int64(time.Since(start)))
		}
		for _, b := range batches {
			w.answer(b, err)
		}
		w.inSync.Add(-int64(len(batches)))
		select {
		case w.syncDone <- struct{}{}:
		default: // a token is waiting already
		}
	}
}

// answer tells each caller of batch its outcome: its own error, or err
// (the batch's), or nil.
func (w *Writer) answer(batch []*unit, err error) {
	for _, u := range batch {
		switch {
		case u.err != nil:
			u.done <- u.err
		case err != nil:
			u.done <- err
		default:
			u.done <- nil
		}
	}
}

// runBatch runs batch's units in one transaction and commits it. With
// Sync, while an earlier batch is still being made durable, it goes on
// taking units into this transaction (up to the cap) rather than commit a
// small one. It returns the batch as it grew, whether it committed, and the
// error that sank the whole batch, if any; each unit's own failure is in
// its err.
func (w *Writer) runBatch(batch []*unit) (_ []*unit, committed bool, err error) {
	// The transaction's context is not any caller's: a caller giving up must
	// not roll back the others' work.
	ctx := context.Background()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return batch, false, fmt.Errorf("begin audit batch: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	b := &txBatch{tx: tx, log: w.chain.Begin(tx)}
	for i, st := range w.unitSQL {
		b.unitSQL[i] = tx.StmtContext(ctx, st)
	}
	ran := 0
	run := func(u *unit) error {
		if err := u.ctx.Err(); err != nil {
			u.err = err
			return nil
		}
		if _, err := b.unitSQL[begin].ExecContext(ctx); err != nil {
			return fmt.Errorf("begin unit of work: %w", err)
		}
		before := b.log.Mark()
		u.err = w.runUnit(u, b)
		if u.err != nil {
			if _, err := b.unitSQL[undo].ExecContext(ctx); err != nil {
				return fmt.Errorf("roll back unit of work: %w", err)
			}
			b.log.Rewind(before) // the unit's entries are gone with it
		} else {
			ran++
		}
		if _, err := b.unitSQL[end].ExecContext(ctx); err != nil {
			return fmt.Errorf("end unit of work: %w", err)
		}
		return nil
	}
	for _, u := range batch {
		if err := run(u); err != nil {
			return batch, false, err
		}
	}
	for w.sync != nil && w.inSync.Load() > 0 && len(batch) < w.maxBatch {
		select {
		case u := <-w.queue:
			batch = append(batch, u)
			if err := run(u); err != nil {
				return batch, false, err
			}
		case <-w.syncDone: // look at inSync again
		}
	}
	if ran == 0 {
		// Nothing to store: roll back rather than pay for a durable commit.
		tx.Rollback()
		return batch, false, nil
	}
	// The audit log's bulk index (audit/index.go), about once a second or
	// after 4096 entries, in a savepoint of its own within this batch.
	if err := b.log.IndexIfDue(ctx); err != nil {
		return batch, false, err
	}
	start := time.Now()
	err = tx.Commit()
	w.committing.Add(int64(time.Since(start)))
	if err != nil {
		return batch, false, fmt.Errorf("commit audit batch: %w", err)
	}
	return batch, true, nil
}

// txBatch is the state of one batch's transaction that its units share.
type txBatch struct {
	tx      *sql.Tx
	unitSQL [3]*sql.Stmt    // the Writer's unit statements, bound to tx
	log     *audit.Appender // the audit log inside tx: it carries the log's end from unit to unit
}

// runUnit calls the unit's function, turning a panic into the unit's error
// so one faulty caller cannot take the writer (and everyone's work) down.
func (w *Writer) runUnit(u *unit, b *txBatch) (err error) {
	tx := &Tx{tx: b.tx, log: b.log}
	defer func() {
		tx.finish()
		if p := recover(); p != nil {
			w.log.Error("audit writer: unit of work panicked", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("unit of work panicked: %v", p)
		}
	}()
	return u.fn(u.ctx, tx)
}

// Tx is the transaction a unit of work runs in. Its methods are those of
// *sql.Tx the service needs, plus the audit log's Append. It is valid only
// until the unit's function returns.
type Tx struct {
	tx   *sql.Tx
	log  *audit.Appender
	done bool
	rows []*sql.Rows
}

// errTxDone is returned when a Tx is used after its unit returned.
var errTxDone = errors.New("audit: Tx used after its unit of work returned")

// finish closes what the unit left open and ends the Tx's validity.
func (t *Tx) finish() {
	for _, r := range t.rows {
		r.Close()
	}
	t.rows = nil
	t.done = true
}

// ExecContext runs a statement in the unit's savepoint.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.done {
		return nil, errTxDone
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the unit's savepoint. Rows left open are
// closed when the unit returns.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if t.done {
		return nil, errTxDone
	}
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err == nil {
		t.rows = append(t.rows, rows)
	}
	return rows, err
}

// QueryRowContext runs a query expected to return at most one row.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, query, args...)
}

// Append adds e at the end of the audit log inside the unit's transaction
// and returns its sequence number (see [audit.Appender.Append]). The entry
// is stored if and only if the unit commits.
func (t *Tx) Append(ctx context.Context, e audit.Entry) (int64, error) {
	return t.AppendAll(ctx, e)
}

// AppendAll appends entries in order, all or none, and returns the
// sequence number of the last (see [audit.Appender.AppendAll]).
func (t *Tx) AppendAll(ctx context.Context, entries ...audit.Entry) (int64, error) {
	if t.done {
		return 0, errTxDone
	}
	return t.log.AppendAll(ctx, entries...)
}

// AppendPrepared appends entries made by audit.Prepare before Do, as
// AppendAll does (see [audit.Appender.AppendPrepared]).
func (t *Tx) AppendPrepared(ctx context.Context, p *audit.Prepared) (int64, error) {
	if t.done {
		return 0, errTxDone
	}
	return t.log.AppendPrepared(ctx, p)
}

// Checkpoint signs the audit log's current size and head with signer and
// stores the signed checkpoint, in one unit of work (see
// [audit.Appender.Checkpoint]), so the checkpoint describes exactly the log
// it is stored with.
func (w *Writer) Checkpoint(ctx context.Context, signer note.Signer) (audit.Checkpoint, []byte, error) {
	var (
		c   audit.Checkpoint
		msg []byte
	)
	err := w.Do(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		c, msg, err = tx.log.Checkpoint(ctx, signer)
		return err
	})
	if err != nil {
		return audit.Checkpoint{}, nil, fmt.Errorf("issue audit checkpoint: %w", err)
	}
	return c, msg, nil
}
