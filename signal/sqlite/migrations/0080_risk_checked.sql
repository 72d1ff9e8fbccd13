-- Risks and bottlenecks are kept in the clear and checked when written
-- (issue 14, item 4: no young person's name, nothing that identifies
-- anyone). Those written before the check (migration 0050) may carry
-- anything: checked = 0 marks them, and they are checked again each time
-- they are shown, and held back when the check finds anything it refuses
-- (signal.Meetings.risks). Every risk written from now on is checked = 1.
ALTER TABLE meeting_risks ADD COLUMN checked INTEGER NOT NULL DEFAULT 0 CHECK (checked IN (0, 1));
