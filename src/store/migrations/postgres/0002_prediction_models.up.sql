-- Trained success-prediction models (random forest, serialised as JSON).
CREATE TABLE prediction_models (
  id          BIGSERIAL PRIMARY KEY,
  trained_at  BIGINT NOT NULL,
  window_days INTEGER NOT NULL,
  samples     INTEGER NOT NULL,
  accuracy    DOUBLE PRECISION,
  report      TEXT NOT NULL,
  model       TEXT NOT NULL
);
