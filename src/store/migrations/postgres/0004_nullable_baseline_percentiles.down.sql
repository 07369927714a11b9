-- Rows without percentiles cannot be represented and are dropped (baselines are derived data).
DELETE FROM community_baselines WHERE p50_duration_ms IS NULL OR p95_duration_ms IS NULL;
ALTER TABLE community_baselines DROP COLUMN effectiveness_score;
ALTER TABLE community_baselines ALTER COLUMN p50_duration_ms SET NOT NULL;
ALTER TABLE community_baselines ALTER COLUMN p95_duration_ms SET NOT NULL;
