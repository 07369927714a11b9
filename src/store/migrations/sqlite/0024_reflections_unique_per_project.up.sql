-- Identical notes are deduplicated per project, not across the whole store: the same
-- normalised content (content_hash) is kept once for each project, a reflection without a
-- project counting as a project of its own (coalesce(project, '') : a project name is never
-- empty). Before, content_hash was UNIQUE on its own, so a note stored under a second
-- project was silently dropped and never found there.
-- SQLite cannot drop a column's UNIQUE constraint: the table is rebuilt with its rows and
-- ids (the full-text index, keyed by id, stays valid). reflection_vectors references
-- reflections with ON DELETE CASCADE, so its rows are set aside first and put back after.
CREATE TABLE reflection_vectors_keep AS SELECT reflection_id, model, dims, vector FROM reflection_vectors;
DROP TABLE reflection_vectors;

CREATE TABLE reflections_new (
  id           INTEGER PRIMARY KEY,
  content      TEXT NOT NULL,
  content_hash TEXT NOT NULL,
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

CREATE UNIQUE INDEX idx_reflections_hash_project ON reflections (content_hash, coalesce(project, ''));
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
