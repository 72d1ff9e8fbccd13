-- Sessions end by a counter, never by the clock. Each account carries a
-- session generation; a token carries the generation it was issued under
-- and is refused once the account's moved on. Disabling an account moves
-- it, so its sessions end and enabling it again does not revive them.
-- Revoked tokens (logouts) are kept until their account's generation moves
-- past them, instead of being pruned by the wall clock, which a clock that
-- ran ahead once would have turned into reviving logged-out tokens.
ALTER TABLE users ADD COLUMN session_gen INTEGER NOT NULL DEFAULT 0;

CREATE INDEX revoked_tokens_by_user ON revoked_tokens (user_id);
DROP INDEX revoked_tokens_expires;
