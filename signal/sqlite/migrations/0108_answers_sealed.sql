-- The answers to the policy's questions (issue 18 finding 6): sealed under
-- the young person's key like the rest of the content, as JSON. NULL when
-- the answers are in the clear in answers: signals stored before this, until
-- the service seals them at its next start (Signals.SealStoredAnswers, which
-- then sets answers to '{}'), and signals without answers.
ALTER TABLE signals ADD COLUMN answers_ct BLOB;

-- Erasing a signal's content goes for the answers too, whichever code path
-- erases (see signals_erase_versions).
CREATE TRIGGER signals_erase_answers AFTER UPDATE OF name_ct ON signals
WHEN NEW.name_ct = X'' AND (NEW.answers_ct IS NOT NULL OR NEW.answers <> '{}')
BEGIN
	UPDATE signals SET answers_ct = NULL, answers = '{}' WHERE seq = NEW.seq;
END;
