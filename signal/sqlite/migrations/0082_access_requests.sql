-- Requests of young people under the AVG as registered cases (issue 17
-- item 1): the privacy officer reads content only inside one, for its young
-- person, with a reason; each read is a row here and an audit entry. No
-- column holds a name, a birth date or what a signal says: the young
-- person is the keyed pseudonym.

-- Whether releasing content to a young person needs a second person (four
-- eyes), per cooperation; on unless an administrator turns it off.
ALTER TABLE cooperations ADD COLUMN access_four_eyes INTEGER NOT NULL DEFAULT 1 CHECK (access_four_eyes IN (0, 1));

CREATE TABLE access_requests (
	id               TEXT PRIMARY KEY,
	cooperation_id   TEXT NOT NULL REFERENCES cooperations (id),
	subject          TEXT NOT NULL CHECK (length(subject) = 64),
	requester        TEXT NOT NULL CHECK (requester IN ('young_person', 'parent', 'representative')),
	received_on      TEXT NOT NULL,
	deadline         TEXT NOT NULL,
	extended_to      TEXT,
	extension_reason TEXT CHECK (extension_reason IN ('complex', 'many_requests')),
	status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'release_pending', 'released', 'closed')),
	registered_by    TEXT NOT NULL,
	registered_at    TEXT NOT NULL,
	release_asked_by TEXT,
	released_by      TEXT,
	released_at      TEXT,
	CHECK ((extended_to IS NULL) = (extension_reason IS NULL))
) STRICT;

CREATE INDEX access_requests_by_cooperation ON access_requests (cooperation_id, received_on);

CREATE TABLE access_request_reads (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	request_id TEXT NOT NULL REFERENCES access_requests (id),
	read_at    TEXT NOT NULL,
	read_by    TEXT NOT NULL,
	reason     TEXT NOT NULL CHECK (reason IN ('assess', 'copy'))
) STRICT;

CREATE INDEX access_request_reads_by_request ON access_request_reads (request_id, id);
