/**
 * PostgreSQL implementation of AnalyticsRecords (see analytics-types.ts):
 * anomalies appended with one set-based INSERT (repeats skipped), community baselines replaced
 * as a whole in one transaction that locks out concurrent replacements from
 * other instances (readers keep seeing the old set until it commits).
 */
import type pg from 'pg';
import type { CommunityBaseline } from '../../analytics/baselines.js';
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
import { inTransaction } from './pool.js';

const BASELINE_COLUMNS = `s.name AS skill_name, b.computed_at, b.invocations, b.users, b.success_rate,
  b.mean_duration_ms, b.p50_duration_ms, b.p95_duration_ms, b.effectiveness_score, b.effectiveness_percentile`;

export class PgAnalyticsRecords implements AnalyticsRecords {
  constructor(private readonly pool: pg.Pool) {}

  async saveAnomalies(rows: readonly AnomalyEvent[], windowHours: number): Promise<AnomalyEvent[]> {
    checkWindowHours(windowHours);
    if (rows.length === 0) return [];
    return inTransaction(this.pool, async (client) => {
      // One saver at a time across instances, so two cannot both store the same new anomaly.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('session-buddy.skill_anomalies'))");
      // Ids follow the input order (ORDER BY ord), as "latest stored first" listings rely on.
      const { rows: stored } = await client.query<{ ord: number }>(
        `WITH x AS (
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::text[], $8::text[])
             WITH ORDINALITY AS x(skill, at, metric, bv, ov, ds, dir, sev, ord)
         ), ins AS (
           INSERT INTO skill_anomalies (skill_id, detected_at, metric, baseline_value, observed_value, deviation_score, direction, severity, window_hours)
           SELECT s.id, x.at, x.metric, x.bv, x.ov, x.ds, x.dir, x.sev, $9::int
           FROM x JOIN skills s ON s.name = x.skill
           WHERE NOT EXISTS (SELECT 1 FROM skill_anomalies a WHERE ${repeatedAnomalySql('s.id', 'x.metric', 'x.dir', 'x.at - $9::int * 3600000::bigint', 'x.sev')})
           ORDER BY x.ord
           RETURNING skill_id, metric
         )
         SELECT x.ord FROM ins JOIN skills s ON s.id = ins.skill_id JOIN x ON x.skill = s.name AND x.metric = ins.metric`,
        [
          rows.map((r) => r.skill_name),
          rows.map((r) => r.detected_at),
          rows.map((r) => r.metric),
          rows.map((r) => r.baseline_value),
          rows.map((r) => r.observed_value),
          rows.map((r) => r.deviation_score),
          rows.map((r) => r.direction),
          rows.map((r) => r.severity),
          windowHours,
        ],
      );
      const kept = new Set(stored.map((r) => r.ord - 1));
      return rows.filter((_, i) => kept.has(i));
    });
  }

  async recentAnomalies(query: RecentAnomaliesQuery): Promise<StoredAnomaly[]> {
    checkAnomalyLimit(query.limit);
    const { rows } = await this.pool.query(
      `SELECT a.id, s.name AS skill_name, a.detected_at, a.metric, a.baseline_value, a.observed_value,
         a.deviation_score, a.direction, a.severity, a.window_hours
       FROM skill_anomalies a JOIN skills s ON s.id = a.skill_id
       WHERE a.detected_at >= $1 ORDER BY a.detected_at DESC, a.id DESC LIMIT $2`,
      [query.sinceMs ?? Number.MIN_SAFE_INTEGER, query.limit],
    );
    return rows as StoredAnomaly[];
  }

  async replaceCommunityBaselines(rows: readonly CommunityBaseline[], computedAt: number): Promise<number> {
    checkComputedAt(computedAt);
    return inTransaction(this.pool, async (client) => {
      // Two instances replacing at once would otherwise both delete the old set and collide inserting.
      await client.query('LOCK TABLE community_baselines IN EXCLUSIVE MODE');
      await client.query('DELETE FROM community_baselines');
      if (rows.length === 0) return 0;
      const res = await client.query(
        `INSERT INTO community_baselines (skill_id, computed_at, invocations, users, success_rate, mean_duration_ms,
           p50_duration_ms, p95_duration_ms, effectiveness_score, effectiveness_percentile)
         SELECT s.id, $1, x.n, x.u, x.sr, x.mean, x.p50, x.p95, x.score, x.pct
         FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[])
           AS x(skill, n, u, sr, mean, p50, p95, score, pct)
         JOIN skills s ON s.name = x.skill`,
        [
          computedAt,
          rows.map((r) => r.skill_name),
          rows.map((r) => r.invocations),
          rows.map((r) => r.users),
          rows.map((r) => r.success_rate),
          rows.map((r) => r.mean_duration_ms),
          rows.map((r) => r.p50_duration_ms),
          rows.map((r) => r.p95_duration_ms),
          rows.map((r) => r.effectiveness_score),
          rows.map((r) => r.effectiveness_percentile),
        ],
      );
      return res.rowCount ?? 0;
    });
  }

  async communityBaselines(skill?: string): Promise<StoredBaseline[]> {
    const { rows } = await this.pool.query(
      `SELECT ${BASELINE_COLUMNS} FROM community_baselines b JOIN skills s ON s.id = b.skill_id
       WHERE $1::text IS NULL OR s.name = $1
       ORDER BY b.effectiveness_percentile DESC, s.name COLLATE "C"`,
      [skill ?? null],
    );
    return rows as StoredBaseline[];
  }
}
