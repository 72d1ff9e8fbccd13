// Package keystore encrypts what is said about a young person at rest, with a
// data key per young person, and derives the keyed pseudonym by which the
// rest of Signaal refers to that young person. It is the cryptography only:
// the wrapped data keys are rows of the service's own database (a KeyTable,
// implemented by signal/sqlite), so a signal and the key it is sealed under
// commit in one transaction, an erasure is one transaction, and one backup
// of the database holds both.
//
// The keys directory holds the one secret that is not in the database:
//
//   - master.key: 32 random bytes. It wraps (AES-256-GCM) every data key and
//     derives (HKDF-SHA256) the pseudonym key, the fingerprint key and the
//     check value the database keeps of it. Whoever holds it and the database
//     can read everything; back it up apart from the data.
//
// The database stores a check value of the master key: Open refuses keys
// that do not belong to the database, and never makes a new master key for a
// database that holds data.
//
// Erasing a young person's key (Erase) leaves the key's row as a tombstone
// (key bytes gone, erased_at set): everything sealed under it is unreadable
// for good, and that it was erased is a recorded fact. A key that is missing
// where a ciphertext says one was used is corruption (ErrKeyMissing), never
// taken for an erasure.
package keystore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/signaal-nl/signaal/signal"
)

// File names inside the keys directory.
const (
	MasterKeyFile = "master.key"
	// KeysDBFile is where data keys were kept before they moved into the
	// database; Open imports it once and then removes it.
	KeysDBFile = "youth-keys.db"
)

// ErrErased is returned by Unseal when the young person's key was erased:
// the content is gone for good.
var ErrErased = fmt.Errorf("the key of this young person has been erased: %w", signal.ErrContentErased)

// ErrKeyMissing is returned by Unseal when the key a ciphertext was sealed
// under is not in the database at all, neither live nor erased: the key
// table is damaged or was restored from another backup than the data. It is
// not an erasure: restore the database from a backup.
var ErrKeyMissing = errors.New("the data key this content was sealed under is missing from the database (not erased: the key table is damaged or from another backup)")

// ErrForeignKeys is returned by Open when master.key does not belong to the
// database.
var ErrForeignKeys = errors.New("the master key does not belong to this database")

// Seal formats. Version 1 (before keys moved into the database) is
// [1][nonce][ciphertext] and was sealed under the young person's only key;
// version 2 is [2][key id, 8 bytes big-endian][nonce][ciphertext], so every
// ciphertext names the key row it needs.
const (
	sealV1 byte = 1
	sealV2 byte = 2
)

// KeyID returns the id of the key row a version-2 ciphertext was sealed
// under; ok is false for other formats.
func KeyID(ct []byte) (id int64, ok bool) {
	if len(ct) < 9 || ct[0] != sealV2 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(ct[1:9])), true
}

// Key is a row of the key table.
type Key struct {
	ID      int64
	Youth   string
	Wrapped []byte // nil once erased
	Erased  bool
}

// KeyTable is where the wrapped data keys live: a table of the service's
// database (implemented by *sqlite.YouthKeys).
type KeyTable interface {
	// LiveKey returns youth's live key; ok false if youth has none.
	LiveKey(ctx context.Context, youth string) (k Key, ok bool, err error)
	// KeyByID returns the key row id, live or erased; ok false if no row.
	KeyByID(ctx context.Context, id int64) (k Key, ok bool, err error)
	// LegacyKey returns the key imported for youth from youth-keys.db (what
	// version-1 ciphertexts were sealed under); ok false if none.
	LegacyKey(ctx context.Context, youth string) (k Key, ok bool, err error)
	// CreateKey durably stores wrapped as youth's live key unless youth
	// has one already, and returns youth's live key (the stored one).
	CreateKey(ctx context.Context, youth string, wrapped []byte) (Key, error)
	// EraseKeys turns youth's live keys into tombstones.
	EraseKeys(ctx context.Context, youth string) error
	// MasterCheck returns the check value stored for the master key; ""
	// if none is stored yet.
	MasterCheck(ctx context.Context) (string, error)
	// HoldsData reports whether the database holds signals or keys.
	HoldsData(ctx context.Context) (bool, error)
	// Adopt imports the keys of the legacy youth-keys.db at path (if it
	// is not "") and stores check as the master key's check value, in one
	// transaction, provided opens accepts every imported key (it opens
	// with the master key). It returns the number of keys imported.
	Adopt(ctx context.Context, legacyPath string, check string, opens func(Key) bool) (int, error)
	// MissingKeys counts the young people with content whose key is
	// missing (no row at all).
	MissingKeys(ctx context.Context) (int, error)
	// OnErased registers forget, to be called with the young people whose
	// keys an erasure retired once it committed, whoever erased them.
	OnErased(forget func(youths ...string))
}

// Options tune a Store.
type Options struct {
	// Keys is the key table in the service's database. Required.
	Keys KeyTable
	// Logger receives operational messages; never key material, never names.
	Logger *slog.Logger
	// CacheSize bounds the number of unwrapped data keys kept in memory
	// (default 10,000), so sealing and opening a known young person's
	// content costs no database read. Erase drops a key from it at once;
	// only the process that owns the database writes it (sqlite.Lock).
	CacheSize int
}

// Store seals and unseals content per young person. It is safe for
// concurrent use.
type Store struct {
	log    *slog.Logger
	dir    string
	keys   KeyTable
	wrap   cipher.AEAD
	check  string
	master []byte
	// pseudonymKey and fingerprintKey are derived from the master key, so
	// there is one secret to keep; each key has its own HKDF label so one
	// use cannot be turned into another.
	pseudonymKey   []byte
	fingerprintKey []byte

	mu           sync.Mutex
	byID         map[int64]cachedKey // unwrapped keys by row id
	live         map[string]int64    // youth -> id of the live key (cached)
	cacheMax     int
	missing      atomic.Int64 // keys found missing while running (corruption)
	startMissing int
}

type cachedKey struct {
	youth string
	aead  cipher.AEAD
}

// Open loads master.key from dir and checks it against the database: it
// refuses a master key whose check value differs from the stored one
// (ErrForeignKeys), and a missing master.key while the database holds data.
// Only for a database without data does it create master.key. On the first
// start after keys moved into the database, it imports youth-keys.db from
// dir in one transaction with the check value, and then removes that file:
// it would otherwise keep erased keys alive.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if opts.Keys == nil {
		return nil, errors.New("open key store: no key table")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = 10_000
	}
	holds, err := opts.Keys.HoldsData(ctx)
	if err != nil {
		return nil, fmt.Errorf("open key store: %w", err)
	}
	stored, err := opts.Keys.MasterCheck(ctx)
	if err != nil {
		return nil, fmt.Errorf("open key store: %w", err)
	}
	masterPath := filepath.Join(dir, MasterKeyFile)
	master, err := loadMaster(masterPath)
	if errors.Is(err, fs.ErrNotExist) {
		if holds || stored != "" {
			return nil, fmt.Errorf("%s is missing while the database holds data: restore it (and the rest of the keys directory) from the backup; signald never makes a new master key for existing data", masterPath)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create keys directory: %w", err)
		}
		master, err = createMaster(masterPath)
	}
	if err != nil {
		return nil, err
	}
	s := &Store{
		log:      opts.Logger,
		dir:      dir,
		keys:     opts.Keys,
		master:   master,
		byID:     make(map[int64]cachedKey),
		live:     make(map[string]int64),
		cacheMax: opts.CacheSize,
	}
	if err := s.derive(master); err != nil {
		return nil, err
	}
	switch {
	case stored == s.check:
	case stored != "":
		return nil, fmt.Errorf("%s: %w (its check value differs from the one the database stores): give the keys directory that belongs to this database, or restore both from one backup", masterPath, ErrForeignKeys)
	default:
		if err := s.adopt(ctx, holds); err != nil {
			return nil, err
		}
	}
	opts.Keys.OnErased(s.Forget)
	if s.startMissing, err = opts.Keys.MissingKeys(ctx); err != nil {
		return nil, fmt.Errorf("check the key table: %w", err)
	}
	if s.startMissing > 0 {
		s.log.Error("key store: young people with content have no key row (not erased: damaged)", "young_people", s.startMissing)
	}
	return s, nil
}

// adopt makes this master key the database's: it imports youth-keys.db if
// there is one, checks that the master key opens the imported keys, and
// stores the check value, then removes the legacy file.
func (s *Store) adopt(ctx context.Context, holds bool) error {
	legacy := filepath.Join(s.dir, KeysDBFile)
	_, err := os.Stat(legacy)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		legacy = ""
		if holds {
			// Data but no check value: data from before keys moved into
			// the database, whose key file is gone.
			return fmt.Errorf("the database holds data from before keys moved into it, but %s is missing from %s: restore the keys directory from the backup taken with this database", KeysDBFile, s.dir)
		}
	case err != nil:
		return fmt.Errorf("look for %s: %w", KeysDBFile, err)
	}
	n, err := s.keys.Adopt(ctx, legacy, s.check, s.opens)
	if err != nil {
		return fmt.Errorf("adopt the keys of %s: %w", s.dir, err)
	}
	if legacy == "" {
		return nil
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(legacy + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s after importing it: %w", KeysDBFile+suffix, err)
		}
	}
	s.log.Info("key store: youth keys moved into the database; youth-keys.db removed", "keys", n)
	return nil
}

// derive sets the keys derived from master, and its check value.
func (s *Store) derive(master []byte) error {
	wrapKey, err := hkdf.Key(sha256.New, master, nil, "signaal youth data key wrapping v1", 32)
	if err != nil {
		return fmt.Errorf("derive wrapping key: %w", err)
	}
	if s.wrap, err = newAEAD(wrapKey); err != nil {
		return err
	}
	if s.pseudonymKey, err = hkdf.Key(sha256.New, master, nil, "signaal youth pseudonym v1", 32); err != nil {
		return fmt.Errorf("derive pseudonym key: %w", err)
	}
	if s.fingerprintKey, err = hkdf.Key(sha256.New, master, nil, "signaal request fingerprint v1", 32); err != nil {
		return fmt.Errorf("derive fingerprint key: %w", err)
	}
	s.check, err = CheckValue(master)
	return err
}

// CheckValue is the value a database stores of its master key: a keyed
// digest from which the key cannot be recovered.
func CheckValue(master []byte) (string, error) {
	k, err := hkdf.Key(sha256.New, master, nil, "signaal master key check v1", 32)
	if err != nil {
		return "", fmt.Errorf("derive master key check: %w", err)
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte("signaal master key check"))
	return "v1:" + hex.EncodeToString(m.Sum(nil)), nil
}

// MasterCheckOf reads the master key in dir and returns its check value
// (for backup and restore, which compare it with a database's).
func MasterCheckOf(dir string) (string, error) {
	master, err := loadMaster(filepath.Join(dir, MasterKeyFile))
	if err != nil {
		return "", err
	}
	return CheckValue(master)
}

// Close releases nothing today (the key table is the database's); it is
// kept so a Store's life reads like the other stores'.
func (s *Store) Close() error { return nil }

// Check reports whether the key store can serve: master.key still in its
// place with the same content (a restart would need it), and no key found
// missing. For readiness probes.
func (s *Store) Check(ctx context.Context) error {
	if n := s.missing.Load(); n > 0 {
		return fmt.Errorf("%d data keys found missing while reading (not erased): restore the database from a backup", n)
	}
	if s.startMissing > 0 {
		return fmt.Errorf("%d young people have content but no key row (not erased): restore the database from a backup", s.startMissing)
	}
	master, err := loadMaster(filepath.Join(s.dir, MasterKeyFile))
	if err != nil {
		return fmt.Errorf("master key: %w (the next start would fail: restore the keys directory)", err)
	}
	if !hmac.Equal(master, s.master) {
		return fmt.Errorf("master key in %s changed on disk: it no longer belongs to this database", s.dir)
	}
	return nil
}

func loadMaster(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", MasterKeyFile, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", MasterKeyFile, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s may be read by others (mode %v); run: chmod 600 %s", MasterKeyFile, fi.Mode().Perm(), path)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("%s holds %d bytes, want 32: it is damaged; restore it from the backup", path, len(key))
	}
	return key, nil
}

func createMaster(path string) ([]byte, error) {
	key := make([]byte, 32)
	rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", MasterKeyFile, err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", MasterKeyFile, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("sync %s: %w", MasterKeyFile, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close %s: %w", MasterKeyFile, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return key, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("new AES cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("new GCM: %w", err)
	}
	return aead, nil
}

// Pseudonym returns the keyed pseudonym of a young person:
// hex(HMAC-SHA256(pseudonym key, NormaliseName(name) || 0x00 || birthDate)),
// with birthDate in the wire format "YYYY-MM-DD". The same young person
// reported by two organisations gets the same pseudonym; without the master
// key nobody can compute one, so the register cannot be searched by name.
func (s *Store) Pseudonym(name, birthDate string) string {
	m := hmac.New(sha256.New, s.pseudonymKey)
	m.Write([]byte(NormaliseName(name)))
	m.Write([]byte{0})
	m.Write([]byte(birthDate))
	return hex.EncodeToString(m.Sum(nil))
}

// Fingerprint returns a keyed digest of data, for comparing a retried request
// with the original without storing the request (which holds names and
// observations) or an unkeyed hash of it (which could be guessed).
func (s *Store) Fingerprint(data []byte) string {
	m := hmac.New(sha256.New, s.fingerprintKey)
	m.Write(data)
	return hex.EncodeToString(m.Sum(nil))
}

// Seal encrypts plaintext under youth's live data key, creating that key
// durably on first use. The ciphertext names the key's row (KeyID): the
// store that keeps it checks, in the same transaction, that this key is
// still youth's live key (see sqlite's checkLiveKeys), so content is never
// stored under a key that an erasure retired a moment earlier. It is bound
// to youth and to ad (the caller's row and field, e.g. "signal/<id>/facts"):
// moved to another row, field or young person it no longer opens.
func (s *Store) Seal(ctx context.Context, youth string, ad, plaintext []byte) ([]byte, error) {
	id, aead, err := s.liveKey(ctx, youth)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	out := make([]byte, 9+n, 9+n+len(plaintext)+aead.Overhead())
	out[0] = sealV2
	binary.BigEndian.PutUint64(out[1:9], uint64(id))
	rand.Read(out[9:])
	return aead.Seal(out, out[9:9+n], plaintext, boundAD(youth, ad)), nil
}

// Unseal decrypts what Seal produced for the same youth and ad. It returns
// ErrErased when the key was erased, and ErrKeyMissing when the key is not
// in the database at all.
func (s *Store) Unseal(ctx context.Context, youth string, ad, ct []byte) ([]byte, error) {
	var (
		aead cipher.AEAD
		err  error
		body []byte
	)
	switch {
	case len(ct) > 0 && ct[0] == sealV2:
		id, ok := KeyID(ct)
		if !ok {
			return nil, errors.New("unseal: truncated ciphertext")
		}
		if aead, err = s.keyByID(ctx, youth, id); err != nil {
			return nil, err
		}
		body = ct[9:]
	case len(ct) > 0 && ct[0] == sealV1:
		if aead, err = s.legacyKey(ctx, youth); err != nil {
			return nil, err
		}
		body = ct[1:]
	default:
		return nil, errors.New("unseal: not a sealed value")
	}
	n := aead.NonceSize()
	if len(body) < n+aead.Overhead() {
		return nil, errors.New("unseal: truncated ciphertext")
	}
	pt, err := aead.Open(nil, body[:n], body[n:], boundAD(youth, ad))
	if err != nil {
		return nil, errors.New("unseal: authentication failed (wrong row, field or young person, or altered)")
	}
	return pt, nil
}

// boundAD joins the young person and the caller's associated data
// unambiguously (length-prefixed).
func boundAD(youth string, ad []byte) []byte {
	b := make([]byte, 0, 2+len(youth)+len(ad))
	b = append(b, byte(len(youth)>>8), byte(len(youth)))
	b = append(b, youth...)
	return append(b, ad...)
}

// Erase retires youth's data key in its own transaction (the row stays as a
// tombstone) and forgets it here: everything sealed under it becomes
// unreadable. Erasing an unknown young person is not an error. Erasure of
// signals erases the key in the signals' own transaction instead and calls
// Forget.
func (s *Store) Erase(ctx context.Context, youth string) error {
	s.Forget(youth)
	if err := s.keys.EraseKeys(ctx, youth); err != nil {
		return fmt.Errorf("erase youth key: %w", err)
	}
	s.Forget(youth)
	return nil
}

// Forget drops youths' keys from the cache, after their erasure committed.
func (s *Store) Forget(youths ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, youth := range youths {
		delete(s.live, youth)
		for id, k := range s.byID {
			if k.youth == youth {
				delete(s.byID, id)
			}
		}
	}
}

// liveKey returns youth's live key, creating it on first use.
func (s *Store) liveKey(ctx context.Context, youth string) (int64, cipher.AEAD, error) {
	s.mu.Lock()
	if id, ok := s.live[youth]; ok {
		if k, ok := s.byID[id]; ok {
			s.mu.Unlock()
			return id, k.aead, nil
		}
	}
	s.mu.Unlock()
	k, ok, err := s.keys.LiveKey(ctx, youth)
	if err != nil {
		return 0, nil, fmt.Errorf("read youth key: %w", err)
	}
	if !ok {
		key := make([]byte, 32)
		rand.Read(key)
		// Concurrent first uses each make a key; the table keeps the first
		// and returns it to all of them.
		if k, err = s.keys.CreateKey(ctx, youth, s.wrapKey(youth, key)); err != nil {
			return 0, nil, fmt.Errorf("create youth key: %w", err)
		}
	}
	aead, err := s.unwrap(k)
	if err != nil {
		return 0, nil, err
	}
	s.remember(k.ID, youth, aead, true)
	return k.ID, aead, nil
}

func (s *Store) keyByID(ctx context.Context, youth string, id int64) (cipher.AEAD, error) {
	s.mu.Lock()
	if k, ok := s.byID[id]; ok && k.youth == youth {
		s.mu.Unlock()
		return k.aead, nil
	}
	s.mu.Unlock()
	k, ok, err := s.keys.KeyByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("read youth key: %w", err)
	}
	return s.opened(k, ok, youth)
}

func (s *Store) legacyKey(ctx context.Context, youth string) (cipher.AEAD, error) {
	k, ok, err := s.keys.LegacyKey(ctx, youth)
	if err != nil {
		return nil, fmt.Errorf("read youth key: %w", err)
	}
	return s.opened(k, ok, youth)
}

// opened turns a key row into a cipher: erased, missing (corruption) or
// unwrapped and remembered.
func (s *Store) opened(k Key, ok bool, youth string) (cipher.AEAD, error) {
	switch {
	case !ok:
		s.missing.Add(1)
		s.log.Error("key store: a data key is missing (not erased)")
		return nil, ErrKeyMissing
	case k.Youth != youth:
		return nil, errors.New("unseal: the key belongs to another young person (altered)")
	case k.Erased:
		return nil, ErrErased
	}
	aead, err := s.unwrap(k)
	if err != nil {
		return nil, err
	}
	s.remember(k.ID, youth, aead, false)
	return aead, nil
}

func (s *Store) remember(id int64, youth string, aead cipher.AEAD, live bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.byID) >= s.cacheMax {
		for k, v := range s.byID { // evict an arbitrary entry
			delete(s.byID, k)
			if s.live[v.youth] == k {
				delete(s.live, v.youth)
			}
			break
		}
	}
	s.byID[id] = cachedKey{youth: youth, aead: aead}
	if live {
		s.live[youth] = id
	}
}

func (s *Store) wrapKey(youth string, key []byte) []byte {
	nonce := make([]byte, s.wrap.NonceSize())
	rand.Read(nonce)
	return s.wrap.Seal(nonce, nonce, key, []byte("youth-key/"+youth))
}

func (s *Store) unwrap(k Key) (cipher.AEAD, error) {
	n := s.wrap.NonceSize()
	if len(k.Wrapped) < n {
		return nil, fmt.Errorf("unwrap youth key %d: too short (damaged)", k.ID)
	}
	key, err := s.wrap.Open(nil, k.Wrapped[:n], k.Wrapped[n:], []byte("youth-key/"+k.Youth))
	if err != nil {
		return nil, fmt.Errorf("unwrap youth key %d: wrong master key or altered key row", k.ID)
	}
	return newAEAD(key)
}

// opens reports whether k opens with this store's master key.
func (s *Store) opens(k Key) bool {
	_, err := s.unwrap(k)
	return err == nil
}

var _ signal.Vault = (*Store)(nil)
