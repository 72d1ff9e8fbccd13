-- A risk's text can be corrected (issue 16 item 4); the earlier texts are
-- kept, stored as the risk's text is (meeting_risks.text), with who wrote
-- each, when, why (a code) and whether it passed the text check.
CREATE TABLE risk_text_versions (
	risk_id    TEXT NOT NULL REFERENCES meeting_risks (id),
	version    INTEGER NOT NULL,
	text       TEXT NOT NULL,
	checked    INTEGER NOT NULL,
	written_by TEXT NOT NULL,
	written_at TEXT NOT NULL,
	reason     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (risk_id, version)
) STRICT;

ALTER TABLE meeting_risks ADD COLUMN text_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE meeting_risks ADD COLUMN text_revised_by TEXT;
ALTER TABLE meeting_risks ADD COLUMN text_revised_at TEXT;
ALTER TABLE meeting_risks ADD COLUMN text_revision_reason TEXT NOT NULL DEFAULT '';
