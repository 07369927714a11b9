-- Back to the 19 % log buckets (4 per doubling, bucket 0 = [0, 1) ms, at most
-- 120), recomputed from the raw rows; hours without all their raw rows
-- convert their buckets at each bucket's value.
CREATE TABLE skill_hourly_durations_old (
  skill_id BIGINT NOT NULL,
  hour     BIGINT NOT NULL,
  bucket   BIGINT NOT NULL,
  count    BIGINT NOT NULL,
  PRIMARY KEY (skill_id, hour, bucket)
);

INSERT INTO skill_hourly_durations_old (skill_id, hour, bucket, count)
  SELECT i.skill_id, i.invoked_at / 3600000,
    CASE WHEN i.duration_ms < 1 THEN 0 ELSE LEAST(120, floor(ln(i.duration_ms::float8) / ln(2::float8) * 4)::bigint + 1) END,
    count(*)
  FROM skill_invocations i JOIN skill_hourly h ON h.skill_id = i.skill_id AND h.hour = i.invoked_at / 3600000 AND h.durations_exact = 1
  GROUP BY 1, 2, 3;

INSERT INTO skill_hourly_durations_old (skill_id, hour, bucket, count)
  SELECT d.skill_id, d.hour,
    CASE WHEN d.bucket < 0 THEN 0 ELSE LEAST(120, floor(d.bucket * ln(1.01::float8 / 0.99::float8) / ln(2::float8) * 4)::bigint + 1) END,
    sum(d.count)
  FROM skill_hourly_durations d JOIN skill_hourly h ON h.skill_id = d.skill_id AND h.hour = d.hour AND h.durations_exact = 0
  GROUP BY 1, 2, 3;

DROP TABLE skill_hourly_durations;
ALTER TABLE skill_hourly_durations_old RENAME TO skill_hourly_durations;
ALTER INDEX skill_hourly_durations_old_pkey RENAME TO skill_hourly_durations_pkey;

DELETE FROM skill_durations;
INSERT INTO skill_durations (skill_id, bucket, count)
  SELECT skill_id, bucket, sum(count) FROM skill_hourly_durations GROUP BY 1, 2;

ALTER TABLE skill_anomalies ALTER COLUMN window_hours TYPE INTEGER USING ceil(window_hours)::integer;
ALTER TABLE skill_totals DROP COLUMN duration_max;
ALTER TABLE skill_totals DROP COLUMN duration_min;
ALTER TABLE skill_hourly DROP COLUMN durations_exact;
ALTER TABLE skill_hourly DROP COLUMN duration_max;
ALTER TABLE skill_hourly DROP COLUMN duration_min;
