-- Skill costs without the user dimension, for everyone's totals over a window:
-- whole UTC days (day = hour / 24) and the hours at a window's edges. Kept in
-- the same transaction as skill_cost_hourly; backfilled from it.
CREATE TABLE skill_cost_skill_hourly (
  skill              TEXT NOT NULL,
  attribution        TEXT NOT NULL,
  hour               INTEGER NOT NULL,
  api_calls          INTEGER NOT NULL,
  input_tokens       INTEGER NOT NULL,
  output_tokens      INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  cache_read_tokens  INTEGER NOT NULL,
  cost_usd           REAL NOT NULL,
  unpriced_calls     INTEGER NOT NULL,
  PRIMARY KEY (skill, attribution, hour)
) WITHOUT ROWID;

CREATE TABLE skill_cost_daily (
  skill              TEXT NOT NULL,
  attribution        TEXT NOT NULL,
  day                INTEGER NOT NULL,
  api_calls          INTEGER NOT NULL,
  input_tokens       INTEGER NOT NULL,
  output_tokens      INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  cache_read_tokens  INTEGER NOT NULL,
  cost_usd           REAL NOT NULL,
  unpriced_calls     INTEGER NOT NULL,
  PRIMARY KEY (skill, attribution, day)
) WITHOUT ROWID;

INSERT INTO skill_cost_skill_hourly (skill, attribution, hour, api_calls, input_tokens, output_tokens, cache_write_tokens,
  cache_read_tokens, cost_usd, unpriced_calls)
SELECT skill, attribution, hour, sum(api_calls), sum(input_tokens), sum(output_tokens), sum(cache_write_tokens),
  sum(cache_read_tokens), sum(cost_usd), sum(unpriced_calls)
FROM skill_cost_hourly GROUP BY skill, attribution, hour;

INSERT INTO skill_cost_daily (skill, attribution, day, api_calls, input_tokens, output_tokens, cache_write_tokens,
  cache_read_tokens, cost_usd, unpriced_calls)
SELECT skill, attribution, hour / 24, sum(api_calls), sum(input_tokens), sum(output_tokens), sum(cache_write_tokens),
  sum(cache_read_tokens), sum(cost_usd), sum(unpriced_calls)
FROM skill_cost_hourly GROUP BY skill, attribution, hour / 24;
