-- The privacy officer's console: policy governance, the escalation work
-- queue, and the record of erased signals. No column holds a name, a birth
-- date or what a signal says.

-- Every policy version ever loaded, with its files, so the console can say
-- which rules decided at a given time and show what changed between
-- versions (the digest alone proves which, not what).
CREATE TABLE policy_versions (
	version      TEXT PRIMARY KEY CHECK (version LIKE 'sha256:%'),
	first_loaded TEXT NOT NULL,
	last_loaded  TEXT NOT NULL,
	files        TEXT NOT NULL -- JSON [{"path", "content"}], sorted by path
) STRICT;

-- Each load of a policy (a start of signald): a version is in force from
-- its load until the next one.
CREATE TABLE policy_loads (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	version   TEXT NOT NULL REFERENCES policy_versions (version),
	loaded_at TEXT NOT NULL
) STRICT;

CREATE INDEX policy_loads_time ON policy_loads (loaded_at);

-- The work queue of escalations: one row per share.decide audit entry that
-- escalated or asked to notify the privacy officer. Rows are added from the
-- audit log (escalation_scan remembers how far it was read), so the queue
-- holds every escalation the policy made; status changes are audited.
CREATE TABLE escalations (
	seq        INTEGER PRIMARY KEY, -- the audit entry of the decision
	object     TEXT NOT NULL,
	subject    TEXT NOT NULL,
	why        TEXT NOT NULL CHECK (why IN ('escalate', 'notify_privacy_officer')),
	outcome    TEXT NOT NULL,
	rule       TEXT NOT NULL,
	reasons    TEXT NOT NULL, -- JSON list of reason codes
	policy     TEXT NOT NULL,
	org        TEXT NOT NULL,
	decided_at TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done')),
	updated_at TEXT,
	updated_by TEXT
) STRICT;

CREATE INDEX escalations_status ON escalations (status, seq);

CREATE TABLE escalation_scan (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	last_seq INTEGER NOT NULL
) STRICT;

INSERT INTO escalation_scan (id, last_seq) VALUES (1, 0);

-- Signals whose content was erased (retention or on request): the
-- ciphertexts in signals are overwritten (secure_delete zeroes the old
-- bytes), the metadata and decisions stay, and this row says when and why.
CREATE TABLE signal_erasures (
	signal_id TEXT PRIMARY KEY REFERENCES signals (id),
	erased_at TEXT NOT NULL,
	reason    TEXT NOT NULL CHECK (reason IN ('retention_period', 'age_limit', 'data_subject_request',
		'consent_withdrawn', 'objection', 'unlawful_processing', 'legal_obligation', 'no_longer_necessary')),
	erased_by TEXT NOT NULL
) STRICT;

-- The retention job's candidates: signals not yet erased, by observation.
CREATE INDEX signals_by_observed ON signals (observed_on);
