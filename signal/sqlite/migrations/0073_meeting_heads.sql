-- The agenda's contents list (issue 16, item 7) reads of every signal of a
-- cooperation in a window only what it counts and groups by: this index
-- holds all of it, so that read touches no table row (a row is about 2 KB,
-- most of it the sealed content and the decision's JSON; the decision's
-- fields are all the list needs of it). It starts with the two columns of
-- signals_by_cooperation_created, which it replaces (with seq, the order
-- of the agenda, so the read needs no sort): a submission still
-- adds one entry to one index for this, at its end (the keys are ordered
-- by time).
CREATE INDEX signals_meeting_heads ON signals (cooperation_id, created_at, seq, status, meeting_level, youth, org_id, category, id,
	json_extract(decision, '$.fields'));
DROP INDEX signals_by_cooperation_created;
