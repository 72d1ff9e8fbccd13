-- Signals: metadata in the clear (codes, dates, the keyed pseudonym of the
-- young person), content sealed per young person (AES-256-GCM, the keys in
-- youth-keys.db). No column holds a name, birth date or observation in plain
-- text, and no index is built on sealed content.
CREATE TABLE signals (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT, -- list order and page cursor
	id             TEXT NOT NULL UNIQUE,              -- random, shown in URLs
	youth          TEXT NOT NULL,                     -- keyed pseudonym; the audit subject
	org_id         TEXT NOT NULL REFERENCES organisations (id), -- the reporting organisation
	reporter_id    TEXT NOT NULL REFERENCES users (id),
	cooperation_id TEXT NOT NULL REFERENCES cooperations (id),
	category       TEXT NOT NULL,
	observed_on    TEXT NOT NULL,                     -- YYYY-MM-DD
	age            INTEGER NOT NULL CHECK (age BETWEEN 0 AND 23),
	capable        INTEGER CHECK (capable IN (0, 1)), -- NULL: not said (means capable)
	contains       TEXT NOT NULL,                     -- JSON list of field codes
	has_opinions   INTEGER NOT NULL CHECK (has_opinions IN (0, 1)),
	status         TEXT NOT NULL CHECK (status IN ('draft', 'decided')),
	answers        TEXT NOT NULL,                     -- JSON: enums and booleans only
	decision       TEXT NOT NULL,                     -- JSON: the policy's decision
	meeting_level  TEXT NOT NULL CHECK (meeting_level IN ('full', 'minimal', 'existence', 'anonymous', 'none')),
	name_ct        BLOB NOT NULL,
	birth_date_ct  BLOB NOT NULL,
	facts_ct       BLOB NOT NULL,
	opinions_ct    BLOB,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	version        INTEGER NOT NULL
) STRICT;

-- Every index costs each durable commit a page write; an index whose keys
-- are random (such as the pseudonym) costs a page per signal. The lists
-- need these two, whose new keys land at the end; ids are time-ordered for
-- the same reason. (A view per young person would add an index on youth.)
CREATE INDEX signals_by_reporter ON signals (reporter_id, seq);
CREATE INDEX signals_by_cooperation ON signals (cooperation_id, seq);

-- Idempotency keys of submissions, per user. The key and the request are
-- kept only as keyed digests: a client may put anything in a key, and the
-- request holds names and observations. The response (id and decision)
-- holds no free text.
CREATE TABLE signal_idempotency (
	seq         INTEGER PRIMARY KEY, -- rows are appended; only the small key index is random
	key_ref     TEXT NOT NULL UNIQUE, -- keyed digest of (user, Idempotency-Key)
	fingerprint TEXT NOT NULL,        -- keyed digest of the submission
	-- Deferred: the key is claimed first in a submission's unit of work, so
	-- a concurrent retry finds it taken without a separate look-up.
	signal_id   TEXT NOT NULL REFERENCES signals (id) DEFERRABLE INITIALLY DEFERRED,
	response    TEXT NOT NULL,        -- JSON {"id", "decision"}
	created_at  TEXT NOT NULL
) STRICT;

-- The foreign key's own index: without it SQLite scans this table whenever a
-- signal row is inserted while a deferred key is outstanding (every
-- submission with a key) or deleted (retention).
CREATE INDEX signal_idempotency_by_signal ON signal_idempotency (signal_id);
