-- Retention's candidates cost what expires, not what the cooperation holds
-- (issue 13 item 9): the run found them by reading every signal with
-- content of the cooperation (a million rows, a second of I/O and CPU at
-- the start of every run, while submissions waited). Both indexes hold
-- only signals with content, so erased rows leave them.
--
-- By observation date: expired by the retention period.
CREATE INDEX signals_content_by_observed ON signals (cooperation_id, observed_on) WHERE length(name_ct) > 0;
-- By the first day the young person may be 23 (see
-- sqlite.Privacy.RetentionCandidates): expired by the age limit. The
-- expression must stay exactly the query's.
CREATE INDEX signals_content_by_age_limit ON signals (cooperation_id, date(observed_on, printf('%+d years', 22 - age), '+1 day')) WHERE length(name_ct) > 0;
