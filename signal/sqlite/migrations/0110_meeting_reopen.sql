-- A held meeting reopened by its chair (issue 16, item 4): with a reason
-- from a fixed list and the time it had been held, so the minutes say that
-- and why they changed after the close. Nothing recorded under the meeting
-- is changed by reopening it.
CREATE TABLE meeting_reopenings (
	meeting_id  TEXT NOT NULL REFERENCES meetings (id),
	reason      TEXT NOT NULL CHECK (reason IN ('correction', 'forgotten', 'closed_too_early')),
	held_at     TEXT NOT NULL,
	reopened_by TEXT NOT NULL,
	reopened_at TEXT NOT NULL
) STRICT;

CREATE INDEX meeting_reopenings_by_meeting ON meeting_reopenings (meeting_id, reopened_at);
