-- Installation-wide settings kept in the database itself. On a shared
-- (PostgreSQL) store this holds the user-hash salt, so that every instance
-- hashes the same user id to the same value; the SQLite store keeps its salt
-- in the data directory and has the table for symmetry (and `migrate-store`).
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
