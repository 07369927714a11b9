-- Back to counting unmeasured invocations as measured (their stored duration_ms,
-- 0 ms): their share is added back to the duration rollups.
UPDATE community_baselines SET mean_duration_ms = 0 WHERE mean_duration_ms IS NULL;
ALTER TABLE community_baselines ALTER COLUMN mean_duration_ms SET NOT NULL;
CREATE TEMP TABLE unmeasured_0025 ON COMMIT DROP AS
  SELECT skill_id, invoked_at / 3600000 AS hour, workflow_phase, completed, duration_ms AS d,
    CASE WHEN duration_ms <= 0 THEN -1 WHEN duration_ms <= 1 THEN 0
      ELSE LEAST(ceil(ln(duration_ms::float8) / ln(1.01::float8 / 0.99::float8))::bigint, 2000) END AS bucket
  FROM skill_invocations WHERE duration_known = 0;

UPDATE skill_hourly h SET
    duration_min = CASE WHEN h.timed = 0 THEN u.lo ELSE LEAST(h.duration_min, u.lo) END,
    duration_max = CASE WHEN h.timed = 0 THEN u.hi ELSE GREATEST(h.duration_max, u.hi) END,
    duration_sum = h.duration_sum + u.s, duration_sq_sum = h.duration_sq_sum + u.sq
  FROM (SELECT skill_id, hour, sum(d)::float8 AS s, sum(d::float8 * d) AS sq, min(d) AS lo, max(d) AS hi FROM unmeasured_0025 GROUP BY 1, 2) u
  WHERE u.skill_id = h.skill_id AND u.hour = h.hour;
INSERT INTO skill_hourly_durations (skill_id, hour, bucket, count)
  SELECT skill_id, hour, bucket, count(*) FROM unmeasured_0025 GROUP BY 1, 2, 3
  ON CONFLICT (skill_id, hour, bucket) DO UPDATE SET count = skill_hourly_durations.count + excluded.count;
INSERT INTO skill_daily_durations (skill_id, day, bucket, count)
  SELECT skill_id, hour / 24, bucket, count(*) FROM unmeasured_0025 GROUP BY 1, 2, 3
  ON CONFLICT (skill_id, day, bucket) DO UPDATE SET count = skill_daily_durations.count + excluded.count;
INSERT INTO skill_durations (skill_id, bucket, count)
  SELECT skill_id, bucket, count(*) FROM unmeasured_0025 GROUP BY 1, 2
  ON CONFLICT (skill_id, bucket) DO UPDATE SET count = skill_durations.count + excluded.count;
UPDATE skill_daily x SET duration_sum = h.s, duration_sq_sum = h.sq, duration_min = h.lo, duration_max = h.hi
  FROM (SELECT skill_id, hour / 24 AS day, sum(duration_sum) AS s, sum(duration_sq_sum) AS sq, min(duration_min) AS lo, max(duration_max) AS hi
        FROM skill_hourly WHERE skill_id IN (SELECT skill_id FROM unmeasured_0025) GROUP BY 1, 2) h
  WHERE h.skill_id = x.skill_id AND h.day = x.day;
UPDATE skill_totals x SET duration_sum = h.s, duration_sq_sum = h.sq, duration_min = h.lo, duration_max = h.hi
  FROM (SELECT skill_id, sum(duration_sum) AS s, sum(duration_sq_sum) AS sq, min(duration_min) AS lo, max(duration_max) AS hi
        FROM skill_hourly WHERE skill_id IN (SELECT skill_id FROM unmeasured_0025) GROUP BY 1) h
  WHERE h.skill_id = x.skill_id;
UPDATE skill_phase_totals x SET duration_sum = x.duration_sum + u.s
  FROM (SELECT skill_id, workflow_phase, completed, sum(d)::float8 AS s FROM unmeasured_0025 GROUP BY 1, 2, 3) u
  WHERE u.skill_id = x.skill_id AND u.workflow_phase = x.workflow_phase AND u.completed = x.completed;

DROP INDEX IF EXISTS idx_invocations_time_cover;
CREATE INDEX idx_invocations_time_cover ON skill_invocations (invoked_at, skill_id, duration_ms, completed);
ALTER TABLE skill_phase_totals DROP COLUMN timed;
ALTER TABLE skill_totals DROP COLUMN timed;
ALTER TABLE skill_daily DROP COLUMN timed;
ALTER TABLE skill_hourly DROP COLUMN timed;
ALTER TABLE skill_invocations DROP COLUMN duration_known;
