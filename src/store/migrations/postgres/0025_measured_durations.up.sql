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
ALTER TABLE skill_invocations ADD COLUMN duration_known SMALLINT NOT NULL DEFAULT 1 CHECK (duration_known IN (0, 1));
ALTER TABLE skill_hourly ADD COLUMN timed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE skill_daily ADD COLUMN timed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE skill_totals ADD COLUMN timed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE skill_phase_totals ADD COLUMN timed BIGINT NOT NULL DEFAULT 0;
UPDATE skill_hourly SET timed = invocations;
UPDATE skill_daily SET timed = invocations;
UPDATE skill_totals SET timed = invocations;
UPDATE skill_phase_totals SET timed = invocations;

-- metadata is JSON written by the application (JSON.stringify: no spaces); the LIKE keeps the cast to the few candidates.
-- Also a transcript import's call that never reported back (error no_result, 0 ms), which now says
-- duration_source 'unknown' as the hook does.
UPDATE skill_invocations SET duration_known = 0
  WHERE activation_trigger = 'typed'
    OR (metadata LIKE '%"duration_source":"unknown"%' AND metadata::jsonb ->> 'duration_source' = 'unknown')
    OR (error_type = 'no_result' AND duration_ms = 0 AND metadata LIKE '%"source":"transcript"%'
      AND metadata::jsonb ->> 'source' = 'transcript');

-- The raw time index covers what a window's edges read, now with duration_known.
DROP INDEX IF EXISTS idx_invocations_time_cover;
CREATE INDEX idx_invocations_time_cover ON skill_invocations (invoked_at, skill_id, duration_ms, completed, duration_known);

CREATE TEMP TABLE unmeasured_0025 ON COMMIT DROP AS
  SELECT skill_id, invoked_at / 3600000 AS hour, workflow_phase, completed, duration_ms AS d,
    CASE WHEN duration_ms <= 0 THEN -1 WHEN duration_ms <= 1 THEN 0
      ELSE LEAST(ceil(ln(duration_ms::float8) / ln(1.01::float8 / 0.99::float8))::bigint, 2000) END AS bucket
  FROM skill_invocations WHERE duration_known = 0;

UPDATE skill_hourly h SET timed = h.timed - u.n, duration_sum = h.duration_sum - u.s, duration_sq_sum = h.duration_sq_sum - u.sq
  FROM (SELECT skill_id, hour, count(*) AS n, sum(d)::float8 AS s, sum(d::float8 * d) AS sq FROM unmeasured_0025 GROUP BY 1, 2) u
  WHERE u.skill_id = h.skill_id AND u.hour = h.hour;
UPDATE skill_hourly h SET duration_min = coalesce(r.lo, 0), duration_max = coalesce(r.hi, 0)
  FROM (SELECT a.skill_id, a.hour, count(*) AS n,
          min(i.duration_ms) FILTER (WHERE i.duration_known = 1) AS lo, max(i.duration_ms) FILTER (WHERE i.duration_known = 1) AS hi
        FROM (SELECT DISTINCT skill_id, hour FROM unmeasured_0025) a
        JOIN skill_invocations i ON i.skill_id = a.skill_id AND i.invoked_at BETWEEN a.hour * 3600000 AND a.hour * 3600000 + 3599999
        GROUP BY 1, 2) r
  WHERE r.skill_id = h.skill_id AND r.hour = h.hour AND r.n = h.invocations;
UPDATE skill_hourly SET duration_min = 0, duration_max = 0, duration_sum = 0, duration_sq_sum = 0 WHERE timed = 0;

UPDATE skill_hourly_durations x SET count = x.count - u.n
  FROM (SELECT skill_id, hour, bucket, count(*) AS n FROM unmeasured_0025 GROUP BY 1, 2, 3) u
  WHERE u.skill_id = x.skill_id AND u.hour = x.hour AND u.bucket = x.bucket;
DELETE FROM skill_hourly_durations WHERE count <= 0;
UPDATE skill_daily_durations x SET count = x.count - u.n
  FROM (SELECT skill_id, hour / 24 AS day, bucket, count(*) AS n FROM unmeasured_0025 GROUP BY 1, 2, 3) u
  WHERE u.skill_id = x.skill_id AND u.day = x.day AND u.bucket = x.bucket;
DELETE FROM skill_daily_durations WHERE count <= 0;
UPDATE skill_durations x SET count = x.count - u.n
  FROM (SELECT skill_id, bucket, count(*) AS n FROM unmeasured_0025 GROUP BY 1, 2) u
  WHERE u.skill_id = x.skill_id AND u.bucket = x.bucket;
DELETE FROM skill_durations WHERE count <= 0;

-- Days and all-time totals of the skills touched: their duration figures summed from the hours.
UPDATE skill_daily x SET timed = h.t, duration_sum = h.s, duration_sq_sum = h.sq, duration_min = h.lo, duration_max = h.hi
  FROM (SELECT skill_id, hour / 24 AS day, sum(timed) AS t, sum(duration_sum) AS s, sum(duration_sq_sum) AS sq,
          coalesce(min(duration_min) FILTER (WHERE timed > 0), 0) AS lo, coalesce(max(duration_max) FILTER (WHERE timed > 0), 0) AS hi
        FROM skill_hourly WHERE skill_id IN (SELECT skill_id FROM unmeasured_0025) GROUP BY 1, 2) h
  WHERE h.skill_id = x.skill_id AND h.day = x.day;
UPDATE skill_totals x SET timed = h.t, duration_sum = h.s, duration_sq_sum = h.sq, duration_min = h.lo, duration_max = h.hi
  FROM (SELECT skill_id, sum(timed) AS t, sum(duration_sum) AS s, sum(duration_sq_sum) AS sq,
          coalesce(min(duration_min) FILTER (WHERE timed > 0), 0) AS lo, coalesce(max(duration_max) FILTER (WHERE timed > 0), 0) AS hi
        FROM skill_hourly WHERE skill_id IN (SELECT skill_id FROM unmeasured_0025) GROUP BY 1) h
  WHERE h.skill_id = x.skill_id;
UPDATE skill_phase_totals x SET timed = x.timed - u.n, duration_sum = x.duration_sum - u.s
  FROM (SELECT skill_id, workflow_phase, completed, count(*) AS n, sum(d)::float8 AS s FROM unmeasured_0025 GROUP BY 1, 2, 3) u
  WHERE u.skill_id = x.skill_id AND u.workflow_phase = x.workflow_phase AND u.completed = x.completed;

-- Community baselines: a skill with no measured invocation has no mean duration (NULL, not 0).
ALTER TABLE community_baselines ALTER COLUMN mean_duration_ms DROP NOT NULL;
