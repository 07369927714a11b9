-- Back to one row per content hash across the store: of the copies of a note kept under
-- several projects, the earliest (lowest id) stays and the others are deleted (with their
-- vectors); links (duplicate_of) to a deleted copy are cleared.
UPDATE reflections SET duplicate_of = NULL
  WHERE duplicate_of IN (SELECT r.id FROM reflections r WHERE EXISTS (SELECT 1 FROM reflections e WHERE e.content_hash = r.content_hash AND e.id < r.id));
DELETE FROM reflections WHERE EXISTS (SELECT 1 FROM reflections e WHERE e.content_hash = reflections.content_hash AND e.id < reflections.id);

CREATE TABLE reflection_vectors_keep AS SELECT reflection_id, model, dims, vector FROM reflection_vectors;
DROP TABLE reflection_vectors;

CREATE TABLE reflections_new (
  id           INTEGER PRIMARY KEY,
  content      TEXT NOT NULL,
  content_hash TEXT NOT NULL UNIQUE,
  tags         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  project      TEXT,
  created_at   INTEGER NOT NULL,
  kind         TEXT NOT NULL DEFAULT 'note' CHECK (kind IN ('note', 'checkpoint', 'precompact')),
  data         TEXT CHECK (data IS NULL OR json_valid(data)),
  files        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(files) AND json_type(files) = 'array'),
  duplicate_of INTEGER
);
INSERT INTO reflections_new (id, content, content_hash, tags, project, created_at, kind, data, files, duplicate_of)
  SELECT id, content, content_hash, tags, project, created_at, kind, data, files, duplicate_of FROM reflections;
DROP TABLE reflections;
ALTER TABLE reflections_new RENAME TO reflections;

CREATE INDEX idx_reflections_project_created ON reflections (project, created_at);
CREATE INDEX idx_reflections_created ON reflections (created_at);
CREATE INDEX idx_reflections_kind_project_created ON reflections (kind, project, created_at);

CREATE TRIGGER reflections_fts_ai AFTER INSERT ON reflections BEGIN
  INSERT INTO reflections_fts (rowid, content, tags) VALUES (new.id, new.content, new.tags);
END;

CREATE TRIGGER reflections_fts_ad AFTER DELETE ON reflections BEGIN
  INSERT INTO reflections_fts (reflections_fts, rowid, content, tags) VALUES ('delete', old.id, old.content, old.tags);
END;

CREATE TRIGGER reflections_fts_au AFTER UPDATE ON reflections BEGIN
  INSERT INTO reflections_fts (reflections_fts, rowid, content, tags) VALUES ('delete', old.id, old.content, old.tags);
  INSERT INTO reflections_fts (rowid, content, tags) VALUES (new.id, new.content, new.tags);
END;

CREATE TABLE reflection_vectors (
  reflection_id INTEGER PRIMARY KEY REFERENCES reflections (id) ON DELETE CASCADE,
  model         TEXT NOT NULL,
  dims          INTEGER NOT NULL CHECK (dims > 0),
  vector        BLOB NOT NULL CHECK (length(vector) = dims * 4)
);
INSERT INTO reflection_vectors (reflection_id, model, dims, vector) SELECT reflection_id, model, dims, vector FROM reflection_vectors_keep;
DROP TABLE reflection_vectors_keep;
CREATE INDEX idx_reflection_vectors_model ON reflection_vectors (model, reflection_id);
