DROP INDEX IF EXISTS idx_reflections_kind_project_created;
ALTER TABLE reflections DROP COLUMN duplicate_of;
ALTER TABLE reflections DROP COLUMN files;
ALTER TABLE reflections DROP COLUMN data;
ALTER TABLE reflections DROP COLUMN kind;
