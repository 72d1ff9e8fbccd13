-- An idempotency key now lives on the signal it stored, instead of in a table
-- of its own: a submission writes one row and one key index entry instead of
-- two rows, a response copy and three index entries. The replayed answer is
-- read from the signal itself (its id and decision).
ALTER TABLE signals ADD COLUMN idem_key_ref TEXT;     -- keyed digest of (user, Idempotency-Key), see signal.IdempotencyKeyRef
ALTER TABLE signals ADD COLUMN idem_fingerprint TEXT; -- keyed digest of the submission

UPDATE signals SET
	idem_key_ref     = (SELECT key_ref FROM signal_idempotency i WHERE i.signal_id = signals.id),
	idem_fingerprint = (SELECT fingerprint FROM signal_idempotency i WHERE i.signal_id = signals.id)
WHERE id IN (SELECT signal_id FROM signal_idempotency);

-- Partial: most signals of the web pages carry a key, API clients need not.
CREATE UNIQUE INDEX signals_by_idempotency_key ON signals (idem_key_ref) WHERE idem_key_ref IS NOT NULL;

DROP TABLE signal_idempotency;
