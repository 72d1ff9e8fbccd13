-- Erasure on request as the answer to a registered request (issue 17 item
-- 3): the answer (erased or refused), its ground as a code, who decided
-- when, the counts per kind of what went, and the audit entry of the
-- answer. No column holds a name, a birth date, a note or what a signal
-- said: this is the receipt for the file, kept after the erasure.
CREATE TABLE access_request_answers (
	request_id   TEXT PRIMARY KEY REFERENCES access_requests (id),
	kind         TEXT NOT NULL CHECK (kind IN ('erased', 'refused')),
	ground       TEXT NOT NULL CHECK (ground IN ('data_subject_request', 'consent_withdrawn', 'objection',
		'unlawful_processing', 'legal_obligation', 'no_longer_necessary',
		'child_protection', 'legal_claims', 'retention_duty', 'no_ground')),
	decided_at   TEXT NOT NULL,
	decided_by   TEXT NOT NULL,
	counts       TEXT NOT NULL CHECK (json_valid(counts)),
	audit_seq    INTEGER NOT NULL,
	completed_at TEXT
) STRICT;
