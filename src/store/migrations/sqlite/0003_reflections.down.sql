DROP TRIGGER IF EXISTS reflections_fts_au;
DROP TRIGGER IF EXISTS reflections_fts_ad;
DROP TRIGGER IF EXISTS reflections_fts_ai;
DROP TABLE IF EXISTS reflections_fts;
DROP TABLE IF EXISTS reflections;
