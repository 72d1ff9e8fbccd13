package keystore_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/keystore"
)

// env is a database and its keys directory.
type env struct {
	dbPath, keys string
	db           *app.App // the database alone (app.Database)
}

func newEnv(t *testing.T) *env {
	dir := t.TempDir()
	return &env{dbPath: filepath.Join(dir, "signaal.db"), keys: filepath.Join(dir, "keys")}
}

// open opens the database and the key store on it.
func (e *env) open(t *testing.T) (*keystore.Store, error) {
	t.Helper()
	if e.db == nil {
		db, err := app.Open(context.Background(), app.Options{DB: e.dbPath, Keys: e.keys, Parts: app.Database})
		if err != nil {
			t.Fatal(err)
		}
		e.db = db
		t.Cleanup(func() { db.Close() })
	}
	return keystore.Open(context.Background(), e.keys, keystore.Options{Keys: e.db.DB.YouthKeys()})
}

func (e *env) mustOpen(t *testing.T) *keystore.Store {
	t.Helper()
	s, err := e.open(t)
	if err != nil {
		t.Fatalf("open key store: %v", err)
	}
	return s
}

func (e *env) close() {
	e.db.Close()
	e.db = nil
}

func openStore(t *testing.T, dir string) *keystore.Store {
	t.Helper()
	e := &env{dbPath: filepath.Join(dir, "signaal.db"), keys: filepath.Join(dir, "keys")}
	return e.mustOpen(t)
}

func TestSealUnsealRoundTripAndBinding(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	youth := s.Pseudonym("Sanne de Vries", "2011-04-30")
	other := s.Pseudonym("Sanne de Vries", "2011-05-01")
	ct, err := s.Seal(ctx, youth, []byte("signal/1/facts"), []byte("komt te laat"))
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	if bytes.Contains(ct, []byte("komt te laat")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	pt, err := s.Unseal(ctx, youth, []byte("signal/1/facts"), ct)
	if err != nil || string(pt) != "komt te laat" {
		t.Fatalf("unseal = %q, %v; want the plaintext", pt, err)
	}
	if _, err := s.Seal(ctx, other, []byte("x"), []byte("y")); err != nil {
		t.Fatalf("seal for other young person: %v", err)
	}
	tampered := bytes.Clone(ct)
	tampered[len(tampered)-1] ^= 1
	for _, tc := range []struct {
		name  string
		youth string
		ad    string
		ct    []byte
	}{
		{"another field of the same row", youth, "signal/1/opinions", ct},
		{"the same field of another row", youth, "signal/2/facts", ct},
		{"another young person", other, "signal/1/facts", ct},
		{"an altered ciphertext", youth, "signal/1/facts", tampered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if pt, err := s.Unseal(ctx, tc.youth, []byte(tc.ad), tc.ct); err == nil {
				t.Fatalf("unseal succeeded with %q; want an error", pt)
			}
		})
	}
}

func TestKeysSurviveReopen(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := e.mustOpen(t)
	youth := s.Pseudonym("Mo", "2012-01-01")
	ct, err := s.Seal(ctx, youth, nil, []byte("feit"))
	if err != nil {
		t.Fatal(err)
	}
	e.close()
	s = e.mustOpen(t)
	if pt, err := s.Unseal(ctx, youth, nil, ct); err != nil || string(pt) != "feit" {
		t.Fatalf("after reopen: %q %v", pt, err)
	}
}

func TestEraseLeavesATombstoneAndRemovesKeyBytes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := e.mustOpen(t)
	youth := s.Pseudonym("Noor", "2010-10-10")
	ct, err := s.Seal(ctx, youth, []byte("a"), []byte("observatie"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := keystore.KeyID(ct)
	k, ok, err := e.db.DB.YouthKeys().KeyByID(ctx, id)
	if err != nil || !ok {
		t.Fatalf("key row: %v %v", ok, err)
	}
	if err := s.Erase(ctx, youth); err != nil {
		t.Fatalf("erase: %v", err)
	}
	if _, err := s.Unseal(ctx, youth, []byte("a"), ct); !errors.Is(err, keystore.ErrErased) || !errors.Is(err, signal.ErrContentErased) {
		t.Fatalf("unseal after erase: %v; want ErrErased", err)
	}
	tomb, ok, err := e.db.DB.YouthKeys().KeyByID(ctx, id)
	if err != nil || !ok || !tomb.Erased || tomb.Wrapped != nil {
		t.Fatalf("after erasure the key row is %+v %v %v; want a tombstone without key bytes", tomb, ok, err)
	}
	// A new signal about the same young person gets a new key; the old
	// content stays unreadable.
	if _, err := s.Seal(ctx, youth, []byte("b"), []byte("nieuw")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unseal(ctx, youth, []byte("a"), ct); !errors.Is(err, keystore.ErrErased) {
		t.Fatalf("old content after a new key: %v; want ErrErased", err)
	}
	// Closing the database checkpoints and removes the WAL: the key bytes
	// are nowhere in the files (secure_delete zeroed them in the page).
	e.close()
	for _, name := range []string{e.dbPath, e.dbPath + "-wal"} {
		b, err := os.ReadFile(name)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, k.Wrapped) {
			t.Errorf("%s still holds the erased key's bytes", filepath.Base(name))
		}
	}
}

func TestMasterKeyReadableByOthersIsRefused(t *testing.T) {
	e := newEnv(t)
	e.mustOpen(t)
	if err := os.Chmod(filepath.Join(e.keys, keystore.MasterKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := e.open(t)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("open with a world-readable master key: %v; want a refusal saying how to fix it", err)
	}
}

// TestKeyMaterialFaults: what Open and Unseal do with missing, empty, wrong
// or damaged key material. Nothing is ever read as erased that was not.
func TestKeyMaterialFaults(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, e *env, id int64)
		openErr string // "" when Open succeeds
		unseal  error  // what unsealing the signal then gives
	}{
		{"nothing wrong", func(*testing.T, *env, int64) {}, "", nil},
		{"master.key missing while data exists", func(t *testing.T, e *env, _ int64) {
			os.Remove(filepath.Join(e.keys, keystore.MasterKeyFile))
		}, "is missing while the database holds data", nil},
		{"keys directory not mounted", func(t *testing.T, e *env, _ int64) {
			os.RemoveAll(e.keys)
		}, "is missing while the database holds data", nil},
		{"master.key empty", func(t *testing.T, e *env, _ int64) {
			os.WriteFile(filepath.Join(e.keys, keystore.MasterKeyFile), nil, 0o600)
		}, "holds 0 bytes", nil},
		{"master.key of another database", func(t *testing.T, e *env, _ int64) {
			other := make([]byte, 32)
			other[0] = 1
			os.WriteFile(filepath.Join(e.keys, keystore.MasterKeyFile), other, 0o600)
		}, "does not belong to this database", nil},
		{"key row deleted behind the service's back", func(t *testing.T, e *env, id int64) {
			rawExec(t, e.dbPath, `DELETE FROM youth_keys WHERE id = ?`, id)
		}, "", keystore.ErrKeyMissing},
		{"key row altered", func(t *testing.T, e *env, id int64) {
			rawExec(t, e.dbPath, `UPDATE youth_keys SET wrapped = zeroblob(60) WHERE id = ?`, id)
		}, "", errAny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			s := e.mustOpen(t)
			youth := s.Pseudonym("Sem", "2011-02-03")
			ct, err := s.Seal(ctx, youth, []byte("f"), []byte("feit"))
			if err != nil {
				t.Fatal(err)
			}
			// A signal row, so the database holds data.
			rawSignal(t, e.dbPath, youth)
			id, _ := keystore.KeyID(ct)
			e.close()
			tc.damage(t, e, id)
			s, err = e.open(t)
			if tc.openErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.openErr) {
					t.Fatalf("open: %v; want a refusal with %q", err, tc.openErr)
				}
				if _, err := os.Stat(filepath.Join(e.keys, keystore.MasterKeyFile)); err == nil && tc.name != "master.key empty" && tc.name != "master.key of another database" {
					t.Fatal("a master key was created over existing data")
				}
				return
			}
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			_, err = s.Unseal(ctx, youth, []byte("f"), ct)
			switch {
			case tc.unseal == nil && err != nil:
				t.Fatalf("unseal: %v", err)
			case tc.unseal == errAny && err == nil:
				t.Fatal("unseal of damaged key succeeded")
			case tc.unseal != nil && tc.unseal != errAny && !errors.Is(err, tc.unseal):
				t.Fatalf("unseal: %v; want %v", err, tc.unseal)
			}
			if tc.unseal != nil && errors.Is(err, signal.ErrContentErased) {
				t.Fatalf("damaged key read as erased: %v", err)
			}
			if tc.unseal != nil && s.Check(ctx) == nil && errors.Is(tc.unseal, keystore.ErrKeyMissing) {
				t.Fatal("Check says ready with a key missing")
			}
		})
	}
}

var errAny = errors.New("any error")

func rawExec(t *testing.T, path, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

// rawSignal stores a minimal signal row about youth (no organisation: the
// plain handle does not enforce foreign keys).
func rawSignal(t *testing.T, path, youth string) {
	t.Helper()
	rawExec(t, path, `INSERT INTO signals (id, youth, org_id, reporter_id, cooperation_id, category, observed_on, age, capable,
		contains, has_opinions, status, answers, decision, meeting_level, name_ct, birth_date_ct, facts_ct, opinions_ct, created_at, updated_at, version)
		VALUES ('s1', ?, 'o', 'r', 'c', 'x', '2026-01-01', 12, 0, '[]', 0, 'decided', '{}', '{}', 'none', x'01', x'01', x'01', NULL, '2026-01-01', '2026-01-01', 1)`, youth)
}

// TestLegacyKeyFileIsImportedOnce: youth-keys.db of an older signald is
// moved into the database with the check value, its file removed, and old
// ciphertexts (format 1) still open.
func TestLegacyKeyFileIsImportedOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	os.MkdirAll(e.keys, 0o700)
	master := bytes.Repeat([]byte{7}, 32)
	os.WriteFile(filepath.Join(e.keys, keystore.MasterKeyFile), master, 0o600)
	wrapKey, _ := hkdf.Key(sha256.New, master, nil, "signaal youth data key wrapping v1", 32)
	wrap := gcm(t, wrapKey)
	dataKey := bytes.Repeat([]byte{9}, 32)
	youth := "aa" + strings.Repeat("0", 62)
	nonce := make([]byte, 12)
	wrapped := wrap.Seal(bytes.Clone(nonce), nonce, dataKey, []byte("youth-key/"+youth))
	old, err := sql.Open("sqlite3", "file:"+filepath.Join(e.keys, keystore.KeysDBFile))
	if err != nil {
		t.Fatal(err)
	}
	old.Exec(`CREATE TABLE youth_keys (youth TEXT PRIMARY KEY, wrapped BLOB NOT NULL, created_at TEXT NOT NULL) STRICT`)
	if _, err := old.Exec(`INSERT INTO youth_keys VALUES (?, ?, '2025-01-01T00:00:00Z')`, youth, wrapped); err != nil {
		t.Fatal(err)
	}
	old.Close()
	// A version-1 ciphertext, as the old Seal made it.
	data := gcm(t, dataKey)
	ad := append([]byte{0, byte(len(youth))}, youth...)
	ad = append(ad, "f"...)
	ct := append([]byte{1}, nonce...)
	ct = data.Seal(ct, nonce, []byte("oud feit"), ad)

	s := e.mustOpen(t)
	if pt, err := s.Unseal(ctx, youth, []byte("f"), ct); err != nil || string(pt) != "oud feit" {
		t.Fatalf("old ciphertext after import: %q %v", pt, err)
	}
	if _, err := os.Stat(filepath.Join(e.keys, keystore.KeysDBFile)); !os.IsNotExist(err) {
		t.Fatalf("youth-keys.db is still there after the import: %v", err)
	}
	e.close()
	s = e.mustOpen(t) // the second start imports nothing and still opens it
	if _, err := s.Unseal(ctx, youth, []byte("f"), ct); err != nil {
		t.Fatal(err)
	}
	// A wrong master key with a legacy file is refused, and nothing is imported.
	e2 := newEnv(t)
	os.MkdirAll(e2.keys, 0o700)
	os.WriteFile(filepath.Join(e2.keys, keystore.MasterKeyFile), bytes.Repeat([]byte{8}, 32), 0o600)
	old, _ = sql.Open("sqlite3", "file:"+filepath.Join(e2.keys, keystore.KeysDBFile))
	old.Exec(`CREATE TABLE youth_keys (youth TEXT PRIMARY KEY, wrapped BLOB NOT NULL, created_at TEXT NOT NULL) STRICT`)
	old.Exec(`INSERT INTO youth_keys VALUES (?, ?, '2025-01-01T00:00:00Z')`, youth, wrapped)
	old.Close()
	if _, err := e2.open(t); !errors.Is(err, keystore.ErrForeignKeys) {
		t.Fatalf("import under the wrong master key: %v; want ErrForeignKeys", err)
	}
	if _, err := os.Stat(filepath.Join(e2.keys, keystore.KeysDBFile)); err != nil {
		t.Fatalf("the legacy file was removed although nothing was imported: %v", err)
	}
}

func gcm(t *testing.T, key []byte) cipher.AEAD {
	b, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestConcurrentFirstUsesShareOneKey(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := e.mustOpen(t)
	youth := s.Pseudonym("Daan", "2009-09-09")
	const n = 32
	cts := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ct, err := s.Seal(ctx, youth, nil, []byte("x"))
			if err != nil {
				t.Error(err)
			}
			cts[i] = ct
		})
	}
	wg.Wait()
	// A fresh store (empty cache) must open every ciphertext: they were all
	// sealed under the one stored key.
	e.close()
	s = e.mustOpen(t)
	for i, ct := range cts {
		if _, err := s.Unseal(ctx, youth, nil, ct); err != nil {
			t.Fatalf("ciphertext %d: %v", i, err)
		}
	}
}

func TestPseudonymRecognisesSpellingsOfOneName(t *testing.T) {
	s := openStore(t, t.TempDir())
	base := s.Pseudonym("Jan-Willem van den Berg", "2011-04-30")
	for _, tc := range []struct {
		name, birth string
		same        bool
	}{
		{"jan willem Van Den Berg", "2011-04-30", true},
		{"  JanWillem   vandenberg. ", "2011-04-30", true},
		{"Jan-Willem van den Berg", "2011-04-29", false},
		{"Jan van den Berg", "2011-04-30", false},
	} {
		t.Run(tc.name+"/"+tc.birth, func(t *testing.T) {
			if got := s.Pseudonym(tc.name, tc.birth) == base; got != tc.same {
				t.Errorf("same pseudonym = %v, want %v", got, tc.same)
			}
		})
	}
	other := openStore(t, t.TempDir())
	if other.Pseudonym("Jan-Willem van den Berg", "2011-04-30") == base {
		t.Error("two master keys gave the same pseudonym: it is not keyed")
	}
}

func TestNormaliseName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Zoë Çelik", "zoe celik"},
		{"Søren Straße", "soren strasse"},
		{"Łukasz Wałęsa", "lukasz walesa"},
		{"Ĳsbrand d'Hondt", "ijsbrand dhondt"},
		{"Iıldız", "iildiz"},
		{"  Anne-Marie\tO'Neill ", "anne marie oneill"},
		{"---", ""},
	} {
		if got := keystore.NormaliseName(tc.in); got != tc.want {
			t.Errorf("NormaliseName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
