-- Who took part in a meeting (issue 16, item 4): per member organisation,
-- present, apologies sent (afgemeld) or absent, recorded by the chair while
-- the meeting is planned and shown in the minutes. No names: the member
-- organisation's contact person attends for it.
CREATE TABLE meeting_attendance (
	meeting_id  TEXT NOT NULL REFERENCES meetings (id),
	org_id      TEXT NOT NULL REFERENCES organisations (id),
	status      TEXT NOT NULL CHECK (status IN ('present', 'apologies', 'absent')),
	recorded_by TEXT NOT NULL,
	recorded_at TEXT NOT NULL,
	PRIMARY KEY (meeting_id, org_id)
) STRICT;
