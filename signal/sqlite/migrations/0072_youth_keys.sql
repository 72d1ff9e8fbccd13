-- The data keys of young people live in this database (they lived in
-- youth-keys.db in the keys directory): a signal and the key it is sealed
-- under commit in one transaction, an erasure is one transaction, and one
-- backup of this file holds both. Each key is wrapped (AES-256-GCM) under
-- master.key, which stays outside the database.
--
-- An erased key keeps its row as a tombstone: wrapped NULL, erased_at set
-- (secure_delete overwrites the key bytes in the page). So an erasure is a
-- recorded fact; a ciphertext whose key row is missing is corruption.
-- A young person has at most one live key; after an erasure a new signal
-- gets a new key (a new row). legacy marks the key imported from
-- youth-keys.db, which ciphertexts of seal format 1 (without a key id) use.
CREATE TABLE youth_keys (
	id         INTEGER PRIMARY KEY,
	youth      TEXT NOT NULL,               -- keyed pseudonym, never a name
	wrapped    BLOB,                        -- the data key sealed by the master key; NULL once erased
	created_at TEXT NOT NULL,
	erased_at  TEXT,
	legacy     INTEGER NOT NULL DEFAULT 0,
	CHECK ((wrapped IS NULL) = (erased_at IS NOT NULL))
) STRICT;

CREATE UNIQUE INDEX youth_keys_live ON youth_keys (youth) WHERE erased_at IS NULL;
CREATE INDEX youth_keys_by_youth ON youth_keys (youth, id);

-- The check value of the master key that belongs to this database (see
-- keystore.CheckValue): signald refuses to start with another.
CREATE TABLE key_meta (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
