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
  at                 BIGINT NOT NULL,
  input_tokens       BIGINT NOT NULL,
  output_tokens      BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  cache_read_tokens  BIGINT NOT NULL,
  cost_usd           DOUBLE PRECISION
);

CREATE TABLE skill_cost_hourly (
  skill              TEXT NOT NULL,
  attribution        TEXT NOT NULL,
  user_hash          TEXT NOT NULL,
  hour               BIGINT NOT NULL,
  api_calls          BIGINT NOT NULL,
  input_tokens       BIGINT NOT NULL,
  output_tokens      BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  cache_read_tokens  BIGINT NOT NULL,
  cost_usd           DOUBLE PRECISION NOT NULL,
  unpriced_calls     BIGINT NOT NULL,
  PRIMARY KEY (skill, attribution, user_hash, hour)
);
CREATE INDEX idx_skill_cost_hourly_hour ON skill_cost_hourly (hour);

CREATE TABLE skill_cost_invocations (
  invocation_id      TEXT NOT NULL,
  attribution        TEXT NOT NULL,
  skill              TEXT NOT NULL,
  user_hash          TEXT NOT NULL,
  session_key        TEXT NOT NULL,
  first_at           BIGINT NOT NULL,
  last_at            BIGINT NOT NULL,
  api_calls          BIGINT NOT NULL,
  input_tokens       BIGINT NOT NULL,
  output_tokens      BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  cache_read_tokens  BIGINT NOT NULL,
  cost_usd           DOUBLE PRECISION NOT NULL,
  unpriced_calls     BIGINT NOT NULL,
  PRIMARY KEY (invocation_id, attribution)
);
CREATE INDEX idx_skill_cost_invocations_skill ON skill_cost_invocations (skill, first_at);
