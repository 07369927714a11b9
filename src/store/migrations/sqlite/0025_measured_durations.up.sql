-- Whether an invocation's duration was measured. Typed skill activations (a
-- prompt expansion, no tool call) and calls whose Pre/Post hooks never matched
-- (metadata.duration_source = 'unknown') have no duration: they are stored
-- with duration_ms = 0 and duration_known = 0. Every rollup with duration sums
-- gets `timed`, the number of measured invocations its sums, minimum, maximum
-- and duration histogram hold; latency figures divide by it, and invocation
-- counts and success rates still count every row.
--
-- Existing rows are marked, and their share is taken out of the duration
-- rollups (sums, histograms; minimum and maximum recomputed from the measured
-- raw rows of the hour). A rollup row with no measured invocation keeps
-- duration_min = duration_max = 0. An hour whose raw rows were partly archived
-- keeps its minimum and maximum (the archived rows are not there to mark).
ALTER TABLE skill_invocations ADD COLUMN duration_known INTEGER NOT NULL DEFAULT 1 CHECK (duration_known IN (0, 1));
ALTER TABLE skill_hourly ADD COLUMN timed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE skill_daily ADD COLUMN timed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE skill_totals ADD COLUMN timed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE skill_phase_totals ADD COLUMN timed INTEGER NOT NULL DEFAULT 0;
UPDATE skill_hourly SET timed = invocations;
UPDATE skill_daily SET timed = invocations;
UPDATE skill_totals SET timed = invocations;
UPDATE skill_phase_totals SET timed = invocations;

-- Also a transcript import's call that never reported back (error no_result, 0 ms), which now says
-- duration_source 'unknown' as the hook does.
UPDATE skill_invocations SET duration_known = 0
  WHERE activation_trigger = 'typed'
    OR (metadata LIKE '%duration_source%' AND CASE WHEN json_valid(metadata) THEN json_extract(metadata, '$.duration_source') END = 'unknown')
    OR (error_type = 'no_result' AND duration_ms = 0 AND metadata LIKE '%transcript%'
      AND CASE WHEN json_valid(metadata) THEN json_extract(metadata, '$.source') END = 'transcript');

-- The raw time index covers what a window's edges read, now with duration_known.
DROP INDEX IF EXISTS idx_invocations_time_cover;
CREATE INDEX idx_invocations_time_cover ON skill_invocations (invoked_at, skill_id, duration_ms, completed, duration_known);

CREATE TEMP TABLE unmeasured_0025 AS
  SELECT skill_id, invoked_at / 3600000 AS hour, workflow_phase, completed, duration_ms AS d,
    CASE WHEN duration_ms <= 0 THEN -1 WHEN duration_ms <= 1 THEN 0
      ELSE min(CAST(ceil(ln(duration_ms) / ln(1.01 / 0.99)) AS INTEGER), 2000) END AS bucket
  FROM skill_invocations WHERE duration_known = 0;

UPDATE skill_hourly SET timed = timed - u.n, duration_sum = duration_sum - u.s, duration_sq_sum = duration_sq_sum - u.sq
  FROM (SELECT skill_id, hour, count(*) AS n, total(d) AS s, total(d * d) AS sq FROM unmeasured_0025 GROUP BY 1, 2) u
  WHERE u.skill_id = skill_hourly.skill_id AND u.hour = skill_hourly.hour;
UPDATE skill_hourly SET duration_min = coalesce(r.lo, 0), duration_max = coalesce(r.hi, 0)
  FROM (SELECT a.skill_id, a.hour, count(*) AS n,
          min(CASE WHEN i.duration_known = 1 THEN i.duration_ms END) AS lo, max(CASE WHEN i.duration_known = 1 THEN i.duration_ms END) AS hi
        FROM (SELECT DISTINCT skill_id, hour FROM unmeasured_0025) a
        JOIN skill_invocations i ON i.skill_id = a.skill_id AND i.invoked_at BETWEEN a.hour * 3600000 AND a.hour * 3600000 + 3599999
        GROUP BY 1, 2) r
  WHERE r.skill_id = skill_hourly.skill_id AND r.hour = skill_hourly.hour AND r.n = skill_hourly.invocations;
UPDATE skill_hourly SET duration_min = 0, duration_max = 0, duration_sum = 0, duration_sq_sum = 0 WHERE timed = 0;

UPDATE skill_hourly_durations SET count = count - u.n
  FROM (SELECT skill_id, hour, bucket, count(*) AS n FROM unmeasured_0025 GROUP BY 1, 2, 3) u
  WHERE u.skill_id = skill_hourly_durations.skill_id AND u.hour = skill_hourly_durations.hour AND u.bucket = skill_hourly_durations.bucket;
DELETE FROM skill_hourly_durations WHERE count <= 0;
UPDATE skill_daily_durations SET count = count - u.n
  FROM (SELECT skill_id, hour / 24 AS day, bucket, count(*) AS n FROM unmeasured_0025 GROUP BY 1, 2, 3) u
  WHERE u.skill_id = skill_daily_durations.skill_id AND u.day = skill_daily_durations.day AND u.bucket = skill_daily_durations.bucket;
DELETE FROM skill_daily_durations WHERE count <= 0;
UPDATE skill_durations SET count = count - u.n
  FROM (SELECT skill_id, bucket, count(*) AS n FROM unmeasured_0025 GROUP BY 1, 2) u
  WHERE u.skill_id = skill_durations.skill_id AND u.bucket = skill_durations.bucket;
DELETE FROM skill_durations WHERE count <= 0;

-- Days and all-time totals of the skills touched: their duration figures summed from the hours.
UPDATE skill_daily SET timed = h.t, duration_sum = h.s, duration_sq_sum = h.sq, duration_min = h.lo, duration_max = h.hi
  FROM (SELECT skill_id, hour / 24 AS day, sum(timed) AS t, total(duration_sum) AS s, total(duration_sq_sum) AS sq,
          coalesce(min(CASE WHEN timed > 0 THEN duration_min END), 0) AS lo, coalesce(max(CASE WHEN timed > 0 THEN duration_max END), 0) AS hi
        FROM skill_hourly WHERE skill_id IN (SELECT skill_id FROM unmeasured_0025) GROUP BY 1, 2) h
  WHERE h.skill_id = skill_daily.skill_id AND h.day = skill_daily.day;
UPDATE skill_totals SET timed = h.t, duration_sum = h.s, duration_sq_sum = h.sq, duration_min = h.lo, duration_max = h.hi
  FROM (SELECT skill_id, sum(timed) AS t, total(duration_sum) AS s, total(duration_sq_sum) AS sq,
          coalesce(min(CASE WHEN timed > 0 THEN duration_min END), 0) AS lo, coalesce(max(CASE WHEN timed > 0 THEN duration_max END), 0) AS hi
        FROM skill_hourly WHERE skill_id IN (SELECT skill_id FROM unmeasured_0025) GROUP BY 1) h
  WHERE h.skill_id = skill_totals.skill_id;
UPDATE skill_phase_totals SET timed = timed - u.n, duration_sum = duration_sum - u.s
  FROM (SELECT skill_id, workflow_phase, completed, count(*) AS n, total(d) AS s FROM unmeasured_0025 GROUP BY 1, 2, 3) u
  WHERE u.skill_id = skill_phase_totals.skill_id AND u.workflow_phase = skill_phase_totals.workflow_phase AND u.completed = skill_phase_totals.completed;

DROP TABLE unmeasured_0025;

-- Community baselines: a skill with no measured invocation has no mean duration (NULL, not 0).
-- The table holds derived data only; rows are copied across unchanged.
CREATE TABLE community_baselines_new (
  skill_id                 INTEGER PRIMARY KEY REFERENCES skills(id),
  computed_at              INTEGER NOT NULL,
  invocations              INTEGER NOT NULL,
  users                    INTEGER NOT NULL,
  success_rate             REAL NOT NULL,
  mean_duration_ms         REAL,
  p50_duration_ms          REAL,
  p95_duration_ms          REAL,
  effectiveness_score      REAL NOT NULL DEFAULT 0,
  effectiveness_percentile REAL NOT NULL
);
INSERT INTO community_baselines_new SELECT skill_id, computed_at, invocations, users, success_rate, mean_duration_ms,
  p50_duration_ms, p95_duration_ms, effectiveness_score, effectiveness_percentile FROM community_baselines;
DROP TABLE community_baselines;
ALTER TABLE community_baselines_new RENAME TO community_baselines;
