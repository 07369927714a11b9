-- Community baselines: p50/p95 become nullable (a skill without a duration
-- histogram has no percentile estimate; storing 0 would be a wrong number), and
-- the effectiveness score (Wilson lower bound) the percentile ranks on is kept
-- beside it so stored rows read back exactly as they were computed.
-- The table holds derived data only; rows are copied across unchanged.
CREATE TABLE community_baselines_new (
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

INSERT INTO community_baselines_new (skill_id, computed_at, invocations, users, success_rate, mean_duration_ms,
  p50_duration_ms, p95_duration_ms, effectiveness_percentile)
SELECT skill_id, computed_at, invocations, users, success_rate, mean_duration_ms,
  p50_duration_ms, p95_duration_ms, effectiveness_percentile
FROM community_baselines;

DROP TABLE community_baselines;
ALTER TABLE community_baselines_new RENAME TO community_baselines;
