-- Every lead professional a case had, so the minutes of a meeting show who
-- was lead then, and the evaluation counts from the first assignment.
CREATE TABLE case_leads (
	case_id     TEXT NOT NULL REFERENCES cases (id),
	user_id     TEXT NOT NULL REFERENCES users (id),
	meeting_id  TEXT NOT NULL REFERENCES meetings (id),
	assigned_at TEXT NOT NULL
) STRICT;

CREATE INDEX case_leads_by_case ON case_leads (case_id, assigned_at);

INSERT INTO case_leads (case_id, user_id, meeting_id, assigned_at)
	SELECT id, lead_user_id, lead_meeting, lead_assigned_at FROM cases WHERE lead_user_id IS NOT NULL;
