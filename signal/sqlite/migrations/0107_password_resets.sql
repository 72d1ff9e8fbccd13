-- Password reset links (issue 19): a forgotten password is set again
-- through a single-use link sent to the account's address, valid for an
-- hour. As with invitations only the SHA-256 of the link's token is kept.
-- created_at counts an account's recent links (at most a few an hour).

CREATE TABLE password_resets (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id),
	expires_at TEXT NOT NULL,
	used_at    TEXT,
	created_at TEXT NOT NULL
) STRICT;

CREATE INDEX password_resets_by_user ON password_resets (user_id, created_at);
