/**
 * Trained success-prediction models (prediction_models) and the query that
 * feeds training.
 *
 * `trainingSamples` is the one place that reads raw invocation rows for
 * analytics: training is an explicit, occasional operation, and the read is
 * bounded by a time window (indexed on invoked_at) and a row cap. When the
 * window holds more rows than the cap, every k-th row (by rowid) is taken so
 * that the sample spans the whole window: with only the most recent rows, a
 * busy installation would train on its last hours whatever window was asked
 * for (and a burst of one kind of invocation could fill the whole sample).
 */
import type { InvocationSample } from '../../analytics/types.js';
import { AppError } from '../../errors.js';
import type { SqliteDb } from '../database.js';

export interface NewModel {
  trainedAt: number;
  windowDays: number;
  samples: number;
  /** Held-out accuracy; null when not measured. */
  accuracy: number | null;
  /** JSON-serialisable training report (importance, class balance, encodings…). */
  report: unknown;
  /** JSON-serialisable model. */
  model: unknown;
}

export interface ModelMeta {
  id: number;
  trained_at: number;
  window_days: number;
  samples: number;
  accuracy: number | null;
}

export interface StoredModel extends ModelMeta {
  report: unknown;
  model: unknown;
}

export interface SampleQuery {
  /** Only invocations with invoked_at >= sinceMs. */
  sinceMs: number;
  /** Only invocations with invoked_at < untilMs (default: no upper bound). */
  untilMs?: number;
  /** At most this many. */
  limit: number;
}

export interface TrainingSamples {
  /** Most recent first. */
  samples: InvocationSample[];
  /** Invocations in the window. */
  windowTotal: number;
  /** 1 when every invocation of the window was read, else k: only rows whose rowid is a multiple of k. */
  stride: number;
}

/** Largest `limit` a training-sample query accepts. */
export const MAX_TRAINING_SAMPLES = 500_000;

export class ModelStore {
  private readonly stmts;
  private readonly saveTx;

  /** `keep`: how many models to keep; older ones are deleted when a new one is saved. */
  constructor(
    db: SqliteDb,
    private readonly keep = 5,
  ) {
    if (!Number.isInteger(keep) || keep < 1) throw AppError.invalid('keep', 'must be an integer >= 1');
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      insert: p(`INSERT INTO prediction_models (trained_at, window_days, samples, accuracy, report, model)
        VALUES (?, ?, ?, ?, ?, ?)`),
      prune: p(`DELETE FROM prediction_models WHERE id NOT IN (SELECT id FROM prediction_models ORDER BY id DESC LIMIT ?)`),
      latestId: p('SELECT max(id) FROM prediction_models').pluck(),
      byId: p(`SELECT id, trained_at, window_days, samples, accuracy, report, model FROM prediction_models WHERE id = ?`),
      list: p(`SELECT id, trained_at, window_days, samples, accuracy FROM prediction_models ORDER BY id DESC`),
      windowCount: p('SELECT count(*) FROM skill_invocations WHERE invoked_at >= ? AND invoked_at < ?').pluck(),
      samples: p(`SELECT s.name AS skill, u.user_hash AS user, i.workflow_phase AS workflowPhase, i.completed,
          i.duration_ms AS durationMs, i.invoked_at AS invokedAt
        FROM skill_invocations i JOIN skills s ON s.id = i.skill_id JOIN users u ON u.id = i.user_id
        WHERE i.invoked_at >= ? AND i.invoked_at < ? AND i.rowid_ % ? = 0
        ORDER BY i.invoked_at DESC LIMIT ?`),
    };
    this.saveTx = db.transaction((m: NewModel): number => {
      const id = Number(
        this.stmts.insert.run(m.trainedAt, m.windowDays, m.samples, m.accuracy, JSON.stringify(m.report), JSON.stringify(m.model))
          .lastInsertRowid,
      );
      this.stmts.prune.run(this.keep);
      return id;
    });
  }

  /** Stores a model and returns its id (ids increase: the largest is the latest). */
  save(model: NewModel): number {
    return this.saveTx.immediate(model);
  }

  /** Id of the latest model, or null; cheap enough to call per prediction. */
  latestId(): number | null {
    return (this.stmts.latestId.get() as number | null) ?? null;
  }

  get(id: number): StoredModel | null {
    const row = this.stmts.byId.get(id) as (ModelMeta & { report: string; model: string }) | undefined;
    if (!row) return null;
    return { ...row, report: JSON.parse(row.report) as unknown, model: JSON.parse(row.model) as unknown };
  }

  latest(): StoredModel | null {
    const id = this.latestId();
    return id === null ? null : this.get(id);
  }

  /** Stored models, newest first, without their bodies. */
  list(): ModelMeta[] {
    return this.stmts.list.all() as ModelMeta[];
  }

  /**
   * Raw invocations of the window, most recent first: all of them when they
   * fit `limit`, else every k-th row by rowid with k = ceil(total / limit)
   * (still at most `limit`).
   */
  trainingSamples(query: SampleQuery): TrainingSamples {
    const { limit } = query;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TRAINING_SAMPLES) {
      throw AppError.invalid('limit', `must be an integer in [1, ${MAX_TRAINING_SAMPLES}]`);
    }
    const until = query.untilMs ?? Number.MAX_SAFE_INTEGER;
    const windowTotal = this.stmts.windowCount.get(query.sinceMs, until) as number;
    const stride = Math.max(1, Math.ceil(windowTotal / limit));
    const rows = this.stmts.samples.all(query.sinceMs, until, stride, limit) as (Omit<InvocationSample, 'completed'> & {
      completed: number;
    })[];
    const samples = rows.map((r) => ({
      skill: r.skill,
      user: r.user,
      workflowPhase: r.workflowPhase,
      completed: r.completed === 1,
      durationMs: r.durationMs,
      invokedAt: r.invokedAt,
    }));
    return { samples, windowTotal, stride };
  }
}
