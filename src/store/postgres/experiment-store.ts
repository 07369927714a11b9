/**
 * PostgreSQL implementation of ExperimentStore (see experiment-types.ts).
 * Several instances may assign the same user at once: the assignment is
 * inserted with ON CONFLICT DO NOTHING and then read back, so every instance
 * ends up with the one stored variant. Recording an outcome (with the
 * assignment it may create) is one transaction.
 */
import type pg from 'pg';
import { assignVariant, type OutcomeSums } from '../../analytics/ab-testing.js';
import {
  EXPERIMENT_COLUMNS,
  experimentFromRow,
  mergePlan,
  nameTaken,
  sameDefinition,
  stoppedForUsers,
  wrongVariant,
  type Assignment,
  type Experiment,
  type ExperimentCopy,
  type ExperimentRow,
  type ExperimentStore,
  type MergedExperiment,
  type NewExperiment,
  type RecordedOutcome,
} from '../experiment-types.js';
import { inTransaction } from './pool.js';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const UNIQUE_VIOLATION = '23505';

async function assignWith(q: Queryable, exp: Experiment, userHash: string, at: number): Promise<Assignment> {
  const read = () =>
    q.query<{ variant: string; assigned_at: number }>('SELECT variant, assigned_at FROM ab_assignments WHERE experiment_id = $1 AND user_hash = $2', [
      exp.id,
      userHash,
    ]);
  const existing = (await read()).rows[0];
  if (existing) return { ...existing, created: false };
  if (exp.status !== 'running') throw stoppedForUsers(exp);
  const variant = assignVariant(exp.name, userHash, exp.variants, exp.traffic_split);
  const ins = await q.query('INSERT INTO ab_assignments (experiment_id, user_hash, variant, assigned_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
    exp.id,
    userHash,
    variant,
    at,
  ]);
  if (ins.rowCount === 1) return { variant, assigned_at: at, created: true };
  const raced = (await read()).rows[0]!; // another instance assigned the user meanwhile
  return { ...raced, created: false };
}

export class PgExperimentStore implements ExperimentStore {
  constructor(private readonly pool: pg.Pool) {}

  async insert(input: NewExperiment, createdAt: number): Promise<Experiment> {
    const { name } = input;
    try {
      const { rows } = await this.pool.query(
        `INSERT INTO ab_experiments (name, description, variants, traffic_split, metric, min_sample_size, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'running', $7) RETURNING ${EXPERIMENT_COLUMNS}`,
        [name, input.description ?? '', JSON.stringify(input.variants), JSON.stringify(input.trafficSplit), input.metric, input.minSampleSize, createdAt],
      );
      return experimentFromRow(rows[0] as ExperimentRow);
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw nameTaken(name);
      throw err;
    }
  }

  async find(name: string): Promise<Experiment | null> {
    const { rows } = await this.pool.query(`SELECT ${EXPERIMENT_COLUMNS} FROM ab_experiments WHERE name = $1`, [name]);
    return rows[0] ? experimentFromRow(rows[0] as ExperimentRow) : null;
  }

  async list(limit = 100): Promise<Experiment[]> {
    const { rows } = await this.pool.query(`SELECT ${EXPERIMENT_COLUMNS} FROM ab_experiments ORDER BY created_at DESC, id DESC LIMIT $1`, [limit]);
    return (rows as ExperimentRow[]).map(experimentFromRow);
  }

  async assign(exp: Experiment, userHash: string, at: number): Promise<Assignment> {
    return assignWith(this.pool, exp, userHash, at);
  }

  async recordOutcome(exp: Experiment, userHash: string, value: number, at: number, variant?: string): Promise<RecordedOutcome> {
    return inTransaction(this.pool, async (client) => {
      const a = await assignWith(client, exp, userHash, at);
      if (variant !== undefined && variant !== a.variant) throw wrongVariant(a.variant);
      const { rows } = await client.query<{ id: number }>(
        'INSERT INTO ab_outcomes (experiment_id, user_hash, variant, value, recorded_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [exp.id, userHash, a.variant, value, at],
      );
      return { outcome_id: rows[0]!.id, variant: a.variant, assigned_now: a.created };
    });
  }

  async outcomeSums(experimentId: number): Promise<OutcomeSums[]> {
    const { rows } = await this.pool.query(
      `SELECT variant, count(*) AS n, sum(value) AS sum, sum(value * value) AS "sumSq"
       FROM ab_outcomes WHERE experiment_id = $1 GROUP BY variant ORDER BY variant COLLATE "C"`,
      [experimentId],
    );
    return rows as OutcomeSums[];
  }

  async assignmentCounts(experimentId: number): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ variant: string; users: number }>(
      'SELECT variant, count(*) AS users FROM ab_assignments WHERE experiment_id = $1 GROUP BY variant',
      [experimentId],
    );
    return new Map(rows.map((r) => [r.variant, r.users]));
  }

  async stop(exp: Experiment): Promise<void> {
    await this.pool.query(`UPDATE ab_experiments SET status = 'stopped' WHERE id = $1`, [exp.id]);
  }

  async merge(copy: ExperimentCopy): Promise<MergedExperiment> {
    const e = copy.experiment;
    return inTransaction(this.pool, async (client) => {
      const inserted = await client.query<{ id: number }>(
        `INSERT INTO ab_experiments (name, description, variants, traffic_split, metric, min_sample_size, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (name) DO NOTHING RETURNING id`,
        [e.name, e.description, JSON.stringify(e.variants), JSON.stringify(e.traffic_split), e.metric, e.min_sample_size, e.status, e.created_at],
      );
      let id: number;
      if (inserted.rows[0]) id = Number(inserted.rows[0].id);
      else {
        // Locked: two merges of the same experiment run one after the other, and count each other's rows.
        const { rows } = await client.query(`SELECT ${EXPERIMENT_COLUMNS} FROM ab_experiments WHERE name = $1 FOR UPDATE`, [e.name]);
        const here = experimentFromRow(rows[0] as ExperimentRow);
        if (!sameDefinition(here, e)) {
          const none = { inserted: 0, duplicates: 0 };
          return {
            experiment: 'conflict',
            assignments: { ...none, conflicts: copy.assignments.length },
            outcomes: { ...none, conflicts: copy.outcomes.length },
          };
        }
        id = here.id;
      }
      const existing = await client.query<{ user_hash: string; variant: string }>('SELECT user_hash, variant FROM ab_assignments WHERE experiment_id = $1', [
        id,
      ]);
      const stored = await client.query<ExperimentCopy['outcomes'][number]>(
        'SELECT user_hash, variant, value, recorded_at FROM ab_outcomes WHERE experiment_id = $1',
        [id],
      );
      const plan = mergePlan(copy, new Map(existing.rows.map((a) => [a.user_hash, a.variant])), stored.rows);
      if (plan.assignments.length > 0) {
        await client.query(
          `INSERT INTO ab_assignments (experiment_id, user_hash, variant, assigned_at)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[]) ON CONFLICT DO NOTHING`,
          [id, plan.assignments.map((a) => a.user_hash), plan.assignments.map((a) => a.variant), plan.assignments.map((a) => a.assigned_at)],
        );
      }
      if (plan.outcomes.length > 0) {
        await client.query(
          `INSERT INTO ab_outcomes (experiment_id, user_hash, variant, value, recorded_at)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::float8[], $5::bigint[])`,
          [
            id,
            plan.outcomes.map((o) => o.user_hash),
            plan.outcomes.map((o) => o.variant),
            plan.outcomes.map((o) => o.value),
            plan.outcomes.map((o) => o.recorded_at),
          ],
        );
      }
      return { experiment: inserted.rows[0] ? 'inserted' : 'present', ...plan.counts };
    });
  }
}
