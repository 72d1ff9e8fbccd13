package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal/keystore"
	"github.com/signaal-nl/signaal/signal/sqlite"
	"golang.org/x/mod/sumdb/note"
)

// backupKeyFiles are the files of the keys directory a restore needs: the
// master key (it opens the data keys kept in the database), the session
// signing key, and the checkpoint key with its public keys. None changes
// while serve runs (rotate-key needs serve stopped), so copying them after
// the database gives a pair that belongs together.
var backupKeyFiles = []string{
	keystore.MasterKeyFile, SigningKeyFile,
	audit.CheckpointKeyFile, audit.PublicKeyPath(audit.CheckpointKeyFile), audit.TrustedKeysFile,
}

const (
	backupDBFile   = "signaal.db"
	backupKeysDir  = "keys"
	backupManifest = "MANIFEST"
)

// BackupCheck is what checking a backup found: its audit chain (size and
// head) and the newest stored checkpoint it was verified against.
type BackupCheck struct {
	audit.VerifyResult
	Newest *audit.Checkpoint // the newest stored checkpoint, if trusted
	Files  []string          // the files of the backup, relative to its directory
}

// CheckpointLine says what the chain was verified against.
func (b BackupCheck) CheckpointLine() string {
	if b.Newest == nil {
		return "no signed checkpoint to verify against"
	}
	return fmt.Sprintf("audit chain verified against the newest checkpoint (%s, %d entries)", b.Newest.Time.Format(time.RFC3339), b.Newest.Size)
}

// checkBackup checks a backup directory: the master key belongs to the
// database (its check value), and the audit chain verifies against the
// newest checkpoint stored in it, signed by a key the backup trusts.
func checkBackup(ctx context.Context, dir string) (BackupCheck, error) {
	var out BackupCheck
	dbPath := filepath.Join(dir, backupDBFile)
	kdir := filepath.Join(dir, backupKeysDir)
	stored, err := sqlite.MasterCheckOf(ctx, dbPath)
	if err != nil {
		return out, err
	}
	mine, err := keystore.MasterCheckOf(kdir)
	switch {
	case errors.Is(err, iofs.ErrNotExist) && stored == "":
		// A database without data keys yet (never held a signal).
	case err != nil:
		return out, fmt.Errorf("keys/%s: %w", keystore.MasterKeyFile, err)
	case stored != "" && stored != mine:
		return out, fmt.Errorf("keys/%s: %w", keystore.MasterKeyFile, keystore.ErrForeignKeys)
	}
	var opts audit.VerifyOptions
	keyPath := filepath.Join(kdir, audit.CheckpointKeyFile)
	if b, err := os.ReadFile(audit.PublicKeyPath(keyPath)); err == nil {
		if opts.Verifier, err = audit.NewVerifier(string(b)); err != nil {
			return out, err
		}
		if opts.Trusted, err = audit.LoadTrusted(keyPath); err != nil {
			return out, err
		}
	}
	h, err := sqlite.OpenRead(dbPath)
	if err != nil {
		return out, err
	}
	defer h.Close()
	if opts.Verifier != nil {
		cps, err := audit.StoredCheckpoints(ctx, h)
		if err != nil {
			return out, err
		}
		trusted := note.VerifierList(append([]note.Verifier{opts.Verifier}, opts.Trusted...)...)
		for i := len(cps) - 1; i >= 0; i-- {
			if _, err := note.Open([]byte(cps[i].Note), trusted); err != nil {
				continue // an untrusted key's: Verify reports it
			}
			c := cps[i].Checkpoint
			opts.Checkpoints = []audit.Checkpoint{c}
			out.Newest = &c
			break
		}
	}
	if out.VerifyResult, err = audit.Verify(ctx, h, opts); err != nil {
		return out, err
	}
	return out, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return errors.Join(out.Sync(), out.Close())
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func fileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeManifest lists each file with its SHA-256, so restore notices a
// backup damaged in storage.
func writeManifest(dir string, files []string) error {
	files = slices.Sorted(slices.Values(files))
	var b strings.Builder
	for _, f := range files {
		sum, err := fileSum(filepath.Join(dir, f))
		if err != nil {
			return fmt.Errorf("manifest: %w", err)
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, f)
	}
	return os.WriteFile(filepath.Join(dir, backupManifest), []byte(b.String()), 0o600)
}

func checkManifest(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, backupManifest))
	if err != nil {
		return nil, fmt.Errorf("%s: %w (not a backup made by signald backup?)", backupManifest, err)
	}
	var files []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || strings.Contains(name, "..") {
			return nil, fmt.Errorf("%s: bad line %q", backupManifest, line)
		}
		got, err := fileSum(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("%s lists %s: %w", backupManifest, name, err)
		}
		if got != sum {
			return nil, fmt.Errorf("%s changed since the backup (checksum differs): the backup is damaged", name)
		}
		files = append(files, name)
	}
	return files, nil
}

// Backup makes a consistent online backup of the database at db and its
// keys directory keys into the new (or empty) directory to: first the
// database (VACUUM INTO, one read transaction, so signals, their data keys
// and the audit log are of one moment), then the keys directory's files;
// it checks that the master key belongs to the copied database and that
// the copy's audit chain verifies, and writes a MANIFEST of checksums. It
// is a read: it takes no owner lock and runs beside serve.
func Backup(ctx context.Context, db, keys, to string) (BackupCheck, error) {
	if keys == "" {
		keys = filepath.Join(filepath.Dir(db), "keys")
	}
	if _, err := os.Stat(db); err != nil {
		return BackupCheck{}, err
	}
	if entries, err := os.ReadDir(to); err == nil && len(entries) > 0 {
		return BackupCheck{}, fmt.Errorf("%s: not empty; give a new directory per backup", to)
	}
	if err := os.MkdirAll(filepath.Join(to, backupKeysDir), 0o700); err != nil {
		return BackupCheck{}, fmt.Errorf("create the backup directory: %w", err)
	}
	if err := sqlite.BackupTo(ctx, db, filepath.Join(to, backupDBFile)); err != nil {
		return BackupCheck{}, err
	}
	copied := []string{backupDBFile}
	for _, name := range backupKeyFiles {
		err := copyFile(filepath.Join(keys, name), filepath.Join(to, backupKeysDir, name))
		if errors.Is(err, iofs.ErrNotExist) {
			continue
		}
		if err != nil {
			return BackupCheck{}, fmt.Errorf("copy keys/%s: %w", name, err)
		}
		copied = append(copied, filepath.Join(backupKeysDir, name))
	}
	res, err := checkBackup(ctx, to)
	if err != nil {
		return res, fmt.Errorf("the backup in %s does not check out: %w", to, err)
	}
	if err := writeManifest(to, copied); err != nil {
		return res, err
	}
	syncDir(filepath.Join(to, backupKeysDir))
	syncDir(to)
	res.Files = copied
	return res, nil
}

// Restore puts the backup in directory from in place as the database db
// and the keys directory keys: it checks the backup first (checksums, the
// master key against the database, the audit chain against the newest
// checkpoint), refuses while serve (or any owner) holds the database, and
// with existing files unless force is set; it keeps what was there as
// *.before-restore-<time>, copies the database and the keys, and opens the
// result as serve will (the keys must belong to the database).
func Restore(ctx context.Context, from, db, keys string, force bool) (BackupCheck, error) {
	if keys == "" {
		keys = filepath.Join(filepath.Dir(db), "keys")
	}
	files, err := checkManifest(from)
	if err != nil {
		return BackupCheck{}, err
	}
	res, err := checkBackup(ctx, from)
	if err != nil {
		return res, fmt.Errorf("the backup in %s does not check out, nothing restored: %w", from, err)
	}
	res.Files = files
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		return res, err
	}
	lock, err := sqlite.AcquireLock(db, "restore")
	if err != nil {
		return res, err
	}
	defer lock.Release()
	_, dbErr := os.Stat(db)
	_, keysErr := os.Stat(keys)
	if (dbErr == nil || keysErr == nil) && !force {
		return res, fmt.Errorf("%s or %s exists: give --force to replace them (they are kept as *.before-restore-<time>)", db, keys)
	}
	stamp := time.Now().UTC().Format("20060102T150405Z")
	for _, p := range []string{db, db + "-wal", db + "-shm", keys} {
		if _, err := os.Stat(p); err == nil {
			if err := os.Rename(p, p+".before-restore-"+stamp); err != nil {
				return res, fmt.Errorf("keep %s: %w", p, err)
			}
		}
	}
	if err := os.MkdirAll(keys, 0o700); err != nil {
		return res, err
	}
	for _, f := range files {
		dst := filepath.Join(keys, strings.TrimPrefix(f, backupKeysDir+string(filepath.Separator)))
		if f == backupDBFile {
			dst = db + ".restoring"
		}
		if err := copyFile(filepath.Join(from, f), dst); err != nil {
			return res, fmt.Errorf("copy %s: %w", f, err)
		}
	}
	if err := os.Rename(db+".restoring", db); err != nil {
		return res, err
	}
	syncDir(keys)
	syncDir(filepath.Dir(db))
	lock.Release() // Open takes it again
	// Open it as serve will: the keys must belong to the database.
	a, err := Open(ctx, Options{DB: db, Keys: keys, Parts: Database | YouthKeys, Purpose: "restore"})
	if err != nil {
		return res, fmt.Errorf("open the restored database and keys: %w", err)
	}
	return res, a.Close()
}
