-- The coordinator's answers to proposed matches: two young people
-- (pseudonyms, youth_a < youth_b) are one, or are not. Kept, never
-- overwritten: a rejected pair is not proposed again, a confirmed pair is
-- one item on every later agenda.
CREATE TABLE match_decisions (
	cooperation_id TEXT NOT NULL REFERENCES cooperations (id),
	youth_a        TEXT NOT NULL,
	youth_b        TEXT NOT NULL,
	same           INTEGER NOT NULL CHECK (same IN (0, 1)),
	meeting_id     TEXT NOT NULL REFERENCES meetings (id),
	decided_by     TEXT NOT NULL,
	decided_at     TEXT NOT NULL,
	PRIMARY KEY (cooperation_id, youth_a, youth_b),
	CHECK (youth_a < youth_b)
) STRICT;
