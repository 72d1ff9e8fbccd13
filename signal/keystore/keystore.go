// Package keystore encrypts what is said about a young person at rest, with a
// data key per young person held apart from the data, and derives the keyed
// pseudonym by which the rest of Signaal refers to that young person.
//
// The keys directory holds two files, both created on first use with mode 0600:
//
//   - master.key: 32 random bytes. It wraps (AES-256-GCM) every data key and
//     derives (HKDF-SHA256) the pseudonym key and the fingerprint key. Whoever
//     holds it and the databases can read everything; back it up apart from
//     the data.
//   - youth-keys.db: a SQLite file with one wrapped AES-256 data key per young
//     person, opened with secure_delete so an erased key is overwritten in the
//     file, and its WAL truncated after an erasure.
//
// Erasing a young person's key (Erase) makes every ciphertext sealed under it
// unreadable for good, while the rows that hold the ciphertexts, and the
// audit chain that refers to them, stay intact: right to erasure (AVG art. 17)
// without breaking a tamper-evident log.
//
// The package imports the SQLite driver itself because its file is its own:
// nothing else opens youth-keys.db.
package keystore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // the youth-keys.db file

	"github.com/signaal-nl/signaal/signal"
)

// File names inside the keys directory (the agreed layout of a running service).
const (
	MasterKeyFile = "master.key"
	KeysDBFile    = "youth-keys.db"
)

// ErrErased is returned by Unseal when the young person's key has been
// erased (or never existed): the content is gone for good.
var ErrErased = fmt.Errorf("the key of this young person has been erased: %w", signal.ErrContentErased)

// sealVersion prefixes every ciphertext so the format can change later
// without guessing.
const sealVersion byte = 1

// Options tune a Store; the zero value is fine.
type Options struct {
	// Logger receives operational messages; never key material, never names.
	Logger *slog.Logger
	// Now is the clock (created_at of keys).
	Now func() time.Time
	// CacheSize bounds the number of unwrapped data keys kept in memory
	// (default 10,000), so sealing and opening a known young person's
	// content costs no database read.
	CacheSize int
	// CacheTTL is how long an unwrapped key is kept (default 1 minute): a
	// key erased by another process (signald youth erase beside a running
	// server) stops opening content within this time.
	CacheTTL time.Duration
}

// Store seals and unseals content per young person. It is safe for
// concurrent use.
type Store struct {
	log  *slog.Logger
	now  func() time.Time
	dir  string
	wdb  *sql.DB // the single writer connection
	rdb  *sql.DB // readers
	wrap cipher.AEAD
	// pseudonymKey and fingerprintKey are derived from the master key, so
	// there is one secret to keep; each key has its own HKDF label so one
	// use cannot be turned into another.
	pseudonymKey   []byte
	fingerprintKey []byte

	mu       sync.Mutex
	cache    map[string]cachedKey
	cacheMax int
	cacheTTL time.Duration
	inflight map[string]*keyCall

	creates   chan createReq
	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

type cachedKey struct {
	aead    cipher.AEAD
	expires time.Time
}

// keyCall lets concurrent first uses of one young person share one creation.
type keyCall struct {
	done chan struct{}
	aead cipher.AEAD
	err  error
}

type createReq struct {
	youth   string
	wrapped []byte
	reply   chan createReply
}

type createReply struct {
	wrapped []byte
	err     error
}

// Open opens (creating on first use) master.key and youth-keys.db in dir.
// It refuses a master key that others than the owner may read.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = 10_000
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = time.Minute
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create keys directory: %w", err)
	}
	master, err := loadOrCreateMaster(filepath.Join(dir, MasterKeyFile))
	if err != nil {
		return nil, err
	}
	s := &Store{
		log:      opts.Logger,
		now:      opts.Now,
		dir:      dir,
		cache:    make(map[string]cachedKey),
		cacheMax: opts.CacheSize,
		cacheTTL: opts.CacheTTL,
		inflight: make(map[string]*keyCall),
		creates:  make(chan createReq, 256),
		done:     make(chan struct{}),
	}
	wrapKey, err := hkdf.Key(sha256.New, master, nil, "signaal youth data key wrapping v1", 32)
	if err != nil {
		return nil, fmt.Errorf("derive wrapping key: %w", err)
	}
	if s.wrap, err = newAEAD(wrapKey); err != nil {
		return nil, err
	}
	if s.pseudonymKey, err = hkdf.Key(sha256.New, master, nil, "signaal youth pseudonym v1", 32); err != nil {
		return nil, fmt.Errorf("derive pseudonym key: %w", err)
	}
	if s.fingerprintKey, err = hkdf.Key(sha256.New, master, nil, "signaal request fingerprint v1", 32); err != nil {
		return nil, fmt.Errorf("derive fingerprint key: %w", err)
	}

	path := filepath.Join(dir, KeysDBFile)
	// Create the file 0600 before SQLite does: SQLite gives its -wal and
	// -shm files the database file's mode, and the default would be 0644.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", KeysDBFile, err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("restrict %s: %w", KeysDBFile, err)
	}
	// secure_delete overwrites deleted key bytes in the file; FULL sync makes
	// a created key durable before any content sealed under it is stored.
	dsn := "file:" + path + "?_secure_delete=true&_synchronous=FULL&_journal_mode=WAL&_busy_timeout=10000&_txlock=immediate"
	if s.wdb, err = sql.Open("sqlite3", dsn); err != nil {
		return nil, fmt.Errorf("open %s: %w", KeysDBFile, err)
	}
	s.wdb.SetMaxOpenConns(1)
	if s.rdb, err = sql.Open("sqlite3", "file:"+path+"?_secure_delete=true&_journal_mode=WAL&_busy_timeout=10000&mode=ro"); err != nil {
		s.wdb.Close()
		return nil, fmt.Errorf("open %s for reading: %w", KeysDBFile, err)
	}
	if _, err := s.wdb.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS youth_keys (
		youth      TEXT PRIMARY KEY,  -- the keyed pseudonym, never a name
		wrapped    BLOB NOT NULL,     -- the data key sealed by the master key
		created_at TEXT NOT NULL
	) STRICT`); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("create youth_keys table: %w", err)
	}
	s.wg.Add(1)
	go s.commitLoop()
	return s, nil
}

func (s *Store) closeDBs() {
	s.wdb.Close()
	s.rdb.Close()
}

// Close stops the key writer and closes the database. Closing twice is harmless.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		s.wg.Wait()
		s.closeErr = s.rdb.Close()
		if err := s.wdb.Close(); s.closeErr == nil {
			s.closeErr = err
		}
	})
	return s.closeErr
}

func loadOrCreateMaster(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
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
		return key, nil
	}
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
		return nil, fmt.Errorf("%s holds %d bytes, want 32", MasterKeyFile, len(key))
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

// Seal encrypts plaintext under the data key of youth (the pseudonym),
// creating that key durably on first use. The ciphertext is bound to youth
// and to ad (the caller's row and field, e.g. "signal/<id>/facts"): moved to
// another row, field or young person it no longer opens.
func (s *Store) Seal(ctx context.Context, youth string, ad, plaintext []byte) ([]byte, error) {
	aead, err := s.key(ctx, youth, true)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = sealVersion
	rand.Read(out[1:])
	return aead.Seal(out, out[1:1+aead.NonceSize()], plaintext, boundAD(youth, ad)), nil
}

// Unseal decrypts what Seal produced for the same youth and ad. It returns
// ErrErased when the young person's key is gone.
func (s *Store) Unseal(ctx context.Context, youth string, ad, ciphertext []byte) ([]byte, error) {
	aead, err := s.key(ctx, youth, false)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(ciphertext) < 1+n+aead.Overhead() || ciphertext[0] != sealVersion {
		return nil, fmt.Errorf("unseal: not a sealed value of version %d", sealVersion)
	}
	pt, err := aead.Open(nil, ciphertext[1:1+n], ciphertext[1+n:], boundAD(youth, ad))
	if err != nil {
		return nil, fmt.Errorf("unseal: authentication failed (wrong row, field or young person, or altered)")
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

// Erase deletes the data key of youth: everything sealed under it becomes
// unreadable. The WAL is truncated afterwards so the key bytes do not
// linger there either. Erasing an unknown young person is not an error.
func (s *Store) Erase(ctx context.Context, youth string) error {
	s.mu.Lock()
	delete(s.cache, youth)
	s.mu.Unlock()
	if _, err := s.wdb.ExecContext(ctx, `DELETE FROM youth_keys WHERE youth = ?`, youth); err != nil {
		return fmt.Errorf("erase youth key: %w", err)
	}
	if _, err := s.wdb.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("truncate key WAL after erasure: %w", err)
	}
	// A concurrent Unseal may have re-cached the key between the first
	// eviction and the delete.
	s.mu.Lock()
	delete(s.cache, youth)
	s.mu.Unlock()
	return nil
}

// key returns the data key of youth, from the cache, the database, or (with
// create) a new one made durable before it is used.
func (s *Store) key(ctx context.Context, youth string, create bool) (cipher.AEAD, error) {
	s.mu.Lock()
	if k, ok := s.cache[youth]; ok && s.now().Before(k.expires) {
		s.mu.Unlock()
		return k.aead, nil
	}
	if c, ok := s.inflight[youth]; ok {
		s.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		switch {
		case c.err != nil:
			return nil, c.err
		case c.aead != nil:
			return c.aead, nil
		case !create:
			return nil, ErrErased
		}
		return s.key(ctx, youth, create)
	}
	c := &keyCall{done: make(chan struct{})}
	s.inflight[youth] = c
	s.mu.Unlock()

	c.aead, c.err = s.loadKey(ctx, youth, create)

	s.mu.Lock()
	delete(s.inflight, youth)
	if c.aead != nil {
		if len(s.cache) >= s.cacheMax {
			for k := range s.cache { // evict an arbitrary entry
				delete(s.cache, k)
				break
			}
		}
		s.cache[youth] = cachedKey{aead: c.aead, expires: s.now().Add(s.cacheTTL)}
	}
	s.mu.Unlock()
	close(c.done)
	if c.err == nil && c.aead == nil {
		return nil, ErrErased
	}
	return c.aead, c.err
}

// loadKey reads youth's wrapped key, or creates one when create is set.
// It returns (nil, nil) when there is no key and create is not set.
func (s *Store) loadKey(ctx context.Context, youth string, create bool) (cipher.AEAD, error) {
	var wrapped []byte
	// A point query: no cancellation watcher (see go-sqlite3), it takes microseconds.
	err := s.rdb.QueryRowContext(context.WithoutCancel(ctx), `SELECT wrapped FROM youth_keys WHERE youth = ?`, youth).Scan(&wrapped)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if !create {
			return nil, nil
		}
		if wrapped, err = s.createKey(ctx, youth); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("read youth key: %w", err)
	}
	return s.unwrap(youth, wrapped)
}

func (s *Store) unwrap(youth string, wrapped []byte) (cipher.AEAD, error) {
	n := s.wrap.NonceSize()
	if len(wrapped) < n {
		return nil, fmt.Errorf("unwrap youth key: too short")
	}
	key, err := s.wrap.Open(nil, wrapped[:n], wrapped[n:], []byte("youth-key/"+youth))
	if err != nil {
		return nil, fmt.Errorf("unwrap youth key: wrong master key or altered key file")
	}
	return newAEAD(key)
}

// createKey makes a new data key for youth durable and returns the stored
// wrapped key (another process's, should one have won a race).
func (s *Store) createKey(ctx context.Context, youth string) ([]byte, error) {
	key := make([]byte, 32)
	rand.Read(key)
	nonce := make([]byte, s.wrap.NonceSize())
	rand.Read(nonce)
	wrapped := s.wrap.Seal(nonce, nonce, key, []byte("youth-key/"+youth))
	req := createReq{youth: youth, wrapped: wrapped, reply: make(chan createReply, 1)}
	select {
	case s.creates <- req:
	case <-s.done:
		return nil, fmt.Errorf("create youth key: key store closed")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-req.reply:
		return r.wrapped, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// commitLoop writes new keys in groups: every key waiting when a commit
// starts shares that commit's fsync, so a burst of first signals about new
// young people costs one durable write, not one each.
func (s *Store) commitLoop() {
	defer s.wg.Done()
	const maxBatch = 128
	for {
		var batch []createReq
		select {
		case r := <-s.creates:
			batch = append(batch, r)
		case <-s.done:
			return
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-s.creates:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		replies, err := s.commit(batch)
		for i, r := range batch {
			if err != nil {
				r.reply <- createReply{err: err}
				continue
			}
			r.reply <- createReply{wrapped: replies[i]}
		}
	}
}

func (s *Store) commit(batch []createReq) ([][]byte, error) {
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin youth key transaction: %w", err)
	}
	defer tx.Rollback()
	now := s.now().UTC().Format(time.RFC3339Nano)
	out := make([][]byte, len(batch))
	for i, r := range batch {
		if _, err := tx.ExecContext(ctx, `INSERT INTO youth_keys (youth, wrapped, created_at) VALUES (?, ?, ?)
			ON CONFLICT (youth) DO NOTHING`, r.youth, r.wrapped, now); err != nil {
			return nil, fmt.Errorf("store youth key: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT wrapped FROM youth_keys WHERE youth = ?`, r.youth).Scan(&out[i]); err != nil {
			return nil, fmt.Errorf("read back youth key: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit youth keys: %w", err)
	}
	return out, nil
}

var _ signal.Vault = (*Store)(nil)
