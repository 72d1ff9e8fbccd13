-- What reporters record about the duties of their signals' decisions
-- (issue 15 items 5 and 6): the report to Veilig Thuis made, the consent
-- and the justification written down, the young person or parents
-- informed or informing postponed until a date. Appended, never updated:
-- the latest row per signal and duty is the current one. The note (the
-- justification, what the consent covers, why informing waits) is sealed
-- under the young person's key; an erasure of the signal overwrites it.
CREATE TABLE signal_duties (
	seq         INTEGER PRIMARY KEY,
	signal_id   TEXT NOT NULL REFERENCES signals(id),
	duty        TEXT NOT NULL,
	state       TEXT NOT NULL,
	on_date     TEXT NOT NULL DEFAULT '',
	until_date  TEXT NOT NULL DEFAULT '',
	how         TEXT NOT NULL DEFAULT '',
	parties     TEXT NOT NULL DEFAULT '',
	note_ct     BLOB,
	recorded_by TEXT NOT NULL,
	recorded_at TEXT NOT NULL
);
CREATE INDEX signal_duties_by_signal ON signal_duties (signal_id, seq);
