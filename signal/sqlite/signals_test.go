package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/keystore"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// signalsEnv is a real database file with the audit writer, the signals
// tables and a real key store.
type signalsEnv struct {
	dir     string
	read    *sql.DB
	keys    *keystore.Store
	signals *signal.Signals
}

// decideFunc is a Decider made of a function (the real policy is exercised
// by the HTTP tests; here the store's behaviour is under test).
type decideFunc func(context.Context, signal.DecisionInput) (signal.Decision, error)

func (f decideFunc) Decide(ctx context.Context, in signal.DecisionInput) (signal.Decision, error) {
	return f(ctx, in)
}

type directoryFunc func(context.Context, string) (signal.OrgContact, error)

func (f directoryFunc) Organisation(ctx context.Context, id string) (signal.OrgContact, error) {
	return f(ctx, id)
}

func shareFull(_ context.Context, in signal.DecisionInput) (signal.Decision, error) {
	if in.Purpose == nil {
		return signal.Decision{Outcome: signal.OutcomeIncomplete, Level: signal.LevelNone, Missing: []string{"purpose"}, PolicyVersion: "sha256:test"}, nil
	}
	return signal.Decision{Outcome: signal.OutcomeShareFull, Level: signal.LevelFull, Rule: signal.RuleConsent,
		Fields: in.Fields, Reasons: []signal.Reason{{Code: "consent_given"}}, PolicyVersion: "sha256:test"}, nil
}

func newSignalsEnv(t *testing.T, decide decideFunc) *signalsEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "signaal.db")
	wdb, err := audit.OpenWrite(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wdb.Close() })
	if err := audit.Migrate(ctx, wdb); err != nil {
		t.Fatal(err)
	}
	migration, err := os.ReadFile("migrations/0002_signals.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wdb.ExecContext(ctx, string(migration)); err != nil {
		t.Fatalf("apply signals migration: %v", err)
	}
	w, err := audit.NewWriter(wdb, audit.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	rdb, err := audit.OpenRead(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	keys, err := keystore.Open(ctx, filepath.Join(dir, "keys"), keystore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keys.Close() })
	dirFn := directoryFunc(func(_ context.Context, id string) (signal.OrgContact, error) {
		return signal.OrgContact{OrgID: id, Name: "org " + id, CooperationID: "coop", ContactName: "Contact"}, nil
	})
	return &signalsEnv{
		dir: dir, read: rdb, keys: keys,
		signals: signal.NewSignals(decide, keys, sqlite.NewSignalStore(w, rdb), dirFn, signal.SignalsOptions{}),
	}
}

var reporter = signal.Actor{UserID: "u-reporter", OrgID: "o-school", Role: signal.RoleReporter, RequestID: "req-1", IP: "127.0.0.1"}

func newSignal(name, facts string) signal.NewSignal {
	p := signal.PurposeCoordinateSupport
	return signal.NewSignal{
		Youth:      signal.NewYouth{Name: name, BirthDate: "2011-04-30"},
		Category:   signal.CategoryWellbeing,
		Facts:      facts,
		ObservedOn: signal.Today(time.Now()).String(),
		Answers:    signal.Answers{Purpose: &p},
	}
}

func (e *signalsEnv) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.read.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSubmitStoresSealedContentWithItsAuditEntries(t *testing.T) {
	ctx := context.Background()
	e := newSignalsEnv(t, shareFull)
	res, err := e.signals.Submit(ctx, reporter, newSignal("Marker Qzxv Jansen", "feit-marker-8812"), "")
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	if res.Decision.Outcome != signal.OutcomeShareFull {
		t.Fatalf("outcome = %s", res.Decision.Outcome)
	}
	var youth string
	var nameCT []byte
	if err := e.read.QueryRow(`SELECT youth, name_ct FROM signals WHERE id = ?`, res.ID).Scan(&youth, &nameCT); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(nameCT, []byte("Qzxv")) {
		t.Fatal("the name is stored in plain text")
	}
	if n := e.count(t, `SELECT count(*) FROM audit_entries WHERE object = ? AND subject = ? AND action IN ('signal.create', 'share.decide')`, "signal/"+res.ID, youth); n != 2 {
		t.Fatalf("audit entries for the submission = %d, want signal.create and share.decide", n)
	}
	view, err := e.signals.Get(ctx, reporter, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	if view.Youth == nil || view.Youth.Name != "Marker Qzxv Jansen" || view.Facts != "feit-marker-8812" {
		t.Fatalf("the reporter's own view = %+v; want the content", view)
	}
}

func TestIncompleteIsADraftThatCompletes(t *testing.T) {
	ctx := context.Background()
	e := newSignalsEnv(t, shareFull)
	in := newSignal("Draft Kind", "feit")
	in.Answers.Purpose = nil
	res, err := e.signals.Submit(ctx, reporter, in, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision.Outcome != signal.OutcomeIncomplete {
		t.Fatalf("outcome = %s, want incomplete", res.Decision.Outcome)
	}
	if n := e.count(t, `SELECT count(*) FROM signals WHERE id = ? AND status = 'draft' AND meeting_level = 'none'`, res.ID); n != 1 {
		t.Fatal("the incomplete signal is not kept as a draft")
	}
	p := signal.PurposeCoordinateSupport
	done, err := e.signals.Complete(ctx, reporter, res.ID, signal.Answers{Purpose: &p})
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	if done.Decision.Outcome != signal.OutcomeShareFull {
		t.Fatalf("completed outcome = %s", done.Decision.Outcome)
	}
	if n := e.count(t, `SELECT count(*) FROM signals WHERE id = ? AND status = 'decided' AND meeting_level = 'full' AND version = 2`, res.ID); n != 1 {
		t.Fatal("the completed signal is not decided")
	}
	if n := e.count(t, `SELECT count(*) FROM audit_entries WHERE object = ? AND action IN ('signal.complete', 'share.decide')`, "signal/"+res.ID); n != 3 {
		t.Fatalf("audit entries = %d, want share.decide twice and signal.complete", n)
	}
	other := reporter
	other.UserID = "u-other"
	if _, err := e.signals.Complete(ctx, other, res.ID, signal.Answers{Purpose: &p}); signal.ErrorCode(err) != signal.CodeNotFound {
		t.Fatalf("another reporter completing = %v; want not found", err)
	}
}

func TestConcurrentRetriesStoreOnce(t *testing.T) {
	ctx := context.Background()
	e := newSignalsEnv(t, shareFull)
	in := newSignal("Retry Kind", "feit")
	const n = 16
	results := make([]signal.Submitted, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = e.signals.Submit(ctx, reporter, in, "key-123") })
	}
	wg.Wait()
	replays := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("retry %d: %v", i, errs[i])
		}
		if results[i].ID != results[0].ID {
			t.Fatalf("retry %d got id %s, first got %s", i, results[i].ID, results[0].ID)
		}
		if results[i].Replayed {
			replays++
		}
	}
	if replays != n-1 {
		t.Errorf("replayed answers = %d, want %d", replays, n-1)
	}
	if c := e.count(t, `SELECT count(*) FROM signals`); c != 1 {
		t.Fatalf("signals stored = %d, want 1", c)
	}
	if c := e.count(t, `SELECT count(*) FROM audit_entries WHERE action = 'signal.create'`); c != 1 {
		t.Fatalf("signal.create entries = %d, want 1", c)
	}
	changed := in
	changed.Facts = "andere feiten"
	if _, err := e.signals.Submit(ctx, reporter, changed, "key-123"); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("same key, other body = %v; want conflict", err)
	}
	other := reporter
	other.UserID = "u-other"
	if res, err := e.signals.Submit(ctx, other, in, "key-123"); err != nil || res.Replayed {
		t.Fatalf("the same key by another user = %+v, %v; want a new signal (keys are per user)", res, err)
	}
}

func TestErasedKeyLeavesRecordButNoContent(t *testing.T) {
	ctx := context.Background()
	e := newSignalsEnv(t, shareFull)
	in := newSignal("Wis Mij", "te wissen feit")
	res, err := e.signals.Submit(ctx, reporter, in, "")
	if err != nil {
		t.Fatal(err)
	}
	var youth string
	if err := e.read.QueryRow(`SELECT youth FROM signals WHERE id = ?`, res.ID).Scan(&youth); err != nil {
		t.Fatal(err)
	}
	if err := e.keys.Erase(ctx, youth); err != nil {
		t.Fatal(err)
	}
	view, err := e.signals.Get(ctx, reporter, res.ID)
	if err != nil {
		t.Fatalf("read after erasure: %v", err)
	}
	if !view.Erased || view.Facts != "" || view.Youth.Name != "" {
		t.Fatalf("view after erasure = %+v; want erased, no content", view)
	}
	if view.Decision == nil || view.Decision.Outcome != signal.OutcomeShareFull {
		t.Fatal("the decision is gone with the content; it should stay")
	}
	if !errors.Is(keystore.ErrErased, signal.ErrContentErased) {
		t.Fatal("keystore.ErrErased does not match signal.ErrContentErased")
	}
}
