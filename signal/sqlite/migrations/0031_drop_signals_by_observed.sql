-- The retention job's query (Privacy.RetentionCandidates) asks for signals
-- observed before a date OR whose young person has turned 23 since, and the
-- second term is computed per row, so SQLite scans the table for it and never
-- used this index. Every index costs each group commit its last page or more
-- (see the audit log's migration 4); this one bought nothing for it.
DROP INDEX signals_by_observed;
