-- Reflections: short notes an agent or user stores for later sessions.
-- content_hash = SHA-256 (hex) of the normalised content; storing the same note twice is a no-op.
-- Full-text search uses a generated tsvector (English stemming, like SQLite's porter tokenizer)
-- with a GIN index; ranking uses ts_rank_cd.
CREATE TABLE reflections (
  id           BIGSERIAL PRIMARY KEY,
  content      TEXT NOT NULL,
  content_hash TEXT NOT NULL UNIQUE,
  tags         TEXT NOT NULL DEFAULT '[]',
  project      TEXT,
  created_at   BIGINT NOT NULL,
  search       TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('english', content), 'A') || setweight(to_tsvector('english', tags), 'B')
  ) STORED
);
CREATE INDEX idx_reflections_project_created ON reflections (project, created_at);
CREATE INDEX idx_reflections_created ON reflections (created_at);
CREATE INDEX idx_reflections_search ON reflections USING GIN (search);
