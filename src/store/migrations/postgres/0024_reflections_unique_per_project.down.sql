-- Back to one row per content hash across the store: of the copies of a note kept under
-- several projects, the earliest (lowest id) stays and the others are deleted (with their
-- vectors); links (duplicate_of) to a deleted copy are cleared.
UPDATE reflections SET duplicate_of = NULL
  WHERE duplicate_of IN (SELECT r.id FROM reflections r WHERE EXISTS (SELECT 1 FROM reflections e WHERE e.content_hash = r.content_hash AND e.id < r.id));
DELETE FROM reflections r WHERE EXISTS (SELECT 1 FROM reflections e WHERE e.content_hash = r.content_hash AND e.id < r.id);
DROP INDEX idx_reflections_hash_project;
ALTER TABLE reflections ADD CONSTRAINT reflections_content_hash_key UNIQUE (content_hash);
