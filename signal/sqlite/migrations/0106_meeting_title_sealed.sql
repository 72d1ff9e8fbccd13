-- A meeting's title is sealed under its cooperation's key (issue 18,
-- finding 6: a title in plain text is readable by whoever takes the
-- database file) and is shown only once it passed the text check (issue
-- 14: titles written before the check, migration 0050, may name a young
-- person). title_ct holds the sealed title; the old title column then
-- holds only a placeholder (it cannot be empty). title_checked = 1 marks
-- a title that passed the check; a meeting without it is shown as the
-- neutral "Overleg van <date>" everywhere (signal.Meetings).
--
-- Every title already stored is unchecked here and still in the clear:
-- at start the application checks each one, seals those the check passes
-- and drops those it refuses (signal.Meetings.SealOldTitles).
ALTER TABLE meetings ADD COLUMN title_ct BLOB;
ALTER TABLE meetings ADD COLUMN title_checked INTEGER NOT NULL DEFAULT 0 CHECK (title_checked IN (0, 1));
