-- Outgoing e-mail (issue 16 item 5): the queue the sender delivers from.
-- dedupe_key makes a message once-only; times are Unix milliseconds so the
-- due query compares numbers. A sent message keeps its key (so it is never
-- stored again) but loses its body (an invitation's link holds a token).
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	dedupe_key      TEXT NOT NULL UNIQUE CHECK (dedupe_key <> ''),
	recipient       TEXT NOT NULL CHECK (recipient <> ''),
	kind            TEXT NOT NULL CHECK (kind <> ''),
	subject         TEXT NOT NULL,
	body            TEXT NOT NULL,
	created_ms      INTEGER NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_ms INTEGER NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	sent_ms         INTEGER  -- NULL while pending
) STRICT;

CREATE INDEX outbox_pending ON outbox (next_attempt_ms) WHERE sent_ms IS NULL;
