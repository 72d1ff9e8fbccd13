-- A message is claimed just before it is handed to the mail server
-- (issue 16 item 5): a claimed message is never picked up again, so when
-- the server accepted it but marking it sent failed (or the process
-- stopped in between) it is not sent a second time. It stays pending, so
-- /readyz shows it. A refused or failed attempt releases the claim.
ALTER TABLE outbox ADD COLUMN claimed_ms INTEGER;
