-- Per skill per UTC day (day = floor(hour / 24)): the hourly rollup and its
-- duration histogram summed per day, maintained in the same transaction. A
-- long rolling window reads its whole days here, the whole hours at its ends
-- from skill_hourly and the partial hours from the raw rows, so its cost
-- grows with days instead of hours. Filled from the hourly rollups.
CREATE TABLE skill_daily (
  skill_id        INTEGER NOT NULL,
  day             INTEGER NOT NULL,
  invocations     INTEGER NOT NULL,
  successes       INTEGER NOT NULL,
  duration_sum    REAL NOT NULL,
  duration_sq_sum REAL NOT NULL,
  last_at         INTEGER NOT NULL,
  duration_min    INTEGER NOT NULL,
  duration_max    INTEGER NOT NULL,
  PRIMARY KEY (skill_id, day)
) WITHOUT ROWID;

CREATE TABLE skill_daily_durations (
  skill_id INTEGER NOT NULL,
  day      INTEGER NOT NULL,
  bucket   INTEGER NOT NULL,
  count    INTEGER NOT NULL,
  PRIMARY KEY (skill_id, day, bucket)
) WITHOUT ROWID;

INSERT INTO skill_daily (skill_id, day, invocations, successes, duration_sum, duration_sq_sum, last_at, duration_min, duration_max)
  SELECT skill_id, hour / 24, sum(invocations), sum(successes), sum(duration_sum), sum(duration_sq_sum), max(last_at),
    min(duration_min), max(duration_max)
  FROM skill_hourly GROUP BY skill_id, hour / 24;

INSERT INTO skill_daily_durations (skill_id, day, bucket, count)
  SELECT skill_id, hour / 24, bucket, sum(count) FROM skill_hourly_durations GROUP BY skill_id, hour / 24, bucket;
