-- Corrections kept as history (issue 16 item 4): a corrected action or
-- decision keeps every earlier version in case_record_versions (the text
-- as it was sealed, under the young person's key; erasure overwrites it
-- there too), the row itself holds the current version with who corrected
-- it last, when and why (a code, never free text). A reopened case keeps
-- its earlier closing in case_closings.
CREATE TABLE case_record_versions (
	record_kind TEXT NOT NULL CHECK (record_kind IN ('action', 'decision')),
	record_id   TEXT NOT NULL,
	case_id     TEXT NOT NULL REFERENCES cases (id),
	version     INTEGER NOT NULL,
	text_ct     BLOB NOT NULL,
	needs       TEXT,
	owner_id    TEXT,           -- actions
	due_on      TEXT,           -- actions
	done_on     TEXT,           -- actions
	kind        TEXT,           -- decisions
	written_by  TEXT NOT NULL,  -- who wrote this version
	written_at  TEXT NOT NULL,
	reason      TEXT NOT NULL DEFAULT '', -- why this version was written (a code)
	PRIMARY KEY (record_kind, record_id, version)
) STRICT;

CREATE INDEX case_record_versions_by_case ON case_record_versions (case_id);

ALTER TABLE case_actions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE case_actions ADD COLUMN revised_by TEXT;
ALTER TABLE case_actions ADD COLUMN revised_at TEXT;
ALTER TABLE case_actions ADD COLUMN revision_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE case_decisions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE case_decisions ADD COLUMN revised_by TEXT;
ALTER TABLE case_decisions ADD COLUMN revised_at TEXT;
ALTER TABLE case_decisions ADD COLUMN revision_reason TEXT NOT NULL DEFAULT '';

CREATE TABLE case_closings (
	case_id        TEXT NOT NULL REFERENCES cases (id),
	closed_at      TEXT NOT NULL,
	close_reason   TEXT NOT NULL,
	closed_meeting TEXT NOT NULL,
	reopened_at    TEXT NOT NULL,
	reopened_by    TEXT NOT NULL,
	reopen_reason  TEXT NOT NULL,  -- a code
	reopen_meeting TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX case_closings_by_case ON case_closings (case_id);
