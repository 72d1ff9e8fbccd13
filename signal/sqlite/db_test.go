package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/auth"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

func open(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var cli = signal.Actor{UserID: "cli", Role: signal.RoleSystem}

// accountsOf returns the account use cases over db, with cheap password
// hashes.
func accountsOf(t testing.TB, db *sqlite.DB) *signal.Accounts {
	t.Helper()
	a, err := signal.NewAccounts(db.Accounts(), db, db.Accounts(),
		auth.Passwords{Params: auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}, signal.AccountsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// privacyOf returns the privacy officer's use cases over db (no key store,
// no checkpoint key).
func privacyOf(db *sqlite.DB) *signal.Privacy {
	p := db.Privacy()
	return signal.NewPrivacy(signal.PrivacyDeps{Log: p, Integrity: db.Integrity(nil, nil), Recorder: p, Store: p,
		Policies: p, Escalations: p, Directory: db})
}

func TestOpenCreatesDirectoryAndMigratesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir with space?#", "signaal.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created at %s: %v", path, err)
	}
	// A second open applies nothing again and keeps the data.
	db = open(t, path)
	var n int
	if err := db.Read().QueryRow(`SELECT count(*) FROM schema_migrations WHERE version = 1`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("schema_migrations rows for version 1 = %d, %v; want 1", n, err)
	}
}

func TestReadPoolRefusesWrites(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	if _, err := db.Read().Exec(`DELETE FROM users`); err == nil {
		t.Fatal("a write on the read pool succeeded; want query-only refusal")
	}
}

func TestDurabilityPragmas(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	checks := map[string]string{"journal_mode": "wal",
		"synchronous":  "1", // NORMAL: the writer fsyncs the WAL itself (SyncWAL)
		"foreign_keys": "1", "secure_delete": "1",
		"temp_store": "2", "wal_autocheckpoint": "16384"}
	for pragma, want := range checks {
		var got string
		err := db.Do(context.Background(), func(ctx context.Context, tx *sqlite.Tx) error {
			return tx.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got)
		})
		if err != nil || got != want {
			t.Errorf("PRAGMA %s on the write handle = %q, %v; want %q", pragma, got, err, want)
		}
	}
	// With synchronous=NORMAL, durability is the writer's fsync of the WAL.
	if st := db.Writer().Stats(); st.Syncs == 0 {
		t.Errorf("the writer committed %d batches and synced none", st.Batches)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	db := open(t, path)
	db.Close()
	w, err := sqlite.OpenWrite(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', '')`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := sqlite.Open(context.Background(), path, sqlite.Options{}); err == nil {
		t.Fatal("Open of a database with a newer schema succeeded; want a refusal")
	}
}

func demoOrg(name string) *signal.Organisation {
	return &signal.Organisation{Name: name, Kind: signal.OrgSchool,
		Contact: signal.Person{Name: "Contact", Email: "contact@" + name + ".nl"},
		Deputy:  signal.Person{Name: "Deputy", Email: "deputy@" + name + ".nl"}}
}

func TestAccounts(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	acc := accountsOf(t, db)
	o := demoOrg("school")
	if err := acc.CreateOrganisation(ctx, cli, o, "Samenwerking Test"); err != nil {
		t.Fatalf("CreateOrganisation: %v", err)
	}
	if err := acc.CreateOrganisation(ctx, cli, demoOrg("school"), "Samenwerking Test"); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("second organisation with the same name: %v; want conflict", err)
	}
	u := &signal.User{Email: " Contact@School.NL ", Name: "Contact", OrgID: o.ID, Role: signal.RoleReporter}
	if err := acc.SeedUser(ctx, cli, u, "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$a2V5"); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.Email != "contact@school.nl" {
		t.Errorf("stored email %q; want it normalised", u.Email)
	}
	dup := &signal.User{Email: "contact@school.nl", Name: "Other", OrgID: o.ID, Role: signal.RoleAdmin}
	if err := acc.SeedUser(ctx, cli, dup, "$argon2id$x"); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("duplicate email: %v; want conflict", err)
	}
	noOrg := &signal.User{Email: "x@school.nl", Name: "X", OrgID: "org_missing", Role: signal.RoleAdmin}
	if err := acc.SeedUser(ctx, cli, noOrg, "$argon2id$x"); signal.ErrorCode(err) != signal.CodeNotFound {
		t.Fatalf("unknown organisation: %v; want not_found", err)
	}
	got, hash, err := db.UserByEmail(ctx, "CONTACT@school.nl")
	if err != nil || got.ID != u.ID || hash == "" {
		t.Fatalf("UserByEmail = %+v, %q, %v", got, hash, err)
	}
	co, err := db.CooperationOf(ctx, o.ID)
	if err != nil || co.Name != "Samenwerking Test" || co.Meeting.ID == "" {
		t.Fatalf("CooperationOf = %+v, %v", co, err)
	}

	// The contact person cannot be disabled before another is named.
	if err := acc.SetUserDisabled(ctx, cli, "contact@school.nl", true); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("disabling the contact person: %v; want conflict", err)
	}
	if _, err := acc.SetContacts(ctx, cli, o.ID, signal.Person{Name: "New", Email: "new@school.nl"}, o.Deputy); err != nil {
		t.Fatalf("SetContacts: %v", err)
	}
	if _, err := acc.SetContacts(ctx, cli, o.ID, signal.Person{}, o.Deputy); signal.ErrorCode(err) != signal.CodeInvalid {
		t.Fatalf("SetContacts with an empty contact: %v; want invalid", err)
	}
	if _, err := acc.SessionUser(ctx, u.ID, "jti", 0); err != nil { // now remembered
		t.Fatalf("SessionUser of an enabled account: %v", err)
	}
	if err := acc.SetUserDisabled(ctx, cli, "contact@school.nl", true); err != nil {
		t.Fatalf("disabling a former contact person: %v", err)
	}
	if _, err := acc.SessionUser(ctx, u.ID, "jti", 0); signal.ErrorCode(err) != signal.CodeUnauthorized {
		t.Fatalf("SessionUser of a disabled account: %v; want unauthorized", err)
	}

	// Every change is in the audit log, by the CLI actor.
	rows, err := db.Read().Query(`SELECT action FROM audit_entries ORDER BY seq`)
	if err != nil {
		t.Fatalf("read audit log: %v", err)
	}
	defer rows.Close()
	var actions []signal.AuditAction
	for rows.Next() {
		var a signal.AuditAction
		rows.Scan(&a)
		actions = append(actions, a)
	}
	want := []signal.AuditAction{signal.ActionCooperationCreate, signal.ActionOrgCreate, signal.ActionUserCreate, signal.ActionOrgContacts, signal.ActionUserDisable}
	if len(actions) != len(want) {
		t.Fatalf("audited actions %v; want %v", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Fatalf("audited actions %v; want %v", actions, want)
		}
	}
}

// reporterOf creates a school with one reporter in db.
func reporterOf(t testing.TB, db *sqlite.DB) *signal.User {
	t.Helper()
	ctx := context.Background()
	acc := accountsOf(t, db)
	o := demoOrg("school")
	if err := acc.CreateOrganisation(ctx, cli, o, "S"); err != nil {
		t.Fatal(err)
	}
	u := &signal.User{Email: "a@school.nl", Name: "A", OrgID: o.ID, Role: signal.RoleReporter}
	if err := acc.SeedUser(ctx, cli, u, "$argon2id$x"); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRevokedTokenEndsSession(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	u := reporterOf(t, db)
	acc := accountsOf(t, db)
	if _, err := acc.SessionUser(ctx, u.ID, "t1", 0); err != nil {
		t.Fatalf("SessionUser before logout: %v", err)
	}
	if err := acc.Logout(ctx, signal.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}, "t1", time.Unix(1<<40, 0)); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	if _, err := acc.SessionUser(ctx, u.ID, "t1", 0); signal.ErrorCode(err) != signal.CodeUnauthorized {
		t.Fatalf("SessionUser after logout: %v; want unauthorized", err)
	}
	if _, err := acc.SessionUser(ctx, u.ID, "t2", 0); err != nil {
		t.Fatalf("another session of the same account after logout: %v", err)
	}
}

// TestCheckpointsRunInTheBackground: committed pages reach the database file
// without any commit running a checkpoint itself (the write connection's own
// autocheckpoint is only a backstop at 16,384 pages, far more than written
// here).
func TestCheckpointsRunInTheBackground(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	db := open(t, path)
	ctx := context.Background()
	for i := range 200 {
		if err := db.Append(ctx, audit.Entry{Actor: cli, Action: signal.ActionPolicyLoad, Object: fmt.Sprintf("test/%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var pages, size int64
	if err := db.Read().QueryRow(`SELECT (SELECT page_count FROM pragma_page_count()), (SELECT page_size FROM pragma_page_size())`).Scan(&pages, &size); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() >= pages*size {
			return // every page of the database is in its file
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes after 10 s, want the %d pages of %d bytes it has: no checkpoint ran", fi.Size(), pages, size)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSessionChangedElsewhereCannotHappen: an account can no longer be
// disabled through another handle on the file while serve runs (signald
// user disable beside serve): the second owner is refused, so a remembered
// session never outlives a change made elsewhere.
func TestSessionChangedElsewhereCannotHappen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	open(t, path)
	if other, err := sqlite.Open(context.Background(), path, sqlite.Options{}); !errors.Is(err, sqlite.ErrInUse) {
		if other != nil {
			other.Close()
		}
		t.Fatalf("a second owner of the database: %v; want ErrInUse", err)
	}
}
