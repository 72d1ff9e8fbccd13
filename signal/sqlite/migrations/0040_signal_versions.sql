-- The texts a reporter wrote for recipients who may see less than full
-- (issue 14): the versions for minimal and anonymous, with the reporter's
-- confirmations, as one JSON document sealed under the young person's key
-- like the rest of the content. NULL when there are none.
ALTER TABLE signals ADD COLUMN versions_ct BLOB;

-- Erasing a signal's content (retention, or a request) overwrites its
-- ciphertexts with name_ct = X''; the versions go with them, whichever
-- code path erases.
CREATE TRIGGER signals_erase_versions AFTER UPDATE OF name_ct ON signals
WHEN NEW.name_ct = X'' AND NEW.versions_ct IS NOT NULL
BEGIN
	UPDATE signals SET versions_ct = NULL WHERE seq = NEW.seq;
END;
