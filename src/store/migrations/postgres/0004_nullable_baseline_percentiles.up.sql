-- p50/p95 may be NULL (a skill without a duration histogram has no estimate);
-- the effectiveness score the percentile ranks on is stored beside it.
ALTER TABLE community_baselines ALTER COLUMN p50_duration_ms DROP NOT NULL;
ALTER TABLE community_baselines ALTER COLUMN p95_duration_ms DROP NOT NULL;
ALTER TABLE community_baselines ADD COLUMN effectiveness_score DOUBLE PRECISION NOT NULL DEFAULT 0;
