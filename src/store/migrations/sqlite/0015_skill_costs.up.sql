-- Tokens and cost attributed to skills (store/skill-cost-types.ts). One row
-- per assistant API call and attribution rule, keyed so that a second import
-- of the same call is skipped; the hourly rollup (per skill, rule and user)
-- and the per-invocation rollup are updated in the same transaction and are
-- what reads use. cost_usd is NULL when the model had no price.
CREATE TABLE skill_cost_calls (
  key                TEXT PRIMARY KEY,
  skill              TEXT NOT NULL,
  attribution        TEXT NOT NULL CHECK (attribution IN ('stamped', 'bounded', 'telemetry')),
  user_hash          TEXT NOT NULL,
  session_key        TEXT NOT NULL,
  invocation_id      TEXT,
  model              TEXT,
  at                 INTEGER NOT NULL,
  input_tokens       INTEGER NOT NULL,
  output_tokens      INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  cache_read_tokens  INTEGER NOT NULL,
  cost_usd           REAL
) WITHOUT ROWID;

CREATE TABLE skill_cost_hourly (
  skill              TEXT NOT NULL,
  attribution        TEXT NOT NULL,
  user_hash          TEXT NOT NULL,
  hour               INTEGER NOT NULL,
  api_calls          INTEGER NOT NULL,
  input_tokens       INTEGER NOT NULL,
  output_tokens      INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  cache_read_tokens  INTEGER NOT NULL,
  cost_usd           REAL NOT NULL,
  unpriced_calls     INTEGER NOT NULL,
  PRIMARY KEY (skill, attribution, user_hash, hour)
) WITHOUT ROWID;
CREATE INDEX idx_skill_cost_hourly_hour ON skill_cost_hourly (hour);

CREATE TABLE skill_cost_invocations (
  invocation_id      TEXT NOT NULL,
  attribution        TEXT NOT NULL,
  skill              TEXT NOT NULL,
  user_hash          TEXT NOT NULL,
  session_key        TEXT NOT NULL,
  first_at           INTEGER NOT NULL,
  last_at            INTEGER NOT NULL,
  api_calls          INTEGER NOT NULL,
  input_tokens       INTEGER NOT NULL,
  output_tokens      INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  cache_read_tokens  INTEGER NOT NULL,
  cost_usd           REAL NOT NULL,
  unpriced_calls     INTEGER NOT NULL,
  PRIMARY KEY (invocation_id, attribution)
) WITHOUT ROWID;
CREATE INDEX idx_skill_cost_invocations_skill ON skill_cost_invocations (skill, first_at);
