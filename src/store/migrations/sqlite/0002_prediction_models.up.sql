-- Trained success-prediction models (random forest, serialised as JSON).
CREATE TABLE prediction_models (
  id          INTEGER PRIMARY KEY,
  trained_at  INTEGER NOT NULL,
  window_days INTEGER NOT NULL,
  samples     INTEGER NOT NULL,
  accuracy    REAL,
  report      TEXT NOT NULL,  -- JSON: feature importance, class balance, encodings
  model       TEXT NOT NULL   -- JSON: serialised classifier
);
