-- The dedupe keys of the invocations `archive` moved out of skill_invocations
-- (with the row's id). `archive` runs on SQLite only; a store copied here by
-- `migrate-store` brings them along, and the insert checks this table next to
-- the unique dedupe index, so a call recorded again after its row was archived
-- is still a duplicate.
CREATE TABLE archived_dedupe_keys (
  dedupe_key  TEXT PRIMARY KEY,
  id          TEXT NOT NULL
);
-- Whether a file's keys are in archived_dedupe_keys (see the SQLite migration).
ALTER TABLE archives ADD COLUMN keys_recorded INTEGER NOT NULL DEFAULT 0;
