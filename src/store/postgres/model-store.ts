/**
 * PostgreSQL implementation of ModelStore (see model-types.ts). Saving a
 * model and pruning old ones is one transaction.
 */
import type pg from 'pg';
import {
  checkKeep,
  checkSampleLimit,
  DEFAULT_KEEP_MODELS,
  toSample,
  type ModelMeta,
  type ModelStore,
  type NewModel,
  type SampleQuery,
  type SampleRow,
  type StoredModel,
  type TrainingSamples,
} from '../model-types.js';
import { inTransaction } from './pool.js';

const META_COLUMNS = 'id, trained_at, window_days, samples, accuracy';

export class PgModelStore implements ModelStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly keep = DEFAULT_KEEP_MODELS,
  ) {
    checkKeep(keep);
  }

  save(m: NewModel): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO prediction_models (trained_at, window_days, samples, accuracy, report, model) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [m.trainedAt, m.windowDays, m.samples, m.accuracy, JSON.stringify(m.report), JSON.stringify(m.model)],
      );
      await client.query('DELETE FROM prediction_models WHERE id NOT IN (SELECT id FROM prediction_models ORDER BY id DESC LIMIT $1)', [this.keep]);
      return rows[0]!.id;
    });
  }

  async latestId(): Promise<number | null> {
    const { rows } = await this.pool.query<{ id: number | null }>('SELECT max(id) AS id FROM prediction_models');
    return rows[0]?.id ?? null;
  }

  async get(id: number): Promise<StoredModel | null> {
    const { rows } = await this.pool.query(`SELECT ${META_COLUMNS}, report, model FROM prediction_models WHERE id = $1`, [id]);
    const row = rows[0] as (ModelMeta & { report: string; model: string }) | undefined;
    if (!row) return null;
    return { ...row, report: JSON.parse(row.report) as unknown, model: JSON.parse(row.model) as unknown };
  }

  async trainingSamples(query: SampleQuery): Promise<TrainingSamples> {
    checkSampleLimit(query.limit);
    const until = query.untilMs ?? Number.MAX_SAFE_INTEGER;
    const { rows: count } = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM skill_invocations WHERE invoked_at >= $1 AND invoked_at < $2', [
      query.sinceMs,
      until,
    ]);
    const windowTotal = count[0]!.n;
    const stride = Math.max(1, Math.ceil(windowTotal / query.limit));
    const { rows } = await this.pool.query(
      `SELECT s.name AS skill, u.user_hash AS user, i.workflow_phase AS "workflowPhase", i.completed,
         i.duration_ms AS "durationMs", i.duration_known AS "durationKnown", i.invoked_at AS "invokedAt"
       FROM skill_invocations i JOIN skills s ON s.id = i.skill_id JOIN users u ON u.id = i.user_id
       WHERE i.invoked_at >= $1 AND i.invoked_at < $2 AND i.rowid_ % $3 = 0
       ORDER BY i.invoked_at DESC LIMIT $4`,
      [query.sinceMs, until, stride, query.limit],
    );
    return { samples: (rows as SampleRow[]).map(toSample), windowTotal, stride };
  }
}
