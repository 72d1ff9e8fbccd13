package keystore_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal/keystore"
)

func openStore(t *testing.T, dir string) *keystore.Store {
	t.Helper()
	s, err := keystore.Open(context.Background(), dir, keystore.Options{})
	if err != nil {
		t.Fatalf("open key store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
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
	dir := t.TempDir()
	s, err := keystore.Open(ctx, dir, keystore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	youth := s.Pseudonym("Mo", "2012-01-01")
	ct, err := s.Seal(ctx, youth, nil, []byte("feit"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := openStore(t, dir)
	if got := s2.Pseudonym("Mo", "2012-01-01"); got != youth {
		t.Errorf("pseudonym changed across reopen: %s != %s", got, youth)
	}
	if pt, err := s2.Unseal(ctx, youth, nil, ct); err != nil || string(pt) != "feit" {
		t.Fatalf("unseal after reopen = %q, %v", pt, err)
	}
	for _, name := range []string{keystore.MasterKeyFile, keystore.KeysDBFile, keystore.KeysDBFile + "-wal", keystore.KeysDBFile + "-shm"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v; want 0600", name, fi.Mode().Perm())
		}
	}
}

func TestEraseMakesContentUnreadableAndRemovesKeyBytes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	youth := s.Pseudonym("Noor", "2010-10-10")
	ct, err := s.Seal(ctx, youth, []byte("a"), []byte("observatie"))
	if err != nil {
		t.Fatal(err)
	}
	wrapped := readWrappedKey(t, dir, youth)
	if err := s.Erase(ctx, youth); err != nil {
		t.Fatalf("erase: %v", err)
	}
	if _, err := s.Unseal(ctx, youth, []byte("a"), ct); !errors.Is(err, keystore.ErrErased) {
		t.Fatalf("unseal after erase: %v; want ErrErased", err)
	}
	for _, name := range []string{keystore.KeysDBFile, keystore.KeysDBFile + "-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, wrapped) {
			t.Errorf("%s still holds the erased key's bytes", name)
		}
		if bytes.Contains(b, []byte(youth)) {
			t.Errorf("%s still holds the erased young person's pseudonym", name)
		}
	}
	// A new signal about the same young person gets a new key; the old
	// content stays unreadable.
	if _, err := s.Seal(ctx, youth, []byte("b"), []byte("nieuw")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unseal(ctx, youth, []byte("a"), ct); err == nil {
		t.Fatal("old content opened under the new key")
	}
}

func readWrappedKey(t *testing.T, dir, youth string) []byte {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, keystore.KeysDBFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wrapped []byte
	if err := db.QueryRow(`SELECT wrapped FROM youth_keys WHERE youth = ?`, youth).Scan(&wrapped); err != nil {
		t.Fatalf("read wrapped key: %v", err)
	}
	return wrapped
}

func TestMasterKeyReadableByOthersIsRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := keystore.Open(context.Background(), dir, keystore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Chmod(filepath.Join(dir, keystore.MasterKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = keystore.Open(context.Background(), dir, keystore.Options{})
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("open with a world-readable master key: %v; want a refusal saying how to fix it", err)
	}
}

func TestConcurrentFirstUsesShareOneKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
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
	s.Close()
	s = openStore(t, dir)
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

func TestEraseByAnotherProcessTakesEffectWithinTheCacheTTL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	server, err := keystore.Open(ctx, dir, keystore.Options{CacheTTL: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	youth := server.Pseudonym("Noor", "2010-10-10")
	ct, err := server.Seal(ctx, youth, nil, []byte("feit"))
	if err != nil {
		t.Fatal(err)
	}
	cli := openStore(t, dir) // signald youth erase, beside the running server
	if err := cli.Erase(ctx, youth); err != nil {
		t.Fatal(err)
	}
	now = now.Add(61 * time.Second)
	if _, err := server.Unseal(ctx, youth, nil, ct); !errors.Is(err, keystore.ErrErased) {
		t.Fatalf("the server still opens erased content a minute later: %v", err)
	}
}
