-- Where `import` stopped in each Claude Code transcript file (transcripts are
-- append-only): unchanged files are skipped, appended ones read from `offset_bytes`.
-- head_hash / tail_hash: SHA-256 of the first bytes of the file and of the bytes just
-- before the cursor, to tell a rewritten file from an appended one.
-- state: JSON of what pairing needs to go on (tool calls still waiting for their result).
CREATE TABLE transcript_cursors (
  path         TEXT PRIMARY KEY,
  size         INTEGER NOT NULL,
  mtime_ms     REAL NOT NULL,
  offset_bytes INTEGER NOT NULL,
  line_count   INTEGER NOT NULL,
  head_hash    TEXT NOT NULL,
  tail_hash    TEXT NOT NULL,
  state        TEXT NOT NULL,
  updated_at   INTEGER NOT NULL
);
