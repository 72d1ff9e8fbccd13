-- A second factor for every account (issue 19, item 3): a TOTP secret,
-- unconfirmed until its first code was entered, with the last 30-second
-- step whose code was accepted (a code works once), and recovery codes,
-- kept as hashes and used up one by one.
-- users.second_factor_gen moves on when an administrator resets the
-- factor: remembered devices and pending logins of before are refused.
-- users.demo marks the demo's public accounts, which log in without a
-- second factor in demo mode (serve --demo on loopback) only.
ALTER TABLE users ADD COLUMN second_factor_gen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));
UPDATE users SET demo = 1 WHERE email LIKE '%@demo.signaal.nl';

CREATE TABLE second_factors (
	user_id    TEXT PRIMARY KEY REFERENCES users (id),
	secret     TEXT NOT NULL CHECK (secret <> ''),
	confirmed  INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
	last_step  INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL
) STRICT;

CREATE TABLE recovery_codes (
	user_id   TEXT NOT NULL REFERENCES users (id),
	code_hash TEXT NOT NULL,
	used_at   TEXT,
	PRIMARY KEY (user_id, code_hash)
) STRICT;
