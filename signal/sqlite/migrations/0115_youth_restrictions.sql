-- Restriction of processing (AVG art. 18) on request (issue 17 item 3): a
-- young person's data restricted in one cooperation, under the request
-- that asked for it. Lifting deletes the row; both are audited. No column
-- holds a name: the young person is the keyed pseudonym.
CREATE TABLE youth_restrictions (
	cooperation_id TEXT NOT NULL REFERENCES cooperations (id),
	youth          TEXT NOT NULL CHECK (length(youth) = 64),
	request_id     TEXT NOT NULL REFERENCES access_requests (id),
	ground         TEXT NOT NULL CHECK (ground IN ('accuracy_contested', 'unlawful_restrict', 'legal_claims', 'objection_pending')),
	restricted_at  TEXT NOT NULL,
	restricted_by  TEXT NOT NULL,
	PRIMARY KEY (cooperation_id, youth)
) STRICT;
