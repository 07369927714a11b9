-- Identical notes are deduplicated per project, not across the whole store: the same
-- normalised content (content_hash) is kept once for each project, a reflection without a
-- project counting as a project of its own (coalesce(project, '') : a project name is never
-- empty). Before, content_hash was UNIQUE on its own, so a note stored under a second
-- project was silently dropped and never found there. Rows, ids and vectors stay as they are.
ALTER TABLE reflections DROP CONSTRAINT reflections_content_hash_key;
CREATE UNIQUE INDEX idx_reflections_hash_project ON reflections (content_hash, (coalesce(project, '')));
