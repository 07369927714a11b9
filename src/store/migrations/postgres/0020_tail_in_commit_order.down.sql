DROP INDEX skill_invocations_tx;
ALTER TABLE skill_invocations DROP COLUMN tx_id;
