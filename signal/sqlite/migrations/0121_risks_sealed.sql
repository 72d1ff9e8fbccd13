-- A meeting's risks and bottlenecks are sealed under the cooperation's key,
-- as meeting titles are (migration 0106; issue 18: the remaining free text
-- encrypted at rest). text_ct holds the sealed text, bound to the risk and
-- its version; the text column then holds only a placeholder (it cannot be
-- empty). Earlier versions (risk_text_versions, migration 0119) carry
-- their sealed text along when a risk is corrected.
--
-- Texts already stored are still in the clear here: at start the
-- application seals them in place (signal.Meetings.SealStoredRisks).
ALTER TABLE meeting_risks ADD COLUMN text_ct BLOB;
ALTER TABLE risk_text_versions ADD COLUMN text_ct BLOB;
