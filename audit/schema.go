package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// migrations are applied in order, each once, each in its own transaction;
// audit_migrations records which ran. Append new ones; never edit an old one.
var migrations = []string{
	// 1: the log, the issued checkpoints, and the triggers that make both
	// insert-only. The triggers are the database's own refusal, so that no
	// code path of the service (nor an SQL injection) can edit history; the
	// hash chain catches whoever drops them.
	`
CREATE TABLE audit_entries (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT,
	time           TEXT NOT NULL,
	actor_user     TEXT NOT NULL,
	actor_role     TEXT NOT NULL,
	actor_org      TEXT NOT NULL,
	action         TEXT NOT NULL,
	object         TEXT NOT NULL,
	subject        TEXT NOT NULL,
	decision       TEXT,
	origin_request TEXT NOT NULL,
	origin_ip      TEXT NOT NULL,
	hash           BLOB NOT NULL
) STRICT;

-- Access requests (AVG art. 15) and reviews look entries up by young person
-- and by time.
CREATE INDEX audit_entries_subject ON audit_entries (subject, seq) WHERE subject <> '';
CREATE INDEX audit_entries_time ON audit_entries (time);

CREATE TRIGGER audit_entries_append_only_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused'); END;

CREATE TRIGGER audit_entries_append_only_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused'); END;

-- Entries only ever go at the end, numbered without gaps. (INSERT OR REPLACE
-- of an existing entry is refused here too: its seq is not the next one.)
CREATE TRIGGER audit_entries_append_at_end BEFORE INSERT ON audit_entries
WHEN NEW.seq IS NOT COALESCE((SELECT max(seq) FROM audit_entries), 0) + 1
BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: entries are numbered 1, 2, 3, … without gaps'); END;

CREATE TABLE audit_checkpoints (
	id    INTEGER PRIMARY KEY AUTOINCREMENT,
	size  INTEGER NOT NULL,
	head  BLOB NOT NULL,
	time  TEXT NOT NULL,
	note  TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_checkpoints_insert_only_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is insert-only: UPDATE refused'); END;

CREATE TRIGGER audit_checkpoints_insert_only_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is insert-only: DELETE refused'); END;
`,
	// 2: indexes for the privacy officer's review (Search): by actor, by
	// organisation, by action, and by the decision's outcome and rule, each
	// with seq so a page of the newest entries is read straight from the
	// index (keyset pagination). Indexes are not hashed: adding them leaves
	// every entry and the chain as they were.
	`
CREATE INDEX audit_entries_actor ON audit_entries (actor_user, seq);
CREATE INDEX audit_entries_org ON audit_entries (actor_org, seq);
CREATE INDEX audit_entries_action ON audit_entries (action, seq);
CREATE INDEX audit_entries_outcome ON audit_entries (json_extract(decision, '$.outcome'), seq) WHERE decision IS NOT NULL;
CREATE INDEX audit_entries_rule ON audit_entries (json_extract(decision, '$.rule'), seq) WHERE decision IS NOT NULL;
`,
	// 3: the index by young person, kept in bulk instead of by each commit.
	// A keyed pseudonym is random, so an ordinary index on subject put one
	// page per young person into every commit: 40% of the pages a signal
	// submission wrote. The writer now adds the entries after
	// audit_subject_mark.through to audit_subject_index every second or
	// every few thousand entries, sorted, inside one of its batches
	// (today IndexIfDue, index.go); a search by young person reads the index and
	// scans the few entries after the mark (subjectFilter), so nothing is
	// missed in between. The key is the pseudonym's last 16 characters
	// (64 bits or more of a keyed hash, whatever its prefix): a third of the
	// full pseudonym's size, and the search compares the full subject.
	// Like the indexes, this is not hashed; the triggers keep it add-only.
	`
CREATE TABLE audit_subject_index (
	key TEXT NOT NULL,    -- substr(subject, -16)
	seq INTEGER NOT NULL, -- the entry
	PRIMARY KEY (key, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE audit_subject_mark (
	one     INTEGER PRIMARY KEY CHECK (one = 1),
	through INTEGER NOT NULL -- every entry up to here with a subject is in audit_subject_index
) STRICT;

INSERT INTO audit_subject_index (key, seq)
	SELECT substr(subject, -16), seq FROM audit_entries WHERE subject <> '' ORDER BY 1, 2;
INSERT INTO audit_subject_mark (one, through) VALUES (1, COALESCE((SELECT max(seq) FROM audit_entries), 0));
DROP INDEX audit_entries_subject;

CREATE TRIGGER audit_subject_index_add_only_update BEFORE UPDATE ON audit_subject_index
BEGIN SELECT RAISE(ABORT, 'audit_subject_index is add-only: UPDATE refused'); END;

CREATE TRIGGER audit_subject_index_add_only_delete BEFORE DELETE ON audit_subject_index
BEGIN SELECT RAISE(ABORT, 'audit_subject_index is add-only: DELETE refused'); END;

CREATE TRIGGER audit_subject_mark_forward BEFORE UPDATE ON audit_subject_mark
WHEN NEW.through < OLD.through OR NEW.one IS NOT OLD.one
BEGIN SELECT RAISE(ABORT, 'audit_subject_mark only moves forward'); END;

CREATE TRIGGER audit_subject_mark_keep BEFORE DELETE ON audit_subject_mark
BEGIN SELECT RAISE(ABORT, 'audit_subject_mark: DELETE refused'); END;
`,
	// 4: the review's other indexes (by actor, organisation, action,
	// outcome, rule) move into the bulk index as well, which becomes one
	// table with a column for what it indexes (facet). Their keys are not
	// random, but every index, however ordered, costs each commit its last
	// page and, when that page splits, its siblings and parent: 3 to 7
	// pages per index per commit, 26 of the 73 pages of a commit of 30
	// submissions. Only the index by time stays an ordinary index: time
	// ranges are read in time order. The mark, now of the whole index, is
	// renamed; its triggers are made again under the new name.
	`
CREATE TABLE audit_index (
	facet TEXT NOT NULL,    -- subject, actor, org, action, outcome, rule
	key   TEXT NOT NULL,    -- the value; for subject its last 16 characters
	entry INTEGER NOT NULL, -- the entry's seq
	PRIMARY KEY (facet, key, entry)
) STRICT, WITHOUT ROWID;

INSERT INTO audit_index (facet, key, entry)
	SELECT 'subject', key, seq FROM audit_subject_index
	UNION ALL
	SELECT f.facet, f.key, f.seq FROM (
		SELECT 'actor' AS facet, actor_user AS key, seq FROM audit_entries
		UNION ALL SELECT 'org', actor_org, seq FROM audit_entries
		UNION ALL SELECT 'action', action, seq FROM audit_entries
		UNION ALL SELECT 'outcome', COALESCE(json_extract(decision, '$.outcome'), ''), seq FROM audit_entries WHERE decision IS NOT NULL
		UNION ALL SELECT 'rule', COALESCE(json_extract(decision, '$.rule'), ''), seq FROM audit_entries WHERE decision IS NOT NULL
	) f WHERE f.seq <= (SELECT through FROM audit_subject_mark)
	ORDER BY 1, 2, 3;

DROP TRIGGER audit_subject_index_add_only_update;
DROP TRIGGER audit_subject_index_add_only_delete;
DROP TABLE audit_subject_index;
DROP TRIGGER audit_subject_mark_forward;
DROP TRIGGER audit_subject_mark_keep;
ALTER TABLE audit_subject_mark RENAME TO audit_index_mark;
DROP INDEX audit_entries_actor;
DROP INDEX audit_entries_org;
DROP INDEX audit_entries_action;
DROP INDEX audit_entries_outcome;
DROP INDEX audit_entries_rule;

CREATE TRIGGER audit_index_add_only_update BEFORE UPDATE ON audit_index
BEGIN SELECT RAISE(ABORT, 'audit_index is add-only: UPDATE refused'); END;

CREATE TRIGGER audit_index_add_only_delete BEFORE DELETE ON audit_index
BEGIN SELECT RAISE(ABORT, 'audit_index is add-only: DELETE refused'); END;

CREATE TRIGGER audit_index_mark_forward BEFORE UPDATE ON audit_index_mark
WHEN NEW.through < OLD.through OR NEW.one IS NOT OLD.one
BEGIN SELECT RAISE(ABORT, 'audit_index_mark only moves forward'); END;

CREATE TRIGGER audit_index_mark_keep BEFORE DELETE ON audit_index_mark
BEGIN SELECT RAISE(ABORT, 'audit_index_mark: DELETE refused'); END;
`,
	// 5: the client's IP address of an entry, kept apart so it
	// can be forgotten (ForgetIPs) without touching the chain. From here on
	// an entry's origin_ip column holds a salted commitment to the address
	// (see commitIP), which the chain hashes as stored; the address and
	// the salt live here until ForgetIPs deletes them. The commitment alone
	// reveals nothing (the salt is random and goes with the address).
	// Entries written before keep the address in origin_ip: it is part of
	// their hash.
	`
CREATE TABLE audit_origins (
	seq  INTEGER PRIMARY KEY, -- the entry's
	ip   TEXT NOT NULL,
	salt BLOB NOT NULL,
	time TEXT NOT NULL        -- the entry's, to forget by age
) STRICT;
CREATE INDEX audit_origins_time ON audit_origins (time);

CREATE TRIGGER audit_origins_no_update BEFORE UPDATE ON audit_origins
BEGIN SELECT RAISE(ABORT, 'audit_origins: UPDATE refused (only forgetting, by DELETE)'); END;
`,
}

// Migrate creates or upgrades the audit tables and triggers in db. It is
// idempotent and safe to run at every start, also by several processes at
// once (each migration runs in an immediate transaction).
func Migrate(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate audit log: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS audit_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
	) STRICT`); err != nil {
		return fmt.Errorf("migrate audit log: create audit_migrations: %w", err)
	}
	for i, m := range migrations {
		version := i + 1
		if err := migrate(ctx, conn, version, m); err != nil {
			return fmt.Errorf("migrate audit log to version %d: %w", version, err)
		}
	}
	return nil
}

// migrate applies one migration unless it was applied already. It uses
// BEGIN IMMEDIATE itself, whatever the handle's _txlock, so two processes
// starting together cannot both apply it.
func migrate(ctx context.Context, conn *sql.Conn, version int, script string) (err error) {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM audit_migrations WHERE version = ?", version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		_, err := conn.ExecContext(ctx, "COMMIT")
		return err
	}
	if _, err := conn.ExecContext(ctx, script); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO audit_migrations (version) VALUES (?)", version); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "COMMIT")
	return err
}

// ErrNoLog means the database holds no audit log (audit.Migrate never ran
// on it).
var ErrNoLog = errors.New("no audit log in this database (run audit.Migrate)")

// schemaVersion is the number of migrations this code expects.
func schemaVersion() int { return len(migrations) }

// checkSchema fails when db was not migrated to this code's version.
func checkSchema(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) error {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT max(version) FROM audit_migrations").Scan(&v); err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return ErrNoLog
		}
		return fmt.Errorf("read audit schema version: %w", err)
	}
	if int(v.Int64) != schemaVersion() {
		return &SchemaError{Version: int(v.Int64), Want: schemaVersion()}
	}
	return nil
}

// SchemaError means the log was written by another version of this code:
// an older one (Version < Want: audit.Migrate brings it up to date) or a
// newer one.
type SchemaError struct{ Version, Want int }

func (e *SchemaError) Error() string {
	return fmt.Sprintf("audit log schema is version %d, this program expects %d (run audit.Migrate)", e.Version, e.Want)
}

// CheckSchema fails unless db holds a log this code can write to: ErrNoLog
// without one, a *SchemaError for another version's. With readOnly it also
// accepts what Verify and Export read as it is: a log from before
// audit_origins (version 4).
func CheckSchema(ctx context.Context, db *sql.DB, readOnly bool) error {
	if readOnly {
		_, err := checkVerifiable(ctx, db)
		return err
	}
	return checkSchema(ctx, db)
}

// originsVersion is the schema version that added audit_origins.
const originsVersion = 5

// checkVerifiable fails unless db holds a log Verify can check read-only:
// this code's schema, or one from before audit_origins (version 4, whose
// entries hold their address in the hashed columns), so an operator can
// verify a copy of an older database without migrating it. origins says
// whether audit_origins is there to check.
func checkVerifiable(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (origins bool, err error) {
	err = checkSchema(ctx, q)
	if err == nil || errors.Is(err, ErrNoLog) {
		return err == nil, err
	}
	var v sql.NullInt64
	if qerr := q.QueryRowContext(ctx, "SELECT max(version) FROM audit_migrations").Scan(&v); qerr == nil && v.Int64 == originsVersion-1 {
		return false, nil
	}
	return false, err
}
