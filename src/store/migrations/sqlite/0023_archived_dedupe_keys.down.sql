ALTER TABLE archives DROP COLUMN keys_recorded;
DROP TABLE archived_dedupe_keys;
