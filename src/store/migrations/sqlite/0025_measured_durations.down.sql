-- Back to counting unmeasured invocations as measured (their stored duration_ms,
-- 0 ms): their share is added back to the duration rollups.
CREATE TABLE community_baselines_old (
  skill_id                 INTEGER PRIMARY KEY REFERENCES skills(id),
  computed_at              INTEGER NOT NULL,
  invocations              INTEGER NOT NULL,
  users                    INTEGER NOT NULL,
  success_rate             REAL NOT NULL,
  mean_duration_ms         REAL NOT NULL,
  p50_duration_ms          REAL,
  p95_duration_ms          REAL,
  effectiveness_score      REAL NOT NULL DEFAULT 0,
  effectiveness_percentile REAL NOT NULL
);
INSERT INTO community_baselines_old SELECT skill_id, computed_at, invocations, users, success_rate, coalesce(mean_duration_ms, 0),
  p50_duration_ms, p95_duration_ms, effectiveness_score, effectiveness_percentile FROM community_baselines;
DROP TABLE community_baselines;
ALTER TABLE community_baselines_old RENAME TO community_baselines;
CREATE TEMP TABLE unmeasured_0025 AS
  SELECT skill_id, invoked_at / 3600000 AS hour, workflow_phase, completed, duration_ms AS d,
    CASE WHEN duration_ms <= 0 THEN -1 WHEN duration_ms <= 1 THEN 0
      ELSE min(CAST(ceil(ln(duration_ms) / ln(1.01 / 0.99)) AS INTEGER), 2000) END AS bucket
  FROM skill_invocations WHERE duration_known = 0;

UPDATE skill_hourly SET
    duration_min = CASE WHEN timed = 0 THEN u.lo ELSE min(duration_min, u.lo) END,
    duration_max = CASE WHEN timed = 0 THEN u.hi ELSE max(duration_max, u.hi) END,
    duration_sum = duration_sum + u.s, duration_sq_sum = duration_sq_sum + u.sq
  FROM (SELECT skill_id, hour, total(d) AS s, total(d * d) AS sq, min(d) AS lo, max(d) AS hi FROM unmeasured_0025 GROUP BY 1, 2) u
  WHERE u.skill_id = skill_hourly.skill_id AND u.hour = skill_hourly.hour;
INSERT INTO skill_hourly_durations (skill_id, hour, bucket, count)
  SELECT skill_id, hour, bucket, count(*) FROM unmeasured_0025 WHERE true GROUP BY 1, 2, 3
  ON CONFLICT (skill_id, hour, bucket) DO UPDATE SET count = count + excluded.count;
INSERT INTO skill_daily_durations (skill_id, day, bucket, count)
  SELECT skill_id, hour / 24, bucket, count(*) FROM unmeasured_0025 WHERE true GROUP BY 1, 2, 3
  ON CONFLICT (skill_id, day, bucket) DO UPDATE SET count = count + excluded.count;
INSERT INTO skill_durations (skill_id, bucket, count)
  SELECT skill_id, bucket, count(*) FROM unmeasured_0025 WHERE true GROUP BY 1, 2
  ON CONFLICT (skill_id, bucket) DO UPDATE SET count = count + excluded.count;
UPDATE skill_daily SET duration_sum = h.s, duration_sq_sum = h.sq, duration_min = h.lo, duration_max = h.hi
  FROM (SELECT skill_id, hour / 24 AS day, total(duration_sum) AS s, total(duration_sq_sum) AS sq, min(duration_min) AS lo, max(duration_max) AS hi
        FROM skill_hourly WHERE skill_id IN (SELECT skill_id FROM unmeasured_0025) GROUP BY 1, 2) h
  WHERE h.skill_id = skill_daily.skill_id AND h.day = skill_daily.day;
UPDATE skill_totals SET duration_sum = h.s, duration_sq_sum = h.sq, duration_min = h.lo, duration_max = h.hi
  FROM (SELECT skill_id, total(duration_sum) AS s, total(duration_sq_sum) AS sq, min(duration_min) AS lo, max(duration_max) AS hi
        FROM skill_hourly WHERE skill_id IN (SELECT skill_id FROM unmeasured_0025) GROUP BY 1) h
  WHERE h.skill_id = skill_totals.skill_id;
UPDATE skill_phase_totals SET duration_sum = duration_sum + u.s
  FROM (SELECT skill_id, workflow_phase, completed, total(d) AS s FROM unmeasured_0025 GROUP BY 1, 2, 3) u
  WHERE u.skill_id = skill_phase_totals.skill_id AND u.workflow_phase = skill_phase_totals.workflow_phase AND u.completed = skill_phase_totals.completed;
DROP TABLE unmeasured_0025;

DROP INDEX IF EXISTS idx_invocations_time_cover;
CREATE INDEX idx_invocations_time_cover ON skill_invocations (invoked_at, skill_id, duration_ms, completed);
ALTER TABLE skill_phase_totals DROP COLUMN timed;
ALTER TABLE skill_totals DROP COLUMN timed;
ALTER TABLE skill_daily DROP COLUMN timed;
ALTER TABLE skill_hourly DROP COLUMN timed;
ALTER TABLE skill_invocations DROP COLUMN duration_known;
