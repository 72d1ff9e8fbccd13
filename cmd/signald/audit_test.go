package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// runAuditCmd runs the real command in-process.
func runAuditCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errb})
	return code, out.String(), errb.String()
}

// writeAuditLog writes n entries the way the service does: through a Writer,
// each in the transaction of the action it records.
func writeAuditLog(t *testing.T, path string, from, n int) {
	t.Helper()
	db, err := sqlite.OpenWrite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := audit.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS signals (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	w, err := sqlite.NewWriter(db, sqlite.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := from; i < from+n; i++ {
		err := w.Do(ctx, func(ctx context.Context, tx *sqlite.Tx) error {
			res, err := tx.ExecContext(ctx, "INSERT INTO signals DEFAULT VALUES")
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			d := &audit.Decision{Outcome: "share_full", Level: "full", Rule: "R7", Fields: []string{"facts"},
				PolicyVersion: "sha256:abc", Purpose: "coordinate_support", Recipient: "signal_meeting"}
			// Entries as written before decisions kept a keyed input
			// digest (the input itself) and after, mixed: both verify.
			if i%2 == 0 {
				d.Input = json.RawMessage(`{"purpose":"coordinate_support"}`)
			} else {
				d.InputDigest = fmt.Sprintf("hmac:%032x", i)
			}
			_, err = tx.Append(ctx, audit.Entry{
				Time:     time.Date(2026, 11, 20+i%3, 9, 0, i, 0, time.UTC),
				Actor:    signal.Actor{UserID: "u-3", Role: "reporter", OrgID: "org-1", RequestID: fmt.Sprintf("r-%d", i), IP: "192.0.2.1"},
				Action:   signal.ActionShareDecide,
				Object:   fmt.Sprintf("signal/%d", id),
				Subject:  "yp:c2lnbmFhbC1wc2V1ZG9ueW0tdGVzdA",
				Decision: d,
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// auditShell edits the file like someone with a SQLite shell.
func auditShell(t *testing.T, path, script string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(script); err != nil {
		t.Fatal(err)
	}
}

const auditDropTriggers = "DROP TRIGGER audit_entries_append_only_update; DROP TRIGGER audit_entries_append_only_delete; DROP TRIGGER audit_checkpoints_insert_only_delete;"

var auditIntact = regexp.MustCompile(`^audit log intact: (\d+) entries, head sha256:[0-9a-f]{64}, verified at [0-9.]+[kM]? entries/s`)

func TestAuditVerifyAndCheckpoint(t *testing.T) {
	t.Setenv("SIGNAAL_KEYS", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "signaal.db")
	writeAuditLog(t, db, 0, 30)

	code, out, errs := runAuditCmd(t, "audit", "verify", "--db", db)
	if code != 0 || !auditIntact.MatchString(out) || !strings.HasPrefix(out, "audit log intact: 30 entries") || strings.Count(out, "\n") != 1 {
		t.Fatalf("verify of an auditIntact log: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	// First checkpoint: creates the key next to the database, 0600.
	code, cp, errs := runAuditCmd(t, "audit", "checkpoint", "--db", db)
	if code != 0 || !strings.Contains(cp, "\n30\n") || !strings.Contains(errs, "created signing key") {
		t.Fatalf("checkpoint: exit %d, stdout %q, stderr %q", code, cp, errs)
	}
	key := filepath.Join(dir, "keys", audit.CheckpointKeyFile)
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", st, err)
	}
	cpFile := filepath.Join(t.TempDir(), "checkpoint-30.txt") // kept elsewhere
	if err := os.WriteFile(cpFile, []byte(cp), 0o644); err != nil {
		t.Fatal(err)
	}
	pub := audit.PublicKeyPath(key)

	writeAuditLog(t, db, 30, 5) // the service goes on
	code, out, errs = runAuditCmd(t, "audit", "verify", "--db", db, "--checkpoint", cpFile, "--public-key", pub)
	if code != 0 || !strings.HasPrefix(out, "audit log intact: 35 entries") || !strings.Contains(out, "contains the checkpoint of") {
		t.Fatalf("verify with a checkpoint: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	// Someone cuts the log back to 20 entries and covers their tracks in
	// the database; the checkpoint kept elsewhere still tells.
	auditShell(t, db, auditDropTriggers+`DELETE FROM audit_entries WHERE seq > 20; DELETE FROM audit_checkpoints;
		UPDATE sqlite_sequence SET seq = 20 WHERE name = 'audit_entries';`)
	code, out, errs = runAuditCmd(t, "audit", "verify", "--db", db)
	if code != 0 {
		t.Fatalf("without the checkpoint the cut is invisible (documented limit), got exit %d %q", code, errs)
	}
	code, out, errs = runAuditCmd(t, "audit", "verify", "--db", db, "--checkpoint", cpFile, "--public-key", pub)
	if code != 1 || out != "" || !strings.Contains(errs, "entry 21") || !strings.Contains(errs, "log has 20 entries, the checkpoint of") || !strings.Contains(errs, "says 30: cut back") {
		t.Fatalf("verify of a cut-back log: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	// A forged checkpoint file is refused.
	forged := strings.Replace(cp, "\n30\n", "\n20\n", 1)
	os.WriteFile(cpFile, []byte(forged), 0o644)
	code, _, errs = runAuditCmd(t, "audit", "verify", "--db", db, "--checkpoint", cpFile)
	if code != 1 || !strings.Contains(errs, "signature") {
		t.Fatalf("verify with a forged checkpoint: exit %d, stderr %q", code, errs)
	}
}

func TestAuditVerifyNamesTheFirstBadEntry(t *testing.T) {
	db := filepath.Join(t.TempDir(), "signaal.db")
	writeAuditLog(t, db, 0, 25)
	auditShell(t, db, auditDropTriggers+"UPDATE audit_entries SET actor_user = 'u-4' WHERE seq = 17; DELETE FROM audit_entries WHERE seq = 19;")
	code, out, errs := runAuditCmd(t, "audit", "verify", "--db", db)
	if code != 1 || out != "" || errs != "signald audit: entry 17: hash does not match its content (altered, replaced or moved)\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestAuditExport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "signaal.db")
	writeAuditLog(t, db, 0, 6) // days 20, 21, 22 of November, two each
	code, out, errs := runAuditCmd(t, "audit", "export", "--db", db, "--since", "2026-11-22")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], `{"seq":3,"time":"2026-11-22T09:00:02Z"`) {
		t.Fatalf("jsonl export since a date: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// Entries 3, 5 and 6 are at or after 21 November 09:00:04 (entry 4 is
	// on the 20th): export filters on time, keeps sequence order.
	code, out, errs = runAuditCmd(t, "audit", "export", "--db", db, "--format", "csv", "--since", "2026-11-21T09:00:04Z")
	lines = strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var seqs []string
	for _, l := range lines[1:] {
		seqs = append(seqs, strings.SplitN(l, ",", 2)[0])
	}
	if code != 0 || !strings.HasPrefix(lines[0], "seq,time,") || strings.Join(seqs, " ") != "3 5 6" {
		t.Fatalf("csv export since a time: exit %d, seqs %v, stdout %q, stderr %q", code, seqs, out, errs)
	}
}

func TestAuditUsageErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "signaal.db")
	writeAuditLog(t, db, 0, 1)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", []string{"audit"}, 2, "missing subcommand"},
		{"unknown subcommand", []string{"audit", "repair"}, 2, `unknown subcommand "repair"`},
		{"unknown flag", []string{"audit", "verify", "--db", db, "--fast"}, 2, "flag provided but not defined: -fast"},
		{"stray argument", []string{"audit", "verify", db}, 2, "unexpected argument"},
		{"bad format", []string{"audit", "export", "--db", db, "--format", "xml"}, 2, `--format: want jsonl or csv, got "xml"`},
		{"bad since", []string{"audit", "export", "--db", db, "--since", "yesterday"}, 2, `--since: want an RFC 3339 time`},
		{"checkpoint without a key to check it", []string{"audit", "verify", "--db", db, "--checkpoint", db, "--key", filepath.Join(t.TempDir(), "none.key")}, 1, "--key:"},
		{"missing database", []string{"audit", "verify", "--db", filepath.Join(t.TempDir(), "typo.db")}, 1, "no database at"},
		{"database without a log", []string{"audit", "verify", "--db", auditEmptyDB(t)}, 1, "no audit log in this database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runAuditCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, errs, tt.code, tt.want)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		code, out, _ := runAuditCmd(t, "audit", "export", "-h")
		if code != 0 || !strings.Contains(out, "Usage: signald audit export") || !strings.Contains(out, "-since T") {
			t.Fatalf("exit %d, stdout %q", code, out)
		}
	})
}

func auditEmptyDB(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "other.db")
	auditShell(t, path, "CREATE TABLE x (y)")
	return path
}

func TestAuditCheckpointUsesTheServicesKeysDirectory(t *testing.T) {
	keys := t.TempDir()
	t.Setenv("SIGNAAL_KEYS", keys)
	db := filepath.Join(t.TempDir(), "signaal.db")
	writeAuditLog(t, db, 0, 3)
	if code, _, errs := runAuditCmd(t, "audit", "checkpoint", "--db", db); code != 0 {
		t.Fatalf("checkpoint: exit %d, %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(keys, audit.CheckpointKeyFile)); err != nil {
		t.Fatalf("key not in $SIGNAAL_KEYS: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(db), "keys")); err == nil {
		t.Fatal("a second key directory was made next to the database")
	}
	if code, out, errs := runAuditCmd(t, "audit", "verify", "--db", db); code != 0 || !strings.Contains(out, "signed checkpoints matched: 1") {
		t.Fatalf("verify: exit %d, %q, %q", code, out, errs)
	}
}

// TestAuditRotateKeyAndUntrustedCheckpoints: a checkpoint once signed by a
// temporary key is reported, never "tampered"; rotating the key keeps the
// checkpoints the old key signed trusted; rotation is refused while another
// process owns the database.
func TestAuditRotateKeyAndUntrustedCheckpoints(t *testing.T) {
	t.Setenv("SIGNAAL_KEYS", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "signaal.db")
	writeAuditLog(t, db, 0, 10)
	if code, _, errs := runAuditCmd(t, "audit", "checkpoint", "--db", db); code != 0 {
		t.Fatalf("checkpoint: %d %s", code, errs)
	}
	// A checkpoint signed by a temporary key, stored in the database.
	if code, _, errs := runAuditCmd(t, "audit", "checkpoint", "--db", db, "--key", filepath.Join(t.TempDir(), "temp.key")); code != 0 {
		t.Fatalf("checkpoint with a temporary key: %d %s", code, errs)
	}
	code, out, errs := runAuditCmd(t, "audit", "verify", "--db", db)
	if code != 0 || !strings.HasPrefix(out, "audit log intact: 10 entries") || !strings.Contains(out, "signed checkpoints matched: 1") ||
		!strings.Contains(out, "stored checkpoint 2 (10 entries) is signed by a key you do not trust") {
		t.Fatalf("verify with a temporary key's checkpoint: exit %d, stdout %q, stderr %q; want intact, the checkpoint reported", code, out, errs)
	}

	// Rotation is refused while serve (any owner) holds the database.
	lock, err := sqlite.AcquireLock(db, "serve")
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runAuditCmd(t, "audit", "rotate-key", "--db", db); code == 0 || !strings.Contains(errs, "stop it first") {
		t.Fatalf("rotate-key beside serve: exit %d, stderr %q; want refused with what to do", code, errs)
	}
	lock.Release()
	code, out, errs = runAuditCmd(t, "audit", "rotate-key", "--db", db)
	if code != 0 || !strings.Contains(out, "old public key (still trusted") {
		t.Fatalf("rotate-key: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	writeAuditLog(t, db, 10, 5)
	if code, _, errs := runAuditCmd(t, "audit", "checkpoint", "--db", db); code != 0 {
		t.Fatalf("checkpoint with the new key: %d %s", code, errs)
	}
	code, out, errs = runAuditCmd(t, "audit", "verify", "--db", db)
	if code != 0 || !strings.HasPrefix(out, "audit log intact: 15 entries") || !strings.Contains(out, "signed checkpoints matched: 2") {
		t.Fatalf("verify after rotation: exit %d, stdout %q, stderr %q; want both keys' checkpoints matched", code, out, errs)
	}
}

// TestAuditCommandsOnAnUnmigratedDatabase: the operator's audit commands on
// a database an older signald wrote (audit schema 4, before audit_origins)
// and on a file that is not Signaal's. Export reads the old log as it is,
// as verify does; checkpoint (which writes) says what to do and makes no key
// for a log it cannot sign; after serve migrated the database it works. On a
// file without a log every command says so instead of "no such table".
func TestAuditCommandsOnAnUnmigratedDatabase(t *testing.T) {
	t.Setenv("SIGNAAL_KEYS", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "signaal.db")
	writeAuditLog(t, db, 0, 4)
	auditShell(t, db, `DROP TABLE audit_origins; DELETE FROM audit_migrations WHERE version = 5;`)
	key := filepath.Join(dir, "keys", audit.CheckpointKeyFile)

	code, out, errs := runAuditCmd(t, "audit", "export", "--db", db)
	if code != 0 || strings.Count(out, "\n") != 4 || !strings.HasPrefix(out, `{"seq":1,`) {
		t.Fatalf("export of the old log: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, out, errs := runAuditCmd(t, "audit", "export", "--db", db, "--format", "csv"); code != 0 || strings.Count(out, "\n") != 5 {
		t.Fatalf("csv export of the old log: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, _, errs = runAuditCmd(t, "audit", "checkpoint", "--db", db)
	if code == 0 || !strings.Contains(errs, "from an older signald (schema version 4, this one writes 5): start signald serve on it once") {
		t.Fatalf("checkpoint of the old log: exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(key); err == nil {
		t.Fatal("checkpoint made a signing key for a log it could not sign")
	}
	h, err := sqlite.OpenWrite(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.Migrate(context.Background(), h); err != nil { // what serve does at start
		t.Fatal(err)
	}
	h.Close()
	if code, out, errs := runAuditCmd(t, "audit", "checkpoint", "--db", db); code != 0 || !strings.Contains(out, "\n4\n") {
		t.Fatalf("checkpoint once migrated: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	other := filepath.Join(dir, "other.db")
	auditShell(t, other, `CREATE TABLE notes (text TEXT)`)
	for _, cmd := range []string{"export", "checkpoint", "verify"} {
		code, _, errs := runAuditCmd(t, "audit", cmd, "--db", other)
		if code == 0 || !strings.Contains(errs, "no audit log in this database ("+other+"): is it Signaal's database?") || strings.Contains(errs, "no such table") {
			t.Errorf("audit %s on a file without a log: exit %d, stderr %q", cmd, code, errs)
		}
	}
	if _, err := os.Stat(key); err != nil {
		t.Fatalf("the key of the migrated database: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "keys")); len(entries) != 2 { // the migrated database's key and its .pub
		t.Errorf("keys made: %v", entries)
	}
}
