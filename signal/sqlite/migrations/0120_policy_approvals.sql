-- Who approved which policy version for a cooperation (issue 17 item 5):
-- a privacy officer, once per version and cooperation, audited as
-- policy.approve.

CREATE TABLE policy_approvals (
	version        TEXT NOT NULL REFERENCES policy_versions (version),
	cooperation_id TEXT NOT NULL REFERENCES cooperations (id),
	approved_by    TEXT NOT NULL,
	approved_at    TEXT NOT NULL,
	PRIMARY KEY (version, cooperation_id)
) STRICT;
