-- Parquet archives written by `archive`: raw invocations moved out of the live table.
CREATE TABLE archives (
  id          BIGSERIAL PRIMARY KEY,
  file        TEXT NOT NULL,
  rows        BIGINT NOT NULL,
  from_at     BIGINT NOT NULL,
  to_at       BIGINT NOT NULL,
  sha256      TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);
