-- The in-app "Meldingen" list (issue 16 item 5) is the outbox read per
-- recipient: the link is kept apart from the body (which is wiped once
-- sent); invitations and password resets keep no link (it holds a token).
ALTER TABLE outbox ADD COLUMN link TEXT NOT NULL DEFAULT '';

CREATE INDEX outbox_by_recipient ON outbox (recipient, created_ms);
