-- Duration histograms move to a DDSketch-style mapping with 1 % relative
-- accuracy (analytics/histogram.ts: bucket = ceil(ln(ms) / ln(1.01 / 0.99)),
-- 1 ms in bucket 0, 0 ms in bucket -1), and the hourly and all-time rollups
-- keep the smallest and largest duration, so no quantile is reported outside
-- the observed range.
--
-- Histograms, minima and maxima are recomputed from the raw rows. An hour
-- whose raw rows were archived (its raw row count no longer matches the
-- rollup) cannot be recomputed: it keeps its old buckets (19 % wide),
-- converted to the new scale at each old bucket's geometric middle, its
-- minimum and maximum are the old buckets' outer bounds, and it is marked
-- with durations_exact = 0.
ALTER TABLE skill_hourly ADD COLUMN duration_min INTEGER NOT NULL DEFAULT 0;
ALTER TABLE skill_hourly ADD COLUMN duration_max INTEGER NOT NULL DEFAULT 0;
ALTER TABLE skill_hourly ADD COLUMN durations_exact INTEGER NOT NULL DEFAULT 1;
ALTER TABLE skill_totals ADD COLUMN duration_min INTEGER NOT NULL DEFAULT 0;
ALTER TABLE skill_totals ADD COLUMN duration_max INTEGER NOT NULL DEFAULT 0;

CREATE TEMP TABLE raw_hours AS
  SELECT skill_id, invoked_at / 3600000 AS hour, count(*) AS n, min(duration_ms) AS lo, max(duration_ms) AS hi
  FROM skill_invocations GROUP BY 1, 2;

UPDATE skill_hourly SET durations_exact = 0;
UPDATE skill_hourly SET duration_min = r.lo, duration_max = r.hi, durations_exact = 1
  FROM raw_hours r WHERE r.skill_id = skill_hourly.skill_id AND r.hour = skill_hourly.hour AND r.n = skill_hourly.invocations;
UPDATE skill_hourly SET
  duration_min = (SELECT CASE WHEN min(d.bucket) <= 0 THEN 0 ELSE CAST(floor(pow(2, (min(d.bucket) - 1) / 4.0)) AS INTEGER) END
    FROM skill_hourly_durations d WHERE d.skill_id = skill_hourly.skill_id AND d.hour = skill_hourly.hour),
  duration_max = (SELECT CAST(ceil(pow(2, max(d.bucket) / 4.0)) AS INTEGER)
    FROM skill_hourly_durations d WHERE d.skill_id = skill_hourly.skill_id AND d.hour = skill_hourly.hour)
  WHERE durations_exact = 0;

CREATE TABLE skill_hourly_durations_new (
  skill_id INTEGER NOT NULL,
  hour     INTEGER NOT NULL,
  bucket   INTEGER NOT NULL,
  count    INTEGER NOT NULL,
  PRIMARY KEY (skill_id, hour, bucket)
) WITHOUT ROWID;

INSERT INTO skill_hourly_durations_new (skill_id, hour, bucket, count)
  SELECT i.skill_id, i.invoked_at / 3600000,
    CASE WHEN i.duration_ms <= 0 THEN -1 WHEN i.duration_ms <= 1 THEN 0
      ELSE CAST(ceil(ln(i.duration_ms) / ln(1.01 / 0.99)) AS INTEGER) END,
    count(*)
  FROM skill_invocations i JOIN skill_hourly h ON h.skill_id = i.skill_id AND h.hour = i.invoked_at / 3600000 AND h.durations_exact = 1
  GROUP BY 1, 2, 3;

INSERT INTO skill_hourly_durations_new (skill_id, hour, bucket, count)
  SELECT d.skill_id, d.hour,
    CASE WHEN d.bucket <= 0 THEN -1 ELSE CAST(ceil(((d.bucket - 0.5) / 4.0) * ln(2) / ln(1.01 / 0.99)) AS INTEGER) END,
    sum(d.count)
  FROM skill_hourly_durations d JOIN skill_hourly h ON h.skill_id = d.skill_id AND h.hour = d.hour AND h.durations_exact = 0
  GROUP BY 1, 2, 3;

DROP TABLE skill_hourly_durations;
ALTER TABLE skill_hourly_durations_new RENAME TO skill_hourly_durations;

DELETE FROM skill_durations;
INSERT INTO skill_durations (skill_id, bucket, count)
  SELECT skill_id, bucket, sum(count) FROM skill_hourly_durations GROUP BY 1, 2;

UPDATE skill_totals SET
  duration_min = coalesce((SELECT min(h.duration_min) FROM skill_hourly h WHERE h.skill_id = skill_totals.skill_id), 0),
  duration_max = coalesce((SELECT max(h.duration_max) FROM skill_hourly h WHERE h.skill_id = skill_totals.skill_id), 0);

DROP TABLE raw_hours;
