-- The privacy officer's work on an escalation (issue 17 item 5): who owns
-- it, the advice given to the reporter, the decision and a note. Advice and
-- note are free text: kept here only (never in the audit log) and wiped
-- when the young person is erased.
ALTER TABLE escalations ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE escalations ADD COLUMN advice TEXT NOT NULL DEFAULT '';
ALTER TABLE escalations ADD COLUMN decision TEXT NOT NULL DEFAULT ''
	CHECK (decision IN ('', 'agreed', 'changed', 'referred', 'no_action'));
ALTER TABLE escalations ADD COLUMN note TEXT NOT NULL DEFAULT '';
