-- The signal meeting: meetings with their member organisations, the case
-- per young person that runs across meetings (lead professional, actions,
-- decisions, closing), and the standing item "risks and bottlenecks".
-- Free text about a young person (an action, a decision) is sealed with the
-- young person's key like a signal's content; a case refers to the young
-- person by the keyed pseudonym only.

CREATE TABLE meetings (
	id             TEXT PRIMARY KEY,
	cooperation_id TEXT NOT NULL REFERENCES cooperations (id),
	title          TEXT NOT NULL CHECK (title <> ''),
	starts_at      TEXT NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('planned', 'held')),
	created_by     TEXT NOT NULL,
	created_at     TEXT NOT NULL,
	held_at        TEXT,
	CHECK ((status = 'held') = (held_at IS NOT NULL))
) STRICT;

CREATE INDEX meetings_by_cooperation ON meetings (cooperation_id, starts_at);

CREATE TABLE meeting_members (
	meeting_id TEXT NOT NULL REFERENCES meetings (id),
	org_id     TEXT NOT NULL REFERENCES organisations (id),
	PRIMARY KEY (meeting_id, org_id)
) STRICT;

-- A case is about one young person of one cooperation (subject 'y-' and
-- the pseudonym), or about one signal the meeting may only see anonymously
-- (subject 's-' and the signal id; never joined with the young person's
-- other signals).
CREATE TABLE cases (
	id               TEXT PRIMARY KEY,
	cooperation_id   TEXT NOT NULL REFERENCES cooperations (id),
	subject          TEXT NOT NULL,
	youth            TEXT NOT NULL,
	anonymous_signal TEXT REFERENCES signals (id),
	status           TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	opened_at        TEXT NOT NULL,
	opened_meeting   TEXT NOT NULL REFERENCES meetings (id),
	lead_user_id     TEXT REFERENCES users (id),
	lead_assigned_at TEXT,
	lead_meeting     TEXT REFERENCES meetings (id),
	closed_at        TEXT,
	close_reason     TEXT CHECK (close_reason IN ('resolved', 'referred', 'no_concern', 'moved_away')),
	closed_meeting   TEXT REFERENCES meetings (id),
	UNIQUE (cooperation_id, subject),
	CHECK ((status = 'closed') = (closed_at IS NOT NULL))
) STRICT;

CREATE INDEX cases_by_youth ON cases (youth);

CREATE TABLE case_actions (
	id             TEXT PRIMARY KEY,
	case_id        TEXT NOT NULL REFERENCES cases (id),
	meeting_id     TEXT NOT NULL REFERENCES meetings (id),
	owner_id       TEXT NOT NULL REFERENCES users (id),
	description_ct BLOB NOT NULL,
	due_on         TEXT NOT NULL,  -- YYYY-MM-DD
	done_on        TEXT,           -- YYYY-MM-DD
	created_by     TEXT NOT NULL,
	created_at     TEXT NOT NULL
) STRICT;

CREATE INDEX case_actions_by_case ON case_actions (case_id);

CREATE TABLE case_decisions (
	id         TEXT PRIMARY KEY,
	case_id    TEXT NOT NULL REFERENCES cases (id),
	meeting_id TEXT NOT NULL REFERENCES meetings (id),
	kind       TEXT NOT NULL CHECK (kind IN ('act', 'no_action')),
	text_ct    BLOB NOT NULL,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

CREATE INDEX case_decisions_by_case ON case_decisions (case_id);

-- Risks and bottlenecks are about how the cooperation works, not about a
-- young person (the form says so), so they are kept in the clear.
CREATE TABLE meeting_risks (
	id         TEXT PRIMARY KEY,
	meeting_id TEXT NOT NULL REFERENCES meetings (id),
	text       TEXT NOT NULL CHECK (text <> ''),
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

CREATE INDEX meeting_risks_by_meeting ON meeting_risks (meeting_id);

-- The agenda reads a cooperation's signals by arrival.
CREATE INDEX signals_by_cooperation_created ON signals (cooperation_id, created_at);
