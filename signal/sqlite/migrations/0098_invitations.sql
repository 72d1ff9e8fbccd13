-- Invitations (issue 19): an account the administrator invited gets a
-- single-use link by e-mail that expires. Only the SHA-256 of the link's
-- token is kept, so a copy of the database cannot be used to accept one.
-- The account exists from the invitation on, with a password nobody knows,
-- until the link is used to choose one.

CREATE TABLE invitations (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id),
	expires_at TEXT NOT NULL,
	used_at    TEXT,
	created_at TEXT NOT NULL
) STRICT;

CREATE INDEX invitations_by_user ON invitations (user_id);
