-- The retention run log (issue 17 item 5): per cooperation, each run a
-- person started, each run that erased, went past a safeguard on a
-- person's word, or was stopped by one: who or which job, when, counts and
-- codes. The job's hourly runs that found nothing only move
-- retention_runs.last_run_at. No column can name a young person.

CREATE TABLE retention_run_log (
	id             INTEGER PRIMARY KEY,
	cooperation_id TEXT NOT NULL REFERENCES cooperations (id),
	at             TEXT NOT NULL,
	actor_user     TEXT NOT NULL,
	actor_role     TEXT NOT NULL,
	checked        INTEGER NOT NULL CHECK (checked >= 0),
	due            INTEGER NOT NULL CHECK (due >= 0),
	erased         INTEGER NOT NULL CHECK (erased >= 0),
	young_people   INTEGER NOT NULL CHECK (young_people >= 0),
	keys_erased    INTEGER NOT NULL CHECK (keys_erased >= 0),
	content        INTEGER NOT NULL CHECK (content >= 0),
	held           TEXT NOT NULL CHECK (held IN ('', 'clock_behind', 'clock_ahead', 'share', 'young_people')),
	confirmed      INTEGER NOT NULL CHECK (confirmed IN (0, 1))
) STRICT;

CREATE INDEX retention_run_log_by_cooperation ON retention_run_log (cooperation_id, id);
