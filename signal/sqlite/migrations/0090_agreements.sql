-- The administrator's console (issue 19): what a partner does in the
-- cooperation (shown on the social map), and the cooperation's privacy
-- agreement (convenant) as data: its version and signing day, the retention
-- it fixes, its purposes with the data categories per purpose, and the
-- organisations party to it. The policy's recipient.in_agreement is derived
-- from these rows, not asked of the reporter.

ALTER TABLE organisations ADD COLUMN part TEXT NOT NULL DEFAULT '';

CREATE TABLE agreements (
	cooperation_id   TEXT PRIMARY KEY REFERENCES cooperations (id),
	version          TEXT NOT NULL CHECK (version <> ''),
	signed_on        TEXT NOT NULL CHECK (signed_on <> ''),  -- YYYY-MM-DD
	retention_months INTEGER NOT NULL CHECK (retention_months BETWEEN 1 AND 120),
	updated_at       TEXT NOT NULL
) STRICT;

-- fields: the data categories for the purpose, comma-separated policy fields.
CREATE TABLE agreement_purposes (
	cooperation_id TEXT NOT NULL REFERENCES agreements (cooperation_id),
	purpose        TEXT NOT NULL CHECK (purpose IN ('coordinate_support', 'safety_risk', 'radicalisation_concern')),
	fields         TEXT NOT NULL CHECK (fields <> ''),
	PRIMARY KEY (cooperation_id, purpose)
) STRICT;

CREATE TABLE agreement_parties (
	cooperation_id TEXT NOT NULL REFERENCES agreements (cooperation_id),
	org_id         TEXT NOT NULL REFERENCES organisations (id),
	PRIMARY KEY (cooperation_id, org_id)
) STRICT;
