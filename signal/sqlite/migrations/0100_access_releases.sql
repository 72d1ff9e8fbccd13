-- Third parties released for a young person's copy (issue 17 item 2): by
-- default the copy names organisations, never the people in them; the
-- privacy officer may release the contact person of the organisation that
-- reported a signal. Each release is a row here and an audit entry.
CREATE TABLE access_request_releases (
	request_id  TEXT NOT NULL REFERENCES access_requests (id),
	signal_id   TEXT NOT NULL,
	released_at TEXT NOT NULL,
	released_by TEXT NOT NULL,
	PRIMARY KEY (request_id, signal_id)
) STRICT;
