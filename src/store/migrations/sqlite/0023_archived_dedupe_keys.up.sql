-- The dedupe keys of the invocations `archive` moved out of skill_invocations
-- (with the row's id), written in the transaction that deletes the rows: a
-- call recorded again after its row was archived is still a duplicate (the
-- insert checks this table next to the unique dedupe index), so the rollups,
-- which still count the archived rows, do not count it twice.
CREATE TABLE archived_dedupe_keys (
  dedupe_key  TEXT PRIMARY KEY,
  id          TEXT NOT NULL
) WITHOUT ROWID;
-- Whether a file's keys are in archived_dedupe_keys. Files archived before this
-- migration are not (the keys are only in the Parquet file); the next `archive`
-- run reads them from the file and sets the flag.
ALTER TABLE archives ADD COLUMN keys_recorded INTEGER NOT NULL DEFAULT 0;
