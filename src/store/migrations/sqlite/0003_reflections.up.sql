-- Reflections: short notes an agent or user stores for later sessions.
-- content_hash = SHA-256 (hex) of the normalised content (NFC, trimmed,
-- whitespace runs collapsed to one space); it makes storing the same note twice a no-op.
CREATE TABLE reflections (
  id           INTEGER PRIMARY KEY,
  content      TEXT NOT NULL,
  content_hash TEXT NOT NULL UNIQUE,
  tags         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  project      TEXT,
  created_at   INTEGER NOT NULL
);
CREATE INDEX idx_reflections_project_created ON reflections (project, created_at);
CREATE INDEX idx_reflections_created ON reflections (created_at);

-- Full-text index over content and tags (external content: the text lives only
-- in `reflections`; triggers keep the index in step inside the same transaction,
-- so a reflection is searchable as soon as its INSERT commits).
CREATE VIRTUAL TABLE reflections_fts USING fts5 (
  content,
  tags,
  content = 'reflections',
  content_rowid = 'id',
  tokenize = 'porter unicode61'
);

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
