DROP TABLE IF EXISTS reflections;
