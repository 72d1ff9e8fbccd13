package audit_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/audit/audittest"
	"github.com/signaal-nl/signaal/signal"
	"golang.org/x/mod/sumdb/note"
)

// filledLog is a closed log file of n entries, ready to be tampered with.
func filledLog(t *testing.T, n int) *testLog {
	t.Helper()
	l := newTestLog(t, audit.ChainOptions{})
	for i := 1; i <= n; i++ {
		audittest.AppendOne(t, l.w.Do, audittest.Entry(i))
	}
	return l
}

// shell opens the file the way someone with a SQLite shell would: no
// triggers dropped yet, no special settings.
func shell(t *testing.T, path string, script string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(script); err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

const dropTriggers = `
DROP TRIGGER audit_entries_append_only_update;
DROP TRIGGER audit_entries_append_only_delete;
DROP TRIGGER audit_entries_append_at_end;
DROP TRIGGER audit_checkpoints_insert_only_update;
DROP TRIGGER audit_checkpoints_insert_only_delete;
`

func testSigner(t *testing.T) (note.Signer, note.Verifier) {
	t.Helper()
	signer, vkey, err := audit.LoadOrCreateKey(filepath.Join(t.TempDir(), "keys", audit.CheckpointKeyFile), "signaal-audit/test")
	if err != nil {
		t.Fatal(err)
	}
	v, err := audit.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return signer, v
}

func readHandle(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := openRead(path)
	return audittest.Closing(t, db, err)
}

// TestVerifyDetectsTampering is the tamper table: every way of
// changing history must be reported, naming the first bad entry.
func TestVerifyDetectsTampering(t *testing.T) {
	const size = 20
	tests := []struct {
		name string
		// checkpointAt, if > 0, issues a checkpoint when the log has that
		// many entries; it is kept outside (external) or only in the
		// database.
		checkpointAt int
		external     bool
		tamper       func(t *testing.T, l *testLog)
		wantSeq      int64
		wantProblem  string
	}{
		{
			name: "alter a field (triggers dropped)",
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+"UPDATE audit_entries SET actor_user = 'u-99' WHERE seq = 7")
			},
			wantSeq:     7,
			wantProblem: "entry 7: hash does not match its content",
		},
		{
			name: "alter a decision's outcome (triggers dropped)",
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+`UPDATE audit_entries SET decision = replace(decision, 'ask_consent', 'share_full') WHERE seq = 12`)
			},
			wantSeq:     12,
			wantProblem: "entry 12: hash does not match its content",
		},
		{
			name: "alter a time by one nanosecond (triggers dropped)",
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+"UPDATE audit_entries SET time = replace(time, '09:00:00.000000003', '09:00:00.000000004') WHERE seq = 3")
			},
			wantSeq:     3,
			wantProblem: "entry 3: hash does not match its content",
		},
		{
			name: "remove a decision (triggers dropped)",
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+"UPDATE audit_entries SET decision = NULL WHERE seq = 5")
			},
			wantSeq:     5,
			wantProblem: "entry 5: hash does not match its content",
		},
		{
			name: "delete a row (triggers dropped)",
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+"DELETE FROM audit_entries WHERE seq = 9")
			},
			wantSeq:     9,
			wantProblem: "entry 9 missing: sequence jumps from 8 to 10",
		},
		{
			name: "delete the first row (triggers dropped)",
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+"DELETE FROM audit_entries WHERE seq = 1")
			},
			wantSeq:     1,
			wantProblem: "entry 1 missing: the log starts at 2",
		},
		{
			name: "swap two rows (triggers dropped)",
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+`
					UPDATE audit_entries SET seq = -1 WHERE seq = 7;
					UPDATE audit_entries SET seq = 7 WHERE seq = 8;
					UPDATE audit_entries SET seq = 8 WHERE seq = -1;`)
			},
			wantSeq:     7,
			wantProblem: "entry 7: hash does not match its content",
		},
		{
			name: "insert a row in the middle, renumbering the rest (triggers dropped)",
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+`
					UPDATE audit_entries SET seq = seq + 1000 WHERE seq >= 11;
					UPDATE audit_entries SET seq = seq - 999 WHERE seq >= 1011;
					INSERT INTO audit_entries SELECT 11, time, actor_user, actor_role, actor_org, '`+string(signal.ActionSignalRead)+`', object, subject, NULL, origin_request, origin_ip, hash FROM audit_entries WHERE seq = 10;`)
			},
			wantSeq:     11,
			wantProblem: "entry 11: hash does not match its content",
		},
		{
			name: "append a forged entry at the end (triggers kept)",
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, `INSERT INTO audit_entries SELECT 21, time, actor_user, actor_role, actor_org, action, object, subject, decision, origin_request, origin_ip, hash FROM audit_entries WHERE seq = 20`)
			},
			wantSeq:     21,
			wantProblem: "entry 21: hash does not match its content",
		},
		{
			name: "truncate the tail, no checkpoint (triggers dropped)",
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+"DELETE FROM audit_entries WHERE seq > 15")
			},
			wantSeq:     16,
			wantProblem: "entry 16 missing: log has 15 entries, but SQLite issued sequence numbers up to 20: entries 16 to 20 were removed",
		},
		{
			name:         "truncate the tail and reset SQLite's sequence, with an external checkpoint",
			checkpointAt: 18,
			external:     true,
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+`DELETE FROM audit_entries WHERE seq > 15;
					DELETE FROM audit_checkpoints;
					UPDATE sqlite_sequence SET seq = 15 WHERE name = 'audit_entries';`)
			},
			wantSeq:     16,
			wantProblem: "entry 16 missing: log has 15 entries, the checkpoint of",
		},
		{
			name:         "truncate the tail and reset SQLite's sequence, with a checkpoint stored in the log",
			checkpointAt: 18,
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+`DELETE FROM audit_entries WHERE seq > 15;
					UPDATE sqlite_sequence SET seq = 15 WHERE name = 'audit_entries';`)
			},
			wantSeq:     16,
			wantProblem: "entry 16 missing: log has 15 entries, stored checkpoint 1 says 18: cut back",
		},
		{
			name:         "rewrite an entry and recompute every later hash, with an external checkpoint",
			checkpointAt: 20,
			external:     true,
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+"DELETE FROM audit_checkpoints")
				rewriteFrom(t, l.path, 4, func(e *audit.Entry) { e.Action = signal.ActionSignalRead; e.Decision = nil })
			},
			wantSeq:     20,
			wantProblem: "entry 20 hashes differently than the checkpoint of",
		},
		{
			name:         "roll back to an earlier copy and write on, with an external checkpoint",
			checkpointAt: 20,
			external:     true,
			tamper: func(t *testing.T, l *testLog) {
				shell(t, l.path, dropTriggers+`DELETE FROM audit_checkpoints; DELETE FROM audit_entries WHERE seq > 12;
					UPDATE sqlite_sequence SET seq = 12 WHERE name = 'audit_entries';`)
				for i := 13; i <= 25; i++ {
					appendWithNewWriter(t, l.path, audittest.Entry(100+i))
				}
			},
			wantSeq:     20,
			wantProblem: "entry 20 hashes differently than the checkpoint of",
		},
	}
	for _, tt := range tests {
		for _, split := range []bool{false, true} {
			name := tt.name
			if split {
				name += ", verified in 4 ranges"
			}
			t.Run(name, func(t *testing.T) {
				if split {
					splitVerify(t, 3)
				}
				signer, verifier := testSigner(t)
				l := newTestLog(t, audit.ChainOptions{})
				var external []audit.Checkpoint
				for i := 1; i <= size; i++ {
					audittest.AppendOne(t, l.w.Do, audittest.Entry(i))
					if i == tt.checkpointAt {
						c, msg, err := l.w.Checkpoint(context.Background(), signer)
						if err != nil {
							t.Fatal(err)
						}
						if tt.external {
							// What a privacy officer stored elsewhere, read back.
							back, err := audit.OpenCheckpoint(msg, verifier)
							if err != nil || back != c {
								t.Fatalf("checkpoint round trip: %+v, %v; want %+v", back, err, c)
							}
							external = append(external, back)
						}
					}
				}
				if err := l.w.Close(); err != nil {
					t.Fatal(err)
				}
				db := readHandle(t, l.path)
				if _, err := audit.Verify(context.Background(), db, audit.VerifyOptions{Checkpoints: external, Verifier: verifier}); err != nil {
					t.Fatalf("before tampering: %v", err)
				}

				tt.tamper(t, l)

				_, err := audit.Verify(context.Background(), db, audit.VerifyOptions{Checkpoints: external, Verifier: verifier})
				var te *audit.TamperError
				if !errors.As(err, &te) || !errors.Is(err, audit.ErrTampered) {
					t.Fatalf("after tampering: got %v, want a *TamperError", err)
				}
				if te.Seq != tt.wantSeq || !strings.Contains(te.Problem, tt.wantProblem) {
					t.Fatalf("got entry %d, %q;\nwant entry %d, %q", te.Seq, te.Problem, tt.wantSeq, tt.wantProblem)
				}
			})
		}
	}
}

// splitVerify makes Verify split even small logs into ranges of at least
// minimum entries, checked in parallel, for the duration of the test.
func splitVerify(t *testing.T, minimum int64) {
	t.Cleanup(audit.SplitVerify(minimum))
}

// rewriteFrom is a knowledgeable attacker: it edits entry from (if edit is
// not nil) and recomputes the hash of every entry from there on, so the
// chain is consistent again.
func rewriteFrom(t *testing.T, path string, from int64, edit func(*audit.Entry)) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var recs []audit.Record
	for r, err := range audit.Entries(context.Background(), db, audit.Filter{FromSeq: from - 1}) {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return
	}
	prev := recs[0].Hash
	if from == 1 {
		prev = [32]byte{}
	} else {
		recs = recs[1:]
	}
	for i, r := range recs {
		if i == 0 && edit != nil {
			edit(&r.Entry)
		}
		h, err := audit.EntryHash(prev, r)
		if err != nil {
			t.Fatal(err)
		}
		row, err := audit.ToRow(r.Seq, r.Entry)
		if err != nil {
			t.Fatal(err)
		}
		var decision any
		if row.Col(7) != nil {
			decision = string(row.Col(7))
		}
		if _, err := db.Exec("UPDATE audit_entries SET action = ?, decision = ?, hash = ? WHERE seq = ?", string(row.Col(4)), decision, h[:], r.Seq); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
}

func appendWithNewWriter(t *testing.T, path string, e audit.Entry) {
	t.Helper()
	db, err := openWrite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := newTestWriter(db, audit.ChainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Do(context.Background(), func(ctx context.Context, tx *audit.Appender) error { _, err := tx.Append(ctx, e); return err }); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyIntactLog(t *testing.T) {
	signer, verifier := testSigner(t)
	l := filledLog(t, 30)
	c, msg, err := l.w.Checkpoint(context.Background(), signer)
	if err != nil {
		t.Fatal(err)
	}
	if c.Size != 30 || !strings.HasPrefix(string(msg), "signaal-audit/test\n30\n") {
		t.Fatalf("checkpoint %+v, note %q", c, msg)
	}
	for i := 31; i <= 40; i++ {
		audittest.AppendOne(t, l.w.Do, audittest.Entry(i))
	}
	db := readHandle(t, l.path)

	tests := []struct {
		name       string
		opts       audit.VerifyOptions
		wantHashed int64
	}{
		{"whole log", audit.VerifyOptions{}, 40},
		{"whole log, stored checkpoint signatures checked", audit.VerifyOptions{Verifier: verifier}, 40},
		{"whole log against an external checkpoint", audit.VerifyOptions{Checkpoints: []audit.Checkpoint{c}}, 40},
		{"from a trusted checkpoint", audit.VerifyOptions{From: &c}, 11}, // entry 30 rehashed, then 31..40
		{"with one reader", audit.VerifyOptions{Readers: 1}, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			splitVerify(t, 3)
			res, err := audit.Verify(context.Background(), db, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			size, head, err := audit.Head(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			if res.Size != 40 || res.Size != size || res.Head != head || res.Hashed != tt.wantHashed {
				t.Fatalf("got size %d head %x hashed %d; want size %d head %x hashed %d", res.Size, res.Head, res.Hashed, size, head, tt.wantHashed)
			}
		})
	}
}

func TestVerifyEmptyLog(t *testing.T) {
	l := newTestLog(t, audit.ChainOptions{})
	res, err := audit.Verify(context.Background(), readHandle(t, l.path), audit.VerifyOptions{})
	if err != nil || res.Size != 0 || res.Head != ([32]byte{}) {
		t.Fatalf("empty log: %+v, %v", res, err)
	}
}

// TestStoredCheckpointOfAnUntrustedKeyIsReportedNotTampering: a checkpoint
// signed by a key the operator does not trust (a temporary key) is reported
// and not used; it never turns the log into "tampered" for good. Once its
// key is trusted (rotated out, kept in Trusted) it counts as an anchor. A
// signature by the trusted key that does not verify is tampering.
func TestStoredCheckpointOfAnUntrustedKeyIsReportedNotTampering(t *testing.T) {
	ctx := context.Background()
	signer, verifier := testSigner(t)
	_, otherVerifier := testSigner(t) // a different key of the same name
	l := filledLog(t, 5)
	if _, _, err := l.w.Checkpoint(ctx, signer); err != nil {
		t.Fatal(err)
	}
	res, err := audit.Verify(ctx, readHandle(t, l.path), audit.VerifyOptions{Verifier: otherVerifier})
	if err != nil || len(res.Untrusted) != 1 || res.Untrusted[0].ID != 1 || res.Untrusted[0].Keys != "signaal-audit/test" || res.Anchors != 0 {
		t.Fatalf("got %+v, %v; want the checkpoint reported as untrusted and the log intact", res, err)
	}
	res, err = audit.Verify(ctx, readHandle(t, l.path), audit.VerifyOptions{Verifier: otherVerifier, Trusted: []note.Verifier{verifier}})
	if err != nil || len(res.Untrusted) != 0 || res.Anchors != 1 {
		t.Fatalf("with the old key trusted: %+v, %v; want one anchor", res, err)
	}
	// The trusted key's signature altered: forged.
	db, err := sql.Open("sqlite3", "file:"+l.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var msg string
	db.QueryRow(`SELECT note FROM audit_checkpoints WHERE id = 1`).Scan(&msg)
	i := strings.LastIndex(msg, " ")
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(msg[i+1:]))
	if err != nil {
		t.Fatal(err)
	}
	sig[len(sig)-1] ^= 1 // same key hash, signature altered
	forged := msg[:i+1] + base64.StdEncoding.EncodeToString(sig) + "\n"
	db.Exec(`DROP TRIGGER IF EXISTS audit_checkpoints_insert_only_update`)
	if _, err := db.Exec(`UPDATE audit_checkpoints SET note = ? WHERE id = 1`, forged); err != nil {
		t.Skipf("cannot alter the stored checkpoint here: %v", err)
	}
	_, err = audit.Verify(ctx, readHandle(t, l.path), audit.VerifyOptions{Verifier: verifier})
	if !errors.Is(err, audit.ErrTampered) || !strings.Contains(err.Error(), "stored checkpoint 1: checkpoint signature") {
		t.Fatalf("got %v, want the forged signature refused", err)
	}
}

func TestKeyIsCreatedOnceWithPrivateMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", audit.CheckpointKeyFile)
	s1, v1, err := audit.LoadOrCreateKey(path, "signaal-audit/a")
	if err != nil {
		t.Fatal(err)
	}
	s2, v2, err := audit.LoadOrCreateKey(path, "signaal-audit/b")
	if err != nil {
		t.Fatal(err)
	}
	if v1 != v2 || s1.Name() != s2.Name() || s2.Name() != "signaal-audit/a" {
		t.Fatalf("second load made a new key: %s vs %s", v1, v2)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	pub, err := os.ReadFile(audit.PublicKeyPath(path))
	if err != nil || strings.TrimSpace(string(pub)) != v1 {
		t.Fatalf("public key file %q (%v), want %q", pub, err, v1)
	}
}

func TestEntriesFilters(t *testing.T) {
	l := filledLog(t, 10)
	other := audittest.Entry(11)
	other.Action = signal.ActionSignalRead
	other.Subject = "yp:b3RoZXIgeW91bmcgcGVyc29uIGhlcmU"
	other.Decision = nil
	audittest.AppendOne(t, l.w.Do, other)
	db := readHandle(t, l.path)
	tests := []struct {
		name string
		f    audit.Filter
		want []int64
	}{
		{"a seq range", audit.Filter{FromSeq: 3, ToSeq: 5}, []int64{3, 4, 5}},
		{"a page", audit.Filter{FromSeq: 9, Limit: 2}, []int64{9, 10}},
		{"by action", audit.Filter{Action: string(signal.ActionSignalRead)}, []int64{11}},
		{"by young person", audit.Filter{Subject: other.Subject}, []int64{11}},
		{"by time", audit.Filter{Since: time.Date(2026, 11, 22, 9, 0, 0, 10, time.UTC)}, []int64{10, 11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for r, err := range audit.Entries(context.Background(), db, tt.f) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, r.Seq)
			}
			if !equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	// Records read back are the entries appended.
	for r, err := range audit.Entries(context.Background(), db, audit.Filter{FromSeq: 4, Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		want := audittest.Entry(4)
		want.Decision.Input = []byte(`{"purpose":"coordinate_support","youth":{"age":15,"capable":true},"fields":["facts"]}`)
		if r.Actor != want.Actor || r.Subject != want.Subject || !r.Time.Equal(want.Time) || string(r.Decision.Input) != string(want.Decision.Input) || r.Decision.Rule != "R8" {
			t.Fatalf("read back %+v, want %+v", r.Entry, want)
		}
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestExport(t *testing.T) {
	l := filledLog(t, 3)
	audittest.AppendOne(t, l.w.Do, audit.Entry{Time: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Actor: signal.Actor{UserID: "-1", Role: "admin"}, Action: signal.ActionLogout})
	db := readHandle(t, l.path)
	var b strings.Builder
	n, err := audit.Export(context.Background(), db, time.Time{}, &b, audit.JSONL)
	if err != nil || n != 4 {
		t.Fatalf("jsonl export: %d, %v", n, err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], `{"seq":1,"time":"2026-11-22T09:00:00.000000001Z","actor":{"user_id":"u-17","role":"reporter","org":"org-school-3"},"action":"`+string(signal.ActionShareDecide)+`",`) {
		t.Fatalf("jsonl export:\n%s", b.String())
	}
	if !strings.Contains(lines[3], `"decision":null`) {
		t.Fatalf("entry without decision: %s", lines[3])
	}

	b.Reset()
	n, err = audit.Export(context.Background(), db, time.Date(2026, 11, 22, 9, 0, 0, 2, time.UTC), &b, audit.CSV)
	if err != nil || n != 3 {
		t.Fatalf("csv export: %d, %v", n, err)
	}
	lines = strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if lines[0] != strings.Join(audit.CSVHeader, ",") {
		t.Fatalf("csv header %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "2,2026-11-22T09:00:00.000000002Z,u-17,reporter,org-school-3,share.decide,signal/2,"+audittest.Subject+",ask_consent,anonymous,R8,facts,record_justification,parents_not_asked,sha256:0123abcd,coordinate_support,signal_meeting,") {
		t.Fatalf("csv row %q", lines[1])
	}
	if !strings.HasPrefix(lines[3], "4,2026-12-01T00:00:00Z,'-1,admin,,logout,") {
		t.Fatalf("csv row of a value starting with '-' (CSV injection guard): %q", lines[3])
	}
	if _, err := audit.Export(context.Background(), db, time.Time{}, io.Discard, "xml"); err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) {
		t.Fatalf("unknown format: %v", err)
	}
}

// TestPublicKeyIsDerivedFromTheSigningKey covers keys whose base64 holds a
// "+", the separator of the key's other parts (about half of all keys).
func TestPublicKeyIsDerivedFromTheSigningKey(t *testing.T) {
	dir := t.TempDir()
	for i := range 32 {
		path := filepath.Join(dir, fmt.Sprintf("k%d.key", i))
		_, created, err := audit.LoadOrCreateKey(path, "signaal-audit/x")
		if err != nil {
			t.Fatal(err)
		}
		_, derived, err := audit.LoadKey(path)
		if err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
		if derived != created {
			t.Fatalf("key %d: derived public key %s, created %s", i, derived, created)
		}
	}
}

// TestVerifyFromATrustedCheckpoint checks the quick mode: only what came
// after a trusted checkpoint is rehashed, but the checkpoint's own last
// entry must still hash to its head, and the log must reach it.
func TestVerifyFromATrustedCheckpoint(t *testing.T) {
	tests := []struct {
		name        string
		tamper      string
		wantSeq     int64
		wantProblem string
	}{
		{"the checkpoint's last entry altered", "UPDATE audit_entries SET object = 'signal/x' WHERE seq = 10", 10, "entry 10: hash does not match its content"},
		{"the entry before it altered, with its hash", "UPDATE audit_entries SET hash = zeroblob(32) WHERE seq = 9", 10, "entry 10: hash does not match its content"},
		{"the entry before it deleted", "DELETE FROM audit_entries WHERE seq = 9", 9, "entry 9 missing"},
		{"an entry after it altered", "UPDATE audit_entries SET object = 'signal/x' WHERE seq = 13", 13, "entry 13: hash does not match its content"},
		{"cut back below it", "DELETE FROM audit_entries WHERE seq > 8", 9, "entry 9 missing: log has 8 entries, the checkpoint of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signer, _ := testSigner(t)
			l := filledLog(t, 10)
			c, _, err := l.w.Checkpoint(context.Background(), signer)
			if err != nil {
				t.Fatal(err)
			}
			for i := 11; i <= 15; i++ {
				audittest.AppendOne(t, l.w.Do, audittest.Entry(i))
			}
			l.w.Close()
			shell(t, l.path, dropTriggers+"DELETE FROM audit_checkpoints;"+tt.tamper)
			_, err = audit.Verify(context.Background(), readHandle(t, l.path), audit.VerifyOptions{From: &c})
			var te *audit.TamperError
			if !errors.As(err, &te) || te.Seq != tt.wantSeq || !strings.Contains(te.Problem, tt.wantProblem) {
				t.Fatalf("got %v; want entry %d, %q", err, tt.wantSeq, tt.wantProblem)
			}
		})
	}
}
