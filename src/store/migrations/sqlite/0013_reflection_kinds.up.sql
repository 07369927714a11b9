-- Reflections the system writes itself: `kind` tells a note stored by an agent or
-- user ('note') from a checkpoint's record ('checkpoint': quality score, its
-- dimensions, skill metrics, what changed) and the context saved before Claude Code
-- compacts a conversation ('precompact'). `data` holds the structured record as JSON.
-- `duplicate_of` links a note to an earlier one whose text is nearly the same (see
-- memory/reflection-service.ts for the similarity and its threshold).
-- `files` lists the file paths a reflection mentions (JSON array) for search by file.
ALTER TABLE reflections ADD COLUMN kind TEXT NOT NULL DEFAULT 'note' CHECK (kind IN ('note', 'checkpoint', 'precompact'));
ALTER TABLE reflections ADD COLUMN data TEXT CHECK (data IS NULL OR json_valid(data));
ALTER TABLE reflections ADD COLUMN files TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(files) AND json_type(files) = 'array');
ALTER TABLE reflections ADD COLUMN duplicate_of INTEGER;
CREATE INDEX idx_reflections_kind_project_created ON reflections (kind, project, created_at);
