/**
 * Stored analytics outputs: detected anomalies (an append-only log) and the
 * community baselines (a snapshot replaced as a whole by each recomputation).
 * Skills are referenced by name at this boundary and by `skills.id` in the
 * tables.
 */
import type { CommunityBaseline } from '../../analytics/baselines.js';
import type { AnomalyEvent } from '../../events.js';
import { AppError } from '../../errors.js';
import type { SqliteDb } from '../database.js';

/** An anomaly as stored, with the window it was detected over. */
export interface StoredAnomaly extends AnomalyEvent {
  id: number;
  /** Length of the recent window that was compared with the baseline, in hours. */
  window_hours: number;
}

export interface RecentAnomaliesQuery {
  /** Only anomalies detected at or after this epoch ms. */
  sinceMs?: number;
  /** At most this many, newest first. */
  limit: number;
}

/** A stored community baseline; `computed_at` is epoch ms. */
export interface StoredBaseline extends CommunityBaseline {
  computed_at: number;
}

/** Largest number of anomalies one listing returns. */
export const MAX_ANOMALY_LISTING = 10_000;

export class AnalyticsRecords {
  private readonly stmts;
  private readonly saveAnomaliesTx;
  private readonly replaceBaselinesTx;

  constructor(private readonly db: SqliteDb) {
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      // INSERT … SELECT: a skill name unknown to the store inserts nothing instead of failing.
      insertAnomaly: p(`INSERT INTO skill_anomalies (skill_id, detected_at, metric, baseline_value, observed_value,
          deviation_score, direction, severity, window_hours)
        SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM skills WHERE name = ?`),
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
    this.saveAnomaliesTx = db.transaction((rows: readonly AnomalyEvent[], windowHours: number) => {
      let saved = 0;
      for (const r of rows) {
        saved += this.stmts.insertAnomaly.run(
          r.detected_at, r.metric, r.baseline_value, r.observed_value, r.deviation_score, r.direction, r.severity,
          windowHours, r.skill_name,
        ).changes;
      }
      return saved;
    });
    this.replaceBaselinesTx = db.transaction((rows: readonly CommunityBaseline[], computedAt: number) => {
      this.stmts.deleteBaselines.run();
      let saved = 0;
      for (const r of rows) {
        saved += this.stmts.insertBaseline.run(
          computedAt, r.invocations, r.users, r.success_rate, r.mean_duration_ms, r.p50_duration_ms,
          r.p95_duration_ms, r.effectiveness_score, r.effectiveness_percentile, r.skill_name,
        ).changes;
      }
      return saved;
    });
  }

  /**
   * Appends detected anomalies in one transaction. Returns how many were
   * stored (rows naming a skill the store has never seen are skipped).
   */
  saveAnomalies(rows: readonly AnomalyEvent[], windowHours: number): number {
    if (!Number.isInteger(windowHours) || windowHours < 1) throw AppError.invalid('window_hours', 'must be an integer >= 1');
    if (rows.length === 0) return 0;
    return this.saveAnomaliesTx.immediate(rows, windowHours);
  }

  /** Stored anomalies, newest first (ties: latest stored first). */
  recentAnomalies(query: RecentAnomaliesQuery): StoredAnomaly[] {
    const { limit } = query;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ANOMALY_LISTING) {
      throw AppError.invalid('limit', `must be an integer between 1 and ${MAX_ANOMALY_LISTING}`);
    }
    return this.stmts.recentAnomalies.all(query.sinceMs ?? Number.MIN_SAFE_INTEGER, limit) as StoredAnomaly[];
  }

  /**
   * Replaces every stored baseline with `rows`, all stamped `computedAt`, in
   * one transaction (readers see the old set or the new one, never a mix).
   * Returns how many rows were stored.
   */
  replaceCommunityBaselines(rows: readonly CommunityBaseline[], computedAt: number): number {
    if (!Number.isFinite(computedAt)) throw AppError.invalid('computed_at', 'must be a finite epoch ms');
    return this.replaceBaselinesTx.immediate(rows, computedAt);
  }

  /**
   * Stored baselines, all skills or only `skill`; sorted by effectiveness
   * percentile (highest first), then skill name. Empty when never computed.
   */
  communityBaselines(skill?: string): StoredBaseline[] {
    const filter = skill ?? null;
    return this.stmts.baselines.all(filter, filter) as StoredBaseline[];
  }
}
