-- The live feed follows raw rows in commit order (store/postgres/invocation-tail.ts):
-- each row keeps the id of the transaction that wrote it. Rows written before
-- this migration keep NULL (the feed starts at the present and never reads them),
-- so no existing row is rewritten.
ALTER TABLE skill_invocations ADD COLUMN tx_id xid8;
ALTER TABLE skill_invocations ALTER COLUMN tx_id SET DEFAULT pg_current_xact_id();
CREATE INDEX skill_invocations_tx ON skill_invocations (tx_id, rowid_);
