/**
 * SQLite implementation of ModelStore (see model-types.ts for the semantics).
 * The training worker reads samples through its own read-only connection
 * with `trainingSamplesSync`.
 */
import type { SqliteDb } from '../database.js';
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

export class SqliteModelStore implements ModelStore {
  private readonly stmts;
  private readonly saveTx;

  /** `keep`: how many models to keep; older ones are deleted when a new one is saved. */
  constructor(
    db: SqliteDb,
    private readonly keep = DEFAULT_KEEP_MODELS,
  ) {
    checkKeep(keep);
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      insert: p(`INSERT INTO prediction_models (trained_at, window_days, samples, accuracy, report, model)
        VALUES (?, ?, ?, ?, ?, ?)`),
      prune: p(`DELETE FROM prediction_models WHERE id NOT IN (SELECT id FROM prediction_models ORDER BY id DESC LIMIT ?)`),
      latestId: p('SELECT max(id) FROM prediction_models').pluck(),
      byId: p(`SELECT id, trained_at, window_days, samples, accuracy, report, model FROM prediction_models WHERE id = ?`),
      windowCount: p('SELECT count(*) FROM skill_invocations WHERE invoked_at >= ? AND invoked_at < ?').pluck(),
      samples: p(`SELECT s.name AS skill, u.user_hash AS user, i.workflow_phase AS workflowPhase, i.completed,
          i.duration_ms AS durationMs, i.duration_known AS durationKnown, i.invoked_at AS invokedAt
        FROM skill_invocations i JOIN skills s ON s.id = i.skill_id JOIN users u ON u.id = i.user_id
        WHERE i.invoked_at >= ? AND i.invoked_at < ? AND i.rowid_ % ? = 0
        ORDER BY i.invoked_at DESC LIMIT ?`),
    };
    this.saveTx = db.transaction((m: NewModel): number => {
      const id = Number(
        this.stmts.insert.run(m.trainedAt, m.windowDays, m.samples, m.accuracy, JSON.stringify(m.report), JSON.stringify(m.model)).lastInsertRowid,
      );
      this.stmts.prune.run(this.keep);
      return id;
    });
  }

  async save(model: NewModel): Promise<number> {
    return this.saveTx.immediate(model);
  }

  async latestId(): Promise<number | null> {
    return (this.stmts.latestId.get() as number | null) ?? null;
  }

  async get(id: number): Promise<StoredModel | null> {
    return this.getSync(id);
  }

  async trainingSamples(query: SampleQuery): Promise<TrainingSamples> {
    return this.trainingSamplesSync(query);
  }

  /** The sample read in one synchronous step (for the training worker's own connection). */
  trainingSamplesSync(query: SampleQuery): TrainingSamples {
    checkSampleLimit(query.limit);
    const until = query.untilMs ?? Number.MAX_SAFE_INTEGER;
    const windowTotal = this.stmts.windowCount.get(query.sinceMs, until) as number;
    const stride = Math.max(1, Math.ceil(windowTotal / query.limit));
    const rows = this.stmts.samples.all(query.sinceMs, until, stride, query.limit) as SampleRow[];
    return { samples: rows.map(toSample), windowTotal, stride };
  }

  private getSync(id: number): StoredModel | null {
    const row = this.stmts.byId.get(id) as (ModelMeta & { report: string; model: string }) | undefined;
    if (!row) return null;
    return { ...row, report: JSON.parse(row.report) as unknown, model: JSON.parse(row.model) as unknown };
  }
}
