-- The signal meeting's standing arrangement (issue 19): when it meets
-- (ISO weekday, 1 = Monday; local start time; every so many weeks) and
-- which partners take part by default. A meeting planned without naming
-- its members gets the standing members.

CREATE TABLE meeting_schedules (
	cooperation_id TEXT PRIMARY KEY REFERENCES cooperations (id),
	weekday        INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	start_time     TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
	every_weeks    INTEGER NOT NULL CHECK (every_weeks BETWEEN 1 AND 12),
	updated_at     TEXT NOT NULL
) STRICT;

CREATE TABLE meeting_standing_members (
	cooperation_id TEXT NOT NULL REFERENCES meeting_schedules (cooperation_id),
	org_id         TEXT NOT NULL REFERENCES organisations (id),
	PRIMARY KEY (cooperation_id, org_id)
) STRICT;
