-- Sentence embeddings of reflections for search by meaning (memory/reflection-embedder.ts).
-- One row per reflection and model: `vector` is `dims` little-endian float32 values
-- (L2-normalised, so cosine similarity is a dot product). Rows are written in the
-- background after a reflection is stored, never inside its INSERT; a reflection
-- without a row here is found by keyword only until it is embedded.
CREATE TABLE reflection_vectors (
  reflection_id INTEGER PRIMARY KEY REFERENCES reflections (id) ON DELETE CASCADE,
  model         TEXT NOT NULL,
  dims          INTEGER NOT NULL CHECK (dims > 0),
  vector        BLOB NOT NULL CHECK (length(vector) = dims * 4)
);
CREATE INDEX idx_reflection_vectors_model ON reflection_vectors (model, reflection_id);
