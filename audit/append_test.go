package audit_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the tests' own handles; the package itself imports no driver
	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/audit/audittest"
	"github.com/signaal-nl/signaal/signal"
	"golang.org/x/mod/sumdb/note"
)

// openWrite opens path the way a write engine must for a Chain: WAL,
// synchronous=FULL, BEGIN IMMEDIATE, one connection (signal/sqlite's
// OpenWrite, which this package may not import).
func openWrite(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_synchronous=FULL&_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openRead opens path read-only.
func openRead(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000&_foreign_keys=on")
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// testWriter appends through a Chain in one transaction per Do, the way
// the engine (signal/sqlite's Writer) runs each batch, without its group
// commit: the bulk index step before COMMIT, the checkpoint inside a
// transaction.
type testWriter struct {
	db    *sql.DB
	chain *audit.Chain
}

func newTestWriter(db *sql.DB, opts audit.ChainOptions) (*testWriter, error) {
	c, err := audit.NewChain(context.Background(), db, opts)
	if err != nil {
		return nil, err
	}
	return &testWriter{db: db, chain: c}, nil
}

func (w *testWriter) Do(ctx context.Context, fn func(ctx context.Context, tx *audit.Appender) error) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	a := w.chain.Begin(tx)
	if err := fn(ctx, a); err != nil {
		tx.Rollback()
		return err
	}
	if err := a.IndexIfDue(ctx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (w *testWriter) Checkpoint(ctx context.Context, signer note.Signer) (audit.Checkpoint, []byte, error) {
	var (
		c   audit.Checkpoint
		msg []byte
	)
	err := w.Do(ctx, func(ctx context.Context, a *audit.Appender) error {
		var err error
		c, msg, err = a.Checkpoint(ctx, signer)
		return err
	})
	return c, msg, err
}

func (w *testWriter) Close() error { return w.chain.Close() }

// testLog is a migrated database file with a Chain to append through.
type testLog struct {
	path string
	db   *sql.DB // the write handle
	w    *testWriter
}

func newTestLog(t testing.TB, opts audit.ChainOptions) *testLog {
	t.Helper()
	path, db := audittest.MigratedDB(t, openWrite)
	w, err := newTestWriter(db, opts)
	return &testLog{path: path, db: db, w: audittest.Closing(t, w, err)}
}

// chainOK is audittest.ChainOK, which recomputes the chain independently
// of Verify, checked against the rows as stored: it must have read every
// row of audit_entries, not only what a query of Entries selects.
func chainOK(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	n := audittest.ChainOK(t, db)
	if stored := audittest.Count(t, db, "SELECT count(*) FROM audit_entries"); int64(stored) != n {
		t.Fatalf("the chain has %d entries, audit_entries %d rows", n, stored)
	}
	return n
}

func TestMigrateIsIdempotent(t *testing.T) {
	l := newTestLog(t, audit.ChainOptions{})
	for range 2 {
		if err := audit.Migrate(context.Background(), l.db); err != nil {
			t.Fatal(err)
		}
	}
	if got := audittest.Count(t, l.db, "SELECT count(*) FROM audit_migrations"); got != len(audit.Migrations) {
		t.Fatalf("audit_migrations has %d rows, want %d", got, len(audit.Migrations))
	}
}

func TestAppendStoresEntryAsGiven(t *testing.T) {
	clock := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("CET", 3600))
	l := newTestLog(t, audit.ChainOptions{Now: func() time.Time { return clock }})
	e := audittest.Entry(1)
	e.Time = time.Time{} // the writer's clock fills it
	if seq := audittest.AppendOne(t, l.w.Do, e); seq != 1 {
		t.Fatalf("first entry got seq %d, want 1", seq)
	}
	bare := audit.Entry{Actor: signal.Actor{Role: "anonymous", IP: "2001:db8::1"}, Action: signal.ActionLoginFail}
	if seq := audittest.AppendOne(t, l.w.Do, bare); seq != 2 {
		t.Fatalf("second entry got seq %d, want 2", seq)
	}
	if n := chainOK(t, l.db); n != 2 {
		t.Fatalf("log has %d entries, want 2", n)
	}
	var stored, decision string
	if err := l.db.QueryRow("SELECT time, decision FROM audit_entries WHERE seq = 1").Scan(&stored, &decision); err != nil {
		t.Fatal(err)
	}
	if want := "2026-01-02T02:04:05.000000006Z"; stored != want {
		t.Errorf("time stored as %q, want %q (UTC, fixed width)", stored, want)
	}
	if !strings.Contains(decision, `"input":{"purpose":"coordinate_support","youth":{"age":15,"capable":true},"fields":["facts"]}`) {
		t.Errorf("decision stored as %s, want the compacted input inside", decision)
	}
	var isNull bool
	if err := l.db.QueryRow("SELECT decision IS NULL FROM audit_entries WHERE seq = 2").Scan(&isNull); err != nil || !isNull {
		t.Errorf("entry without a decision: decision IS NULL = %v (%v), want true", isNull, err)
	}
}

func TestAppendRefusesFreeTextAndNames(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*audit.Entry)
		field string
	}{
		{"a name as subject", func(e *audit.Entry) { e.Subject = "Jan de Vries" }, "subject"},
		{"a name without spaces as subject", func(e *audit.Entry) { e.Subject = "JanDeVries" }, "subject"},
		{"a birth date as subject", func(e *audit.Entry) { e.Subject = "2011-04-03" }, "subject"},
		{"a subject with an upper-case prefix", func(e *audit.Entry) { e.Subject = "YP:Q2hhbmdlIG1lIHRvIGEgcmVhbCBITUFD" }, "subject"},
		{"a missing action", func(e *audit.Entry) { e.Action = "" }, "action"},
		{"an action with spaces", func(e *audit.Entry) { e.Action = "signal create" }, "action"},
		{"an action in upper case", func(e *audit.Entry) { e.Action = "Signal.Create" }, "action"},
		{"an action with an empty part", func(e *audit.Entry) { e.Action = "signal..create" }, "action"},
		{"a role with spaces", func(e *audit.Entry) { e.Actor.Role = "privacy officer" }, "actor.role"},
		{"a user id that is a full name", func(e *audit.Entry) { e.Actor.UserID = "Anna Bakker" }, "actor.user_id"},
		{"an object with a newline", func(e *audit.Entry) { e.Object = "signal/1\nDELETE" }, "object"},
		{"an origin ip that is not an address", func(e *audit.Entry) { e.Actor.IP = "example.org" }, "origin.ip"},
		{"a decision without an outcome", func(e *audit.Entry) { e.Decision.Outcome = "" }, "decision.outcome"},
		{"a decision without a policy version", func(e *audit.Entry) { e.Decision.PolicyVersion = "" }, "decision.policy_version"},
		{"a reason sentence instead of a code", func(e *audit.Entry) { e.Decision.Reasons = []string{"de ouders zijn niet gevraagd"} }, "decision.reasons[0]"},
		{"an input that is not JSON", func(e *audit.Entry) { e.Decision.Input = json.RawMessage(`{"purpose":`) }, "decision.input"},
		{"an input that is an array", func(e *audit.Entry) { e.Decision.Input = json.RawMessage(`["facts"]`) }, "decision.input"},
		{"free text inside the input", func(e *audit.Entry) {
			e.Decision.Input = json.RawMessage(`{"youth":{"age":15,"note":"woont bij oma in Utrecht"}}`)
		}, "decision.input.youth.note"},
		{"a name inside an input list", func(e *audit.Entry) { e.Decision.Input = json.RawMessage(`{"fields":["facts","Jan de Vries"]}`) }, "decision.input.fields[1]"},
	}
	l := newTestLog(t, audit.ChainOptions{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := audittest.Entry(1)
			tt.edit(&e)
			err := l.w.Do(context.Background(), func(ctx context.Context, tx *audit.Appender) error {
				_, err := tx.Append(ctx, e)
				return err
			})
			var ee *audit.EntryError
			if !errors.As(err, &ee) || !errors.Is(err, audit.ErrInvalidEntry) {
				t.Fatalf("got %v, want an *EntryError", err)
			}
			if len(ee.Problems) != 1 || ee.Problems[0].Field != tt.field {
				t.Fatalf("problems %+v, want exactly one for field %q", ee.Problems, tt.field)
			}
			if strings.Contains(err.Error(), "Jan") || strings.Contains(err.Error(), "oma") {
				t.Fatalf("error %q repeats the refused value", err)
			}
		})
	}
	if n := audittest.Count(t, l.db, "SELECT count(*) FROM audit_entries"); n != 0 {
		t.Fatalf("%d refused entries were stored", n)
	}
}

func TestTriggersRefuseEditsOfHistory(t *testing.T) {
	l := newTestLog(t, audit.ChainOptions{})
	audittest.AppendOne(t, l.w.Do, audittest.Entry(1))
	audittest.AppendOne(t, l.w.Do, audittest.Entry(2))
	ctx := context.Background()
	if _, err := l.db.ExecContext(ctx, "INSERT INTO audit_checkpoints (size, head, time, note) VALUES (2, x'00', 't', 'n')"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, stmt string
	}{
		{"update an entry", "UPDATE audit_entries SET action = '" + string(signal.ActionSignalRead) + "' WHERE seq = 1"},
		{"delete an entry", "DELETE FROM audit_entries WHERE seq = 2"},
		{"delete every entry", "DELETE FROM audit_entries"},
		{"replace an entry", "INSERT OR REPLACE INTO audit_entries SELECT * FROM audit_entries WHERE seq = 2"},
		{"insert with a gap", "INSERT INTO audit_entries SELECT 9, time, actor_user, actor_role, actor_org, action, object, subject, decision, origin_request, origin_ip, hash FROM audit_entries WHERE seq = 2"},
		{"update a checkpoint", "UPDATE audit_checkpoints SET size = 1"},
		{"delete a checkpoint", "DELETE FROM audit_checkpoints"},
		// Hiding entries from an access request through the index.
		{"delete from the index", "DELETE FROM audit_index"},
		{"move an indexed entry", "UPDATE audit_index SET key = 'elsewhere'"},
		{"move the index mark back", "UPDATE audit_index_mark SET through = 0"},
		{"delete the index mark", "DELETE FROM audit_index_mark"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.db.ExecContext(ctx, tt.stmt)
			if err == nil || !strings.Contains(err.Error(), "-only") && !strings.Contains(err.Error(), "audit_index_mark") {
				t.Fatalf("got %v, want the trigger's refusal", err)
			}
		})
	}
	if n := chainOK(t, l.db); n != 2 {
		t.Fatalf("log has %d entries after refused edits, want 2", n)
	}
}

// TestDecisionEncodingMatchesEncodingJSON pins the hand-written encoder to
// what json.Marshal makes of the same decision.
func TestDecisionEncodingMatchesEncodingJSON(t *testing.T) {
	full := audittest.Entry(1).Decision
	full.Input = json.RawMessage(`{"purpose":"coordinate_support","youth":{"age":15,"capable":true},"fields":["facts"]}`)
	tests := []struct {
		name string
		d    audit.Decision
	}{
		{"a full decision", *full},
		{"empty lists and no input", audit.Decision{Outcome: "do_not_share", PolicyVersion: "sha256:1", Fields: []string{}, Obligations: []string{}, Reasons: []string{}, Input: json.RawMessage("{}")}},
		{"a digest instead of the input", audit.Decision{Outcome: "share", PolicyVersion: "sha256:1", Fields: []string{"facts"}, Obligations: []string{}, Reasons: []string{}, InputDigest: "hmac:0123abcd", Texts: []string{"s:facts:full:ab"}}},
		{"a string needing escapes (only read back from a tampered log)", audit.Decision{Outcome: `a "b" <c>`, Fields: []string{}, Obligations: []string{}, Reasons: []string{}, Input: json.RawMessage("{}")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if got := audit.AppendDecision(nil, &tt.d); string(got) != string(want) {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestAppendAllWritesAllOrNothing: many entries in one unit keep the chain
// across the INSERTs they are split into, an invalid one among them stores
// none of them, and a unit that goes on after such an error still chains
// its next entries from the right head.
func TestAppendAllWritesAllOrNothing(t *testing.T) {
	l := newTestLog(t, audit.ChainOptions{})
	ctx := context.Background()
	audittest.AppendOne(t, l.w.Do, audittest.Entry(0))
	many := make([]audit.Entry, 2*audit.AppendChunk+5) // three INSERTs: 64, 64 and 5 entries
	for i := range many {
		many[i] = audittest.Entry(i + 1)
	}
	bad := append([]audit.Entry{audittest.Entry(500), audittest.Entry(501)}, audit.Entry{Action: "Jan Jansen las het signaal"})
	err := l.w.Do(ctx, func(ctx context.Context, tx *audit.Appender) error {
		last, err := tx.AppendAll(ctx, many...)
		if err != nil || last != int64(len(many))+1 {
			return fmt.Errorf("AppendAll of %d entries: last seq %d, %v; want %d", len(many), last, err, len(many)+1)
		}
		if _, err := tx.AppendAll(ctx, bad...); !errors.Is(err, audit.ErrInvalidEntry) {
			return fmt.Errorf("AppendAll with free text among the entries: %v, want ErrInvalidEntry", err)
		}
		// The unit goes on: the next entry follows the valid ones above.
		if seq, err := tx.Append(ctx, audittest.Entry(600)); err != nil || seq != int64(len(many))+2 {
			return fmt.Errorf("Append after a refused AppendAll: seq %d, %v; want %d", seq, err, len(many)+2)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := chainOK(t, l.db); n != int64(len(many))+2 {
		t.Fatalf("log has %d entries, want %d", n, len(many)+2)
	}
	if c := audittest.Count(t, l.db, `SELECT count(*) FROM audit_entries WHERE object IN ('signal/500', 'signal/501')`); c != 0 {
		t.Errorf("%d entries of the refused AppendAll were stored", c)
	}
	res, err := audit.Verify(ctx, readHandle(t, l.path), audit.VerifyOptions{})
	if err != nil || res.Size != int64(len(many))+2 {
		t.Fatalf("verify: %+v, %v", res, err)
	}
}

// TestAppendAllFailingMidwayStoresNone: when the database refuses an entry
// in the second of three INSERTs, the first INSERT's entries go too, and the
// unit can go on appending from the right head.
func TestAppendAllFailingMidwayStoresNone(t *testing.T) {
	l := newTestLog(t, audit.ChainOptions{})
	ctx := context.Background()
	audittest.AppendOne(t, l.w.Do, audittest.Entry(0))
	// On the write handle's one connection, which the Chain's transactions use.
	_, err := l.db.ExecContext(ctx, `CREATE TEMP TRIGGER refuse_100 BEFORE INSERT ON main.audit_entries
			WHEN NEW.object = 'signal/100' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
	if err != nil {
		t.Fatal(err)
	}
	many := make([]audit.Entry, 2*audit.AppendChunk+5)
	for i := range many {
		many[i] = audittest.Entry(i + 1) // entry 100 is in the second INSERT
	}
	err = l.w.Do(ctx, func(ctx context.Context, tx *audit.Appender) error {
		if _, err := tx.AppendAll(ctx, many...); err == nil || !strings.Contains(err.Error(), "refused by the test") {
			return fmt.Errorf("AppendAll with a refused entry: %v, want the database's refusal", err)
		}
		if seq, err := tx.Append(ctx, audittest.Entry(600)); err != nil || seq != 2 {
			return fmt.Errorf("Append after the refusal: seq %d, %v; want 2", seq, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := chainOK(t, l.db); n != 2 {
		t.Fatalf("log has %d entries, want 2 (none of the refused AppendAll)", n)
	}
}

// TestPreparedEntries: Prepare refuses what Append would, before any unit
// of work; an entry prepared without a time gets the writer's clock when it
// is appended, not when it was prepared.
func TestPreparedEntries(t *testing.T) {
	if _, err := audit.Prepare(audittest.Entry(1), audit.Entry{Action: "Jan Jansen keek"}); !errors.Is(err, audit.ErrInvalidEntry) {
		t.Fatalf("Prepare with free text: %v, want ErrInvalidEntry", err)
	}
	appendedAt := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	l := newTestLog(t, audit.ChainOptions{Now: func() time.Time { return appendedAt }})
	untimed := audittest.Entry(2)
	untimed.Time = time.Time{}
	p, err := audit.Prepare(audittest.Entry(1), untimed)
	if err != nil {
		t.Fatal(err)
	}
	err = l.w.Do(context.Background(), func(ctx context.Context, tx *audit.Appender) error {
		_, err := tx.AppendPrepared(ctx, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := l.db.QueryRow(`SELECT time FROM audit_entries WHERE seq = 2`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := appendedAt.Format(audit.TimeLayout); got != want {
		t.Errorf("time of the untimed entry = %s, want the writer's clock %s", got, want)
	}
	if n := chainOK(t, l.db); n != 2 {
		t.Fatalf("log has %d entries, want 2", n)
	}
}
