-- Per-user access tokens (`session-buddy token create`). Only the SHA-256 of
-- a token is stored, with the salted hash of the user it speaks for; a
-- revoked token keeps its row (revoked_at set) so `token list` shows it.
CREATE TABLE api_tokens (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash  TEXT NOT NULL UNIQUE,
  user_hash   TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('admin', 'user')),
  label       TEXT,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
