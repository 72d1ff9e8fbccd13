package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit/audittest"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/keystore"
	"github.com/signaal-nl/signaal/signal/sqlite"
	"github.com/signaal-nl/signaal/signal/textcheck"
)

// signalsEnv is a real database file with its writer, two organisations
// of one cooperation with a reporter each, and a real key store.
type signalsEnv struct {
	db       *sqlite.DB
	read     *sql.DB
	keys     *keystore.Store
	signals  *signal.Signals
	reporter signal.Actor // of the school
	other    signal.Actor // a reporter of the youth-work organisation
}

// decideFunc is a Decider made of a function (the real policy is exercised
// by the HTTP tests; here the store's behaviour is under test).
type decideFunc func(context.Context, signal.DecisionInput) (signal.Decision, error)

func (f decideFunc) Decide(ctx context.Context, in signal.DecisionInput) (signal.Decision, error) {
	return f(ctx, in)
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
	db := open(t, filepath.Join(dir, "signaal.db"))
	keys, err := keystore.Open(ctx, filepath.Join(dir, "keys"), keystore.Options{Keys: db.YouthKeys()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keys.Close() })
	e := &signalsEnv{db: db, read: db.Read(), keys: keys,
		signals: signal.NewSignals(decide, keys, db.Signals(), signal.NewDisclosure(keys, db.Signals(), textcheck.Default()), signal.SignalsOptions{})}
	e.reporter = addReporter(t, db, "School", "mentor@school.example")
	e.other = addReporter(t, db, "Jongerenwerk", "jw@jongerenwerk.example")
	return e
}

func addReporter(t *testing.T, db *sqlite.DB, org, email string) signal.Actor {
	t.Helper()
	ctx := context.Background()
	o := &signal.Organisation{Name: org, Kind: signal.OrgSchool,
		Contact: signal.Person{Name: "Contact " + org, Email: "contact@" + org + ".example"},
		Deputy:  signal.Person{Name: "Deputy " + org, Email: "deputy@" + org + ".example"}}
	if err := accountsOf(t, db).CreateOrganisation(ctx, cli, o, "Samenwerking Test"); err != nil {
		t.Fatal(err)
	}
	u := &signal.User{Email: email, Name: "Reporter", OrgID: o.ID, Role: signal.RoleReporter}
	if err := accountsOf(t, db).SeedUser(ctx, cli, u, "$argon2id$test"); err != nil {
		t.Fatal(err)
	}
	return signal.Actor{UserID: u.ID, OrgID: o.ID, Role: signal.RoleReporter, RequestID: "req-1", IP: "127.0.0.1"}
}

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
	return audittest.Count(t, e.read, query, args...)
}

func TestSubmitStoresSealedContentWithItsAuditEntries(t *testing.T) {
	ctx := context.Background()
	e := newSignalsEnv(t, shareFull)
	res, err := e.signals.Submit(ctx, e.reporter, newSignal("Marker Qzxv Jansen", "feit-marker-8812"), "")
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
	if n := e.count(t, `SELECT count(*) FROM audit_entries WHERE object = ? AND subject = ? AND action IN (?, ?)`, "signal/"+res.ID, youth, signal.ActionSignalCreate, signal.ActionShareDecide); n != 2 {
		t.Fatalf("audit entries for the submission = %d, want signal.create and share.decide", n)
	}
	view, err := e.signals.Get(ctx, e.reporter, res.ID)
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
	res, err := e.signals.Submit(ctx, e.reporter, in, "")
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
	done, err := e.signals.Complete(ctx, e.reporter, res.ID, signal.Answers{Purpose: &p}, signal.Versions{})
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	if done.Decision.Outcome != signal.OutcomeShareFull {
		t.Fatalf("completed outcome = %s", done.Decision.Outcome)
	}
	if n := e.count(t, `SELECT count(*) FROM signals WHERE id = ? AND status = 'decided' AND meeting_level = 'full' AND version = 2`, res.ID); n != 1 {
		t.Fatal("the completed signal is not decided")
	}
	if n := e.count(t, `SELECT count(*) FROM audit_entries WHERE object = ? AND action IN (?, ?)`, "signal/"+res.ID, signal.ActionSignalComplete, signal.ActionShareDecide); n != 3 {
		t.Fatalf("audit entries = %d, want share.decide twice and signal.complete", n)
	}
	if _, err := e.signals.Complete(ctx, e.other, res.ID, signal.Answers{Purpose: &p}, signal.Versions{}); signal.ErrorCode(err) != signal.CodeNotFound {
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
		wg.Go(func() { results[i], errs[i] = e.signals.Submit(ctx, e.reporter, in, "key-123") })
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
	if c := e.count(t, `SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionSignalCreate); c != 1 {
		t.Fatalf("signal.create entries = %d, want 1", c)
	}
	changed := in
	changed.Facts = "andere feiten"
	if _, err := e.signals.Submit(ctx, e.reporter, changed, "key-123"); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("same key, other body = %v; want conflict", err)
	}
	if res, err := e.signals.Submit(ctx, e.other, in, "key-123"); err != nil || res.Replayed {
		t.Fatalf("the same key by another user = %+v, %v; want a new signal (keys are per user)", res, err)
	}
}

func TestErasedKeyLeavesRecordButNoContent(t *testing.T) {
	ctx := context.Background()
	e := newSignalsEnv(t, shareFull)
	in := newSignal("Wis Mij", "te wissen feit")
	res, err := e.signals.Submit(ctx, e.reporter, in, "")
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
	view, err := e.signals.Get(ctx, e.reporter, res.ID)
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
