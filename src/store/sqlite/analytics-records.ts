/**
 * SQLite implementation of AnalyticsRecords (see analytics-types.ts): detected
 * anomalies (an append-only log) and the community baselines (a snapshot
 * replaced as a whole by each recomputation). Skills are referenced by name
 * at this boundary and by `skills.id` in the tables.
 */
import type { CommunityBaseline } from '../../analytics/baselines.js';
import { HOUR_MS } from '../../analytics/types.js';
import type { AnomalyEvent } from '../../events.js';
import {
  checkAnomalyLimit,
  checkComputedAt,
  checkWindowHours,
  repeatedAnomalySql,
  type AnalyticsRecords,
  type RecentAnomaliesQuery,
  type StoredAnomaly,
  type StoredBaseline,
} from '../analytics-types.js';
import type { SqliteDb } from '../database.js';

export class SqliteAnalyticsRecords implements AnalyticsRecords {
  private readonly stmts;
  private readonly saveAnomaliesTx;
  private readonly replaceBaselinesTx;

  constructor(db: SqliteDb) {
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      // INSERT … SELECT: a skill name unknown to the store inserts nothing instead of failing.
      insertAnomaly: p(`INSERT INTO skill_anomalies (skill_id, detected_at, metric, baseline_value, observed_value,
          deviation_score, direction, severity, window_hours)
        SELECT s.id, ?, ?, ?, ?, ?, ?, ?, ? FROM skills s WHERE s.name = ?
          AND NOT EXISTS (SELECT 1 FROM skill_anomalies a WHERE ${repeatedAnomalySql('s.id', '?', '?', '?', '?')})`),
      recentAnomalies: p(`SELECT a.id, s.name AS skill_name, a.detected_at, a.metric, a.baseline_value, a.observed_value,
          a.deviation_score, a.direction, a.severity, a.window_hours
        FROM skill_anomalies a JOIN skills s ON s.id = a.skill_id
        WHERE a.detected_at >= ? ORDER BY a.detected_at DESC, a.id DESC LIMIT ?`),
      deleteBaselines: p('DELETE FROM community_baselines'),
      insertBaseline: p(`INSERT INTO community_baselines (skill_id, computed_at, invocations, users, success_rate,
          mean_duration_ms, p50_duration_ms, p95_duration_ms, effectiveness_score, effectiveness_percentile)
        SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM skills WHERE name = ?`),
      baselines: p(`SELECT s.name AS skill_name, b.computed_at, b.invocations, b.users, b.success_rate,
          b.mean_duration_ms, b.p50_duration_ms, b.p95_duration_ms, b.effectiveness_score, b.effectiveness_percentile
        FROM community_baselines b JOIN skills s ON s.id = b.skill_id
        WHERE ? IS NULL OR s.name = ?
        ORDER BY b.effectiveness_percentile DESC, s.name`),
    };
    this.saveAnomaliesTx = db.transaction((rows: readonly AnomalyEvent[], windowHours: number) =>
      rows.filter(
        (r) =>
          this.stmts.insertAnomaly.run(
            r.detected_at,
            r.metric,
            r.baseline_value,
            r.observed_value,
            r.deviation_score,
            r.direction,
            r.severity,
            windowHours,
            r.skill_name,
            r.metric,
            r.direction,
            r.detected_at - Math.round(windowHours * HOUR_MS),
            r.severity,
          ).changes === 1,
      ),
    );
    this.replaceBaselinesTx = db.transaction((rows: readonly CommunityBaseline[], computedAt: number) => {
      this.stmts.deleteBaselines.run();
      let saved = 0;
      for (const r of rows) {
        saved += this.stmts.insertBaseline.run(
          computedAt,
          r.invocations,
          r.users,
          r.success_rate,
          r.mean_duration_ms,
          r.p50_duration_ms,
          r.p95_duration_ms,
          r.effectiveness_score,
          r.effectiveness_percentile,
          r.skill_name,
        ).changes;
      }
      return saved;
    });
  }

  async saveAnomalies(rows: readonly AnomalyEvent[], windowHours: number): Promise<AnomalyEvent[]> {
    checkWindowHours(windowHours);
    if (rows.length === 0) return [];
    return this.saveAnomaliesTx.immediate(rows, windowHours);
  }

  async recentAnomalies(query: RecentAnomaliesQuery): Promise<StoredAnomaly[]> {
    checkAnomalyLimit(query.limit);
    return this.stmts.recentAnomalies.all(query.sinceMs ?? Number.MIN_SAFE_INTEGER, query.limit) as StoredAnomaly[];
  }

  async replaceCommunityBaselines(rows: readonly CommunityBaseline[], computedAt: number): Promise<number> {
    checkComputedAt(computedAt);
    return this.replaceBaselinesTx.immediate(rows, computedAt);
  }

  async communityBaselines(skill?: string): Promise<StoredBaseline[]> {
    const filter = skill ?? null;
    return this.stmts.baselines.all(filter, filter) as StoredBaseline[];
  }
}
