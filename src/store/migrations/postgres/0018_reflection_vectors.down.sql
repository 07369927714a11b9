DROP TABLE IF EXISTS reflection_vectors;
