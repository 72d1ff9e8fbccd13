-- Accounts: cooperations with their signal meeting, partner organisations
-- with a contact person (aanspreekpunt) and a deputy, users, revoked tokens.
-- Times are RFC 3339 UTC text; STRICT tables so a wrong type is an error.

CREATE TABLE cooperations (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE CHECK (name <> ''),
	meeting_id   TEXT NOT NULL UNIQUE CHECK (meeting_id <> ''),
	meeting_name TEXT NOT NULL CHECK (meeting_name <> ''),
	created_at   TEXT NOT NULL
) STRICT;

-- The contact person and the deputy are required and distinct, so a partner
-- is always reachable even when one of them leaves.
CREATE TABLE organisations (
	id             TEXT PRIMARY KEY,
	name           TEXT NOT NULL UNIQUE CHECK (name <> ''),
	kind           TEXT NOT NULL CHECK (kind IN ('school', 'youth_work', 'municipality', 'jgz', 'wijkteam', 'leerplicht', 'police')),
	cooperation_id TEXT NOT NULL REFERENCES cooperations (id),
	contact_name   TEXT NOT NULL CHECK (contact_name <> ''),
	contact_email  TEXT NOT NULL CHECK (contact_email <> ''),
	contact_phone  TEXT NOT NULL DEFAULT '',
	deputy_name    TEXT NOT NULL CHECK (deputy_name <> ''),
	deputy_email   TEXT NOT NULL CHECK (deputy_email <> ''),
	deputy_phone   TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	CHECK (contact_email <> deputy_email)
) STRICT;

CREATE INDEX organisations_cooperation ON organisations (cooperation_id);

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE CHECK (email = lower(trim(email)) AND email <> ''),
	name          TEXT NOT NULL CHECK (name <> ''),
	org_id        TEXT NOT NULL REFERENCES organisations (id),
	role          TEXT NOT NULL CHECK (role IN ('reporter', 'coordinator', 'privacy_officer', 'admin')),
	password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
	disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at    TEXT NOT NULL
) STRICT;

CREATE INDEX users_org ON users (org_id);

-- A token is revoked (logout) until it would have expired anyway; rows past
-- expires_at (unix seconds) are deleted when new ones are added.
CREATE TABLE revoked_tokens (
	jti        TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX revoked_tokens_expires ON revoked_tokens (expires_at);
