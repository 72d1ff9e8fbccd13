-- What each of the meeting's texts about a young person carries, found by
-- the text check when it was written (issue 14, item 4): the decision fields
-- it needs before it may be shown ("identity,health"; '' for plain facts).
-- The text is shown only where the young person's item allows them all.
-- NULL: written before the check, so it may carry anything; such a text is
-- shown only where the young person is shared in full, identity included.
ALTER TABLE case_actions ADD COLUMN needs TEXT;
ALTER TABLE case_decisions ADD COLUMN needs TEXT;
