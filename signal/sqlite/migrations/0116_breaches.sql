-- The breach log (AVG art. 33, issue 17 item 6): each incident in fixed
-- categories and counts, with the 72-hour deadline for telling the
-- Autoriteit Persoonsgegevens, and the notifications made. No column holds
-- free text: nothing here can name a young person.

CREATE TABLE breaches (
	id             TEXT PRIMARY KEY,
	cooperation_id TEXT NOT NULL REFERENCES cooperations (id),
	discovered_at  TEXT NOT NULL,
	kind           TEXT NOT NULL CHECK (kind IN ('confidentiality', 'integrity', 'availability')),
	cause          TEXT NOT NULL CHECK (cause IN ('lost_device', 'wrong_recipient', 'unauthorised_access', 'malware', 'mistake', 'other')),
	risk           TEXT NOT NULL CHECK (risk IN ('unlikely', 'risk', 'high')),
	categories     TEXT NOT NULL, -- the fields concerned, comma-separated
	young_people   INTEGER NOT NULL CHECK (young_people >= 0),
	notify_by      TEXT NOT NULL,
	recorded_by    TEXT NOT NULL,
	recorded_at    TEXT NOT NULL
) STRICT;

CREATE INDEX breaches_by_cooperation ON breaches (cooperation_id, discovered_at);

CREATE TABLE breach_notices (
	breach_id   TEXT NOT NULL REFERENCES breaches (id),
	addressee   TEXT NOT NULL CHECK (addressee IN ('authority', 'subjects')),
	notified_at TEXT NOT NULL,
	reference   TEXT,
	late_reason TEXT CHECK (late_reason IN ('investigation', 'reported_late', 'other')),
	recorded_by TEXT NOT NULL,
	PRIMARY KEY (breach_id, addressee)
) STRICT;
