package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/keystore"
)

// YouthKeys is the table of young people's wrapped data keys
// (migrations/0072_youth_keys.sql): keystore.Store's KeyTable. Writes go
// through the writer, so a key is durable before anything sealed under it
// is; reads use the read pool.
type YouthKeys struct {
	db *DB
}

var _ keystore.KeyTable = (*YouthKeys)(nil)

// YouthKeys returns the key table of db.
func (db *DB) YouthKeys() *YouthKeys { return &YouthKeys{db: db} }

const selectKey = `SELECT id, youth, wrapped, erased_at IS NOT NULL FROM youth_keys `

func scanKey(row *sql.Row) (keystore.Key, bool, error) {
	var k keystore.Key
	err := row.Scan(&k.ID, &k.Youth, &k.Wrapped, &k.Erased)
	if errors.Is(err, sql.ErrNoRows) {
		return keystore.Key{}, false, nil
	}
	if err != nil {
		return keystore.Key{}, false, err
	}
	return k, true, nil
}

// LiveKey implements keystore.KeyTable.
func (t *YouthKeys) LiveKey(ctx context.Context, youth string) (keystore.Key, bool, error) {
	return scanKey(t.db.read.QueryRowContext(quick(ctx), selectKey+`WHERE youth = ? AND erased_at IS NULL`, youth))
}

// KeyByID implements keystore.KeyTable.
func (t *YouthKeys) KeyByID(ctx context.Context, id int64) (keystore.Key, bool, error) {
	return scanKey(t.db.read.QueryRowContext(quick(ctx), selectKey+`WHERE id = ?`, id))
}

// LegacyKey implements keystore.KeyTable.
func (t *YouthKeys) LegacyKey(ctx context.Context, youth string) (keystore.Key, bool, error) {
	return scanKey(t.db.read.QueryRowContext(quick(ctx), selectKey+`WHERE youth = ? AND legacy = 1 ORDER BY id LIMIT 1`, youth))
}

// CreateKey implements keystore.KeyTable: in one unit of work it stores
// wrapped unless youth has a live key, and returns the live key, so two
// concurrent first reports of one young person seal under the same key.
func (t *YouthKeys) CreateKey(ctx context.Context, youth string, wrapped []byte) (keystore.Key, error) {
	var k keystore.Key
	err := t.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		ctx = quick(ctx)
		if _, err := tx.ExecContext(ctx, `INSERT INTO youth_keys (youth, wrapped, created_at) VALUES (?, ?, ?)
			ON CONFLICT (youth) WHERE erased_at IS NULL DO NOTHING`, youth, wrapped, formatTime(t.db.now())); err != nil {
			return fmt.Errorf("store youth key: %w", err)
		}
		var ok bool
		var err error
		k, ok, err = scanKey(tx.QueryRowContext(ctx, selectKey+`WHERE youth = ? AND erased_at IS NULL`, youth))
		if err == nil && !ok {
			err = errors.New("stored youth key not found")
		}
		return err
	})
	return k, err
}

// EraseKeys implements keystore.KeyTable, in a unit of work of its own.
func (t *YouthKeys) EraseKeys(ctx context.Context, youth string) error {
	err := t.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		return eraseYouthKeys(quick(ctx), tx, youth, t.db.now())
	})
	t.db.keysErased(youth)
	return err
}

// OnErased implements keystore.KeyTable: forget is called with the young
// people whose keys an erasure retired, after it committed.
func (t *YouthKeys) OnErased(forget func(youths ...string)) { t.db.forget.Store(&forget) }

// eraseYouthKeys turns youth's live key into a tombstone inside tx: the key
// bytes are set to NULL (secure_delete overwrites them in the page), the
// row stays with erased_at, so the erasure is a recorded fact.
func eraseYouthKeys(ctx context.Context, tx *Tx, youth string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE youth_keys SET wrapped = NULL, erased_at = ? WHERE youth = ? AND erased_at IS NULL`,
		formatTime(now), youth)
	if err != nil {
		return fmt.Errorf("erase youth key: %w", err)
	}
	return nil
}

// checkLiveKeys fails unless every version-2 ciphertext in cts was sealed
// under youth's live key, inside the unit that stores them: an erasure
// committed between the sealing and this unit retired that key, and the
// content must not be stored under it (signal.ErrKeyRetired; the caller
// seals again under a new key).
func checkLiveKeys(ctx context.Context, tx *Tx, youth string, cts ...[]byte) error {
	var live int64 = -1
	for _, ct := range cts {
		id, ok := keystore.KeyID(ct)
		if !ok {
			continue
		}
		if live == -1 {
			err := tx.QueryRowContext(ctx, `SELECT id FROM youth_keys WHERE youth = ? AND erased_at IS NULL`, youth).Scan(&live)
			if errors.Is(err, sql.ErrNoRows) {
				live = 0
			} else if err != nil {
				return fmt.Errorf("check youth key: %w", err)
			}
		}
		if id != live {
			return signal.ErrKeyRetired
		}
	}
	return nil
}

// MasterCheck implements keystore.KeyTable.
func (t *YouthKeys) MasterCheck(ctx context.Context) (string, error) {
	var v string
	err := t.db.read.QueryRowContext(ctx, `SELECT value FROM key_meta WHERE name = 'master_check'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read master key check: %w", err)
	}
	return v, nil
}

// HoldsData implements keystore.KeyTable.
func (t *YouthKeys) HoldsData(ctx context.Context) (bool, error) {
	var holds bool
	if err := t.db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM signals) OR EXISTS (SELECT 1 FROM youth_keys)`).Scan(&holds); err != nil {
		return false, fmt.Errorf("look for data: %w", err)
	}
	return holds, nil
}

// MissingKeys implements keystore.KeyTable: young people with content and
// no key row at all (not even a tombstone).
func (t *YouthKeys) MissingKeys(ctx context.Context) (int, error) {
	var n int
	err := t.db.read.QueryRowContext(ctx, `SELECT count(DISTINCT youth) FROM signals s
		WHERE length(s.name_ct) > 0 AND NOT EXISTS (SELECT 1 FROM youth_keys k WHERE k.youth = s.youth)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count missing keys: %w", err)
	}
	return n, nil
}

// Adopt implements keystore.KeyTable. The legacy file is read first (on a
// read-only handle of its own); then one unit of work inserts its keys as
// legacy rows, a tombstone for each young person whose key the old
// `signald youth erase` deleted (as its audit entry records), and the check
// value. Nothing is stored if any key does not open with the master key.
func (t *YouthKeys) Adopt(ctx context.Context, legacyPath, check string, opens func(keystore.Key) bool) (int, error) {
	type legacyKey struct {
		keystore.Key
		created string
	}
	var keys []legacyKey
	if legacyPath != "" {
		ldb, err := sql.Open("sqlite3", dsn(legacyPath, "mode=ro&_busy_timeout=10000"))
		if err != nil {
			return 0, fmt.Errorf("open %s: %w", legacyPath, err)
		}
		defer ldb.Close()
		rows, err := ldb.QueryContext(ctx, `SELECT youth, wrapped, created_at FROM youth_keys ORDER BY rowid`)
		if err != nil {
			return 0, fmt.Errorf("read %s: %w (damaged or not a key file: restore it from the backup)", legacyPath, err)
		}
		for rows.Next() {
			var k legacyKey
			if err := rows.Scan(&k.Youth, &k.Wrapped, &k.created); err != nil {
				rows.Close()
				return 0, fmt.Errorf("read %s: %w", legacyPath, err)
			}
			if !opens(k.Key) {
				rows.Close()
				return 0, fmt.Errorf("%s: the key of a young person does not open with master.key: %w", legacyPath, keystore.ErrForeignKeys)
			}
			keys = append(keys, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("read %s: %w (damaged: restore it from the backup)", legacyPath, err)
		}
	}
	err := t.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		var stored string
		err := tx.QueryRowContext(ctx, `SELECT value FROM key_meta WHERE name = 'master_check'`).Scan(&stored)
		switch {
		case err == nil:
			return errors.New("the database adopted a master key already")
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO youth_keys (youth, wrapped, created_at, legacy) VALUES (?, ?, ?, 1)`,
				k.Youth, k.Wrapped, k.created); err != nil {
				return fmt.Errorf("import youth key: %w", err)
			}
		}
		// Keys the old erasure deleted: its audit entry is the record.
		if _, err := tx.ExecContext(ctx, `INSERT INTO youth_keys (youth, wrapped, created_at, erased_at, legacy)
			SELECT e.subject, NULL, min(e.time), min(e.time), 1 FROM audit_entries e
			WHERE e.action IN (?, ?) AND e.subject <> ''
			  AND NOT EXISTS (SELECT 1 FROM youth_keys k WHERE k.youth = e.subject)
			GROUP BY e.subject`, string(signal.ActionYouthEraseLegacy), string(signal.ActionYouthKeyErase)); err != nil {
			return fmt.Errorf("record erased keys: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO key_meta (name, value) VALUES ('master_check', ?)`, check)
		return err
	})
	if err != nil {
		return 0, err
	}
	return len(keys), nil
}
