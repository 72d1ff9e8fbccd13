-- Work about one young person costs what that young person has, not what
-- the database holds (issue 13 item 9).
--
-- The index by young person: an erasure checks what is left of the young
-- person, and an access report lists their signals, by this index instead
-- of reading every signal ever recorded. Its keys are random (keyed
-- pseudonyms), so it costs each commit a page per signal; the submission
-- benchmark (docs/performance.md) measures it.
CREATE INDEX signals_by_youth ON signals (youth);

-- When retention last ran in each cooperation: a run does not act on a
-- clock implausibly far past it (signal.Retention.Run).
CREATE TABLE retention_runs (
	cooperation_id TEXT PRIMARY KEY REFERENCES cooperations (id),
	last_run_at    TEXT NOT NULL
) STRICT;

-- An erased signal keeps what the audit log and the evaluation need (who
-- reported, the category, the dates, the decision's outcome, level, rule,
-- field and obligation codes and policy version) and loses the rest: the
-- reporter's answers and the decision's reasons and missing answers. The ciphertexts were
-- overwritten when it was erased.
UPDATE signals SET
	answers  = '{}',
	decision = json_object(
		'outcome', json_extract(decision, '$.outcome'),
		'level', json_extract(decision, '$.level'),
		'rule', json_extract(decision, '$.rule'),
		'fields', json_extract(decision, '$.fields'), 'obligations', json_extract(decision, '$.obligations'), 'missing', json('[]'), 'reasons', json('[]'),
		'policy_version', json_extract(decision, '$.policy_version'))
WHERE length(name_ct) = 0;
