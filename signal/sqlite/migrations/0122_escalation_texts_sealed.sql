-- The privacy officer's advice and note on an escalation (migration 0113)
-- are free text about a young person's case: sealed under the
-- cooperation's key, as the meeting's risks are (issue 18: the remaining
-- free text encrypted at rest). advice and note then stay ''. Texts
-- already stored are sealed in place at start
-- (signal.Privacy.SealStoredEscalationTexts); an erasure empties both.
ALTER TABLE escalations ADD COLUMN advice_ct BLOB;
ALTER TABLE escalations ADD COLUMN note_ct BLOB;
