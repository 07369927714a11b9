-- Parquet archives written by `archive`: raw invocations moved out of the live table.
CREATE TABLE archives (
  id          INTEGER PRIMARY KEY,
  file        TEXT NOT NULL,
  rows        INTEGER NOT NULL,
  from_at     INTEGER NOT NULL,
  to_at       INTEGER NOT NULL,
  sha256      TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
