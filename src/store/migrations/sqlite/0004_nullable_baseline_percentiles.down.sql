-- Back to NOT NULL percentiles without the score column. Rows without
-- percentiles cannot be represented there and are dropped (baselines are
-- derived data: update_community_baselines recomputes them).
CREATE TABLE community_baselines_old (
  skill_id                 INTEGER PRIMARY KEY REFERENCES skills(id),
  computed_at              INTEGER NOT NULL,
  invocations              INTEGER NOT NULL,
  users                    INTEGER NOT NULL,
  success_rate             REAL NOT NULL,
  mean_duration_ms         REAL NOT NULL,
  p50_duration_ms          REAL NOT NULL,
  p95_duration_ms          REAL NOT NULL,
  effectiveness_percentile REAL NOT NULL
);

INSERT INTO community_baselines_old (skill_id, computed_at, invocations, users, success_rate, mean_duration_ms,
  p50_duration_ms, p95_duration_ms, effectiveness_percentile)
SELECT skill_id, computed_at, invocations, users, success_rate, mean_duration_ms,
  p50_duration_ms, p95_duration_ms, effectiveness_percentile
FROM community_baselines
WHERE p50_duration_ms IS NOT NULL AND p95_duration_ms IS NOT NULL;

DROP TABLE community_baselines;
ALTER TABLE community_baselines_old RENAME TO community_baselines;
