package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"
)

// TestIdempotencyKeysMoveOntoTheirSignals upgrades a database of schema 20,
// whose idempotency keys had a table of their own, and checks that a retry
// after the upgrade still finds its key.
func TestIdempotencyKeysMoveOntoTheirSignals(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite3", dsn(filepath.Join(t.TempDir(), "old.db"), "_foreign_keys=off"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	old := fstest.MapFS{}
	names, _ := fs.Glob(migrationFiles, "migrations/*.sql")
	for _, n := range names {
		if filepath.Base(n) < "0030" {
			b, _ := fs.ReadFile(migrationFiles, n)
			old[n] = &fstest.MapFile{Data: b}
		}
	}
	now := func() time.Time { return time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC) }
	if err := migrate(ctx, db, old, now); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO signals (id, youth, org_id, reporter_id, cooperation_id, category, observed_on, age, contains, has_opinions,
			status, answers, decision, meeting_level, name_ct, birth_date_ct, facts_ct, created_at, updated_at, version)
		 VALUES ('s1', 'y1', 'o', 'u', 'c', 'wellbeing', '2026-11-20', 15, '[]', 0, 'decided', '{}', '{"outcome":"share_full"}', 'full', x'00', x'00', x'00', 't', 't', 1),
		        ('s2', 'y2', 'o', 'u', 'c', 'wellbeing', '2026-11-20', 15, '[]', 0, 'decided', '{}', '{"outcome":"do_not_share"}', 'none', x'00', x'00', x'00', 't', 't', 1)`,
		`INSERT INTO signal_idempotency (key_ref, fingerprint, signal_id, response, created_at) VALUES ('k1', 'f1', 's1', '{}', 't')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := migrate(ctx, db, migrationFiles, now); err != nil {
		t.Fatal(err)
	}
	got, err := findIdempotent(db.QueryRowContext(ctx, selectIdempotent, "k1"))
	if err != nil || got == nil {
		t.Fatalf("key k1 after the upgrade: %+v, %v", got, err)
	}
	if got.SignalID != "s1" || got.Fingerprint != "f1" || got.Response.ID != "s1" || got.Response.Decision.Outcome != "share_full" {
		t.Errorf("key k1 after the upgrade = %+v; want signal s1, fingerprint f1 and its decision", got)
	}
	var keyless int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM signals WHERE idem_key_ref IS NULL AND id = 's2'`).Scan(&keyless); err != nil || keyless != 1 {
		t.Errorf("a signal without a key: %d, %v; want its key NULL", keyless, err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM signal_idempotency`).Scan(&keyless); err == nil {
		t.Error("signal_idempotency still exists")
	}
}

// TestYouthKeysTableReachesADatabaseOfSchema71: a database created before
// the data keys moved into it (schema 71, the newest before 72) gets the
// key table on its next start, its signals kept. A migration numbered
// below 71 would have been skipped there.
func TestYouthKeysTableReachesADatabaseOfSchema71(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", dsn(path, "_foreign_keys=off"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	old := fstest.MapFS{}
	names, _ := fs.Glob(migrationFiles, "migrations/*.sql")
	for _, n := range names {
		if filepath.Base(n) < "0072" {
			b, _ := fs.ReadFile(migrationFiles, n)
			old[n] = &fstest.MapFile{Data: b}
		}
	}
	now := func() time.Time { return time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC) }
	if err := migrate(ctx, db, old, now); err != nil {
		t.Fatal(err)
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil || v != 71 {
		t.Fatalf("old schema version %d, %v; want 71", v, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO signals (id, youth, org_id, reporter_id, cooperation_id, category, observed_on, age, contains, has_opinions,
			status, answers, decision, meeting_level, name_ct, birth_date_ct, facts_ct, created_at, updated_at, version)
		 VALUES ('s1', 'y1', 'o', 'u', 'c', 'wellbeing', '2026-11-20', 15, '[]', 0, 'decided', '{}', '{"outcome":"share_full"}', 'full', x'01', x'01', x'01', 't', 't', 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	d, err := Open(ctx, path, Options{Now: now})
	if err != nil {
		t.Fatalf("open a database of schema 71: %v", err)
	}
	defer d.Close()
	holds, err := d.YouthKeys().HoldsData(ctx)
	if err != nil || !holds {
		t.Fatalf("HoldsData after the upgrade: %v, %v; want true (the old signal)", holds, err)
	}
	if check, err := d.YouthKeys().MasterCheck(ctx); err != nil || check != "" {
		t.Fatalf("MasterCheck after the upgrade: %q, %v; want none yet", check, err)
	}
	if n, err := d.YouthKeys().MissingKeys(ctx); err != nil || n != 1 {
		t.Fatalf("MissingKeys before the old key file is imported: %d, %v; want 1", n, err)
	}
}
