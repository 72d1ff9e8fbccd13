-- A planned meeting can be cancelled: it keeps status 'planned' (the CHECK
-- of meetings allows no other value without rebuilding the table, which
-- four tables refer to) and gets the time it was cancelled. Such a meeting
-- is never held, so its agenda's window stays open for the next one.
ALTER TABLE meetings ADD COLUMN cancelled_at TEXT CHECK (cancelled_at IS NULL OR held_at IS NULL);
