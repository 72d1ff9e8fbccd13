-- Risks and bottlenecks carry over (issue 16, item 4): each has an owner
-- (who follows it up) and a status; an open risk of a held meeting is on
-- every later agenda until a meeting resolves it. Every change is kept in
-- risk_updates (nothing overwritten): who changed owner or status, in
-- which meeting, when. The text stays as written (it was checked then).
ALTER TABLE meeting_risks ADD COLUMN owner_id TEXT REFERENCES users (id);
ALTER TABLE meeting_risks ADD COLUMN status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved'));

CREATE TABLE risk_updates (
	risk_id    TEXT NOT NULL REFERENCES meeting_risks (id),
	meeting_id TEXT NOT NULL REFERENCES meetings (id),
	owner_id   TEXT REFERENCES users (id),
	status     TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
	updated_by TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX risk_updates_by_risk ON risk_updates (risk_id, updated_at);
