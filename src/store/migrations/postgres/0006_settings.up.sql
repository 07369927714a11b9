-- Installation-wide settings kept in the database itself: the user-hash salt
-- ('user_salt'), so that every instance sharing this store hashes the same
-- user id to the same value.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
