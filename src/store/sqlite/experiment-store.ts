/**
 * SQLite implementation of ExperimentStore (see experiment-types.ts for the
 * semantics). Assignment and outcome recording run in IMMEDIATE transactions,
 * synchronously inside each (async) call.
 */
import type { OutcomeSums } from '../../analytics/ab-testing.js';
import { assignVariant } from '../../analytics/ab-testing.js';
import type { SqliteDb } from '../database.js';
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

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export class SqliteExperimentStore implements ExperimentStore {
  private readonly stmts;
  private readonly assignTx;
  private readonly recordTx;
  private readonly mergeTx;

  constructor(db: SqliteDb) {
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      insert: p(`INSERT INTO ab_experiments (name, description, variants, traffic_split, metric, min_sample_size, status, created_at)
        VALUES (?, ?, ?, ?, ?, ?, 'running', ?)`),
      byName: p(`SELECT ${EXPERIMENT_COLUMNS} FROM ab_experiments WHERE name = ?`),
      list: p(`SELECT ${EXPERIMENT_COLUMNS} FROM ab_experiments ORDER BY created_at DESC, id DESC LIMIT ?`),
      stop: p(`UPDATE ab_experiments SET status = 'stopped' WHERE id = ?`),
      assignment: p('SELECT variant, assigned_at FROM ab_assignments WHERE experiment_id = ? AND user_hash = ?'),
      insertAssignment: p('INSERT INTO ab_assignments (experiment_id, user_hash, variant, assigned_at) VALUES (?, ?, ?, ?)'),
      insertOutcome: p('INSERT INTO ab_outcomes (experiment_id, user_hash, variant, value, recorded_at) VALUES (?, ?, ?, ?, ?)'),
      sums: p(`SELECT variant, count(*) AS n, sum(value) AS sum, sum(value * value) AS sumSq
        FROM ab_outcomes WHERE experiment_id = ? GROUP BY variant ORDER BY variant`),
      assignmentCounts: p(`SELECT variant, count(*) AS users FROM ab_assignments WHERE experiment_id = ? GROUP BY variant`),
      insertCopy: p(`INSERT INTO ab_experiments (name, description, variants, traffic_split, metric, min_sample_size, status, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      assignments: p('SELECT user_hash, variant FROM ab_assignments WHERE experiment_id = ?'),
      outcomes: p('SELECT user_hash, variant, value, recorded_at FROM ab_outcomes WHERE experiment_id = ?'),
    };
    this.assignTx = db.transaction((exp: Experiment, userHash: string, at: number): Assignment => {
      const existing = this.stmts.assignment.get(exp.id, userHash) as { variant: string; assigned_at: number } | undefined;
      if (existing) return { ...existing, created: false };
      if (exp.status !== 'running') throw stoppedForUsers(exp);
      const variant = assignVariant(exp.name, userHash, exp.variants, exp.traffic_split);
      this.stmts.insertAssignment.run(exp.id, userHash, variant, at);
      return { variant, assigned_at: at, created: true };
    });
    this.recordTx = db.transaction((exp: Experiment, userHash: string, value: number, at: number, variant: string | undefined): RecordedOutcome => {
      const a = this.assignTx(exp, userHash, at);
      if (variant !== undefined && variant !== a.variant) throw wrongVariant(a.variant);
      const id = this.stmts.insertOutcome.run(exp.id, userHash, a.variant, value, at).lastInsertRowid;
      return { outcome_id: Number(id), variant: a.variant, assigned_now: a.created };
    });
    this.mergeTx = db.transaction((copy: ExperimentCopy): MergedExperiment => {
      const e = copy.experiment;
      const here = this.findSync(e.name);
      if (here && !sameDefinition(here, e)) {
        const none = { inserted: 0, duplicates: 0 };
        return {
          experiment: 'conflict',
          assignments: { ...none, conflicts: copy.assignments.length },
          outcomes: { ...none, conflicts: copy.outcomes.length },
        };
      }
      const id = here
        ? here.id
        : Number(
            this.stmts.insertCopy.run(
              e.name,
              e.description,
              JSON.stringify(e.variants),
              JSON.stringify(e.traffic_split),
              e.metric,
              e.min_sample_size,
              e.status,
              e.created_at,
            ).lastInsertRowid,
          );
      const existing = here ? (this.stmts.assignments.all(id) as Array<{ user_hash: string; variant: string }>) : [];
      const stored = here ? (this.stmts.outcomes.all(id) as ExperimentCopy['outcomes']) : [];
      const plan = mergePlan(copy, new Map(existing.map((a) => [a.user_hash, a.variant])), stored);
      for (const a of plan.assignments) this.stmts.insertAssignment.run(id, a.user_hash, a.variant, a.assigned_at);
      for (const o of plan.outcomes) this.stmts.insertOutcome.run(id, o.user_hash, o.variant, o.value, o.recorded_at);
      return { experiment: here ? 'present' : 'inserted', ...plan.counts };
    });
  }

  async insert(input: NewExperiment, createdAt: number): Promise<Experiment> {
    const { name } = input;
    try {
      this.stmts.insert.run(
        name,
        input.description ?? '',
        JSON.stringify(input.variants),
        JSON.stringify(input.trafficSplit),
        input.metric,
        input.minSampleSize,
        createdAt,
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(name);
      throw err;
    }
    return this.findSync(name)!;
  }

  async find(name: string): Promise<Experiment | null> {
    return this.findSync(name);
  }

  async list(limit = 100): Promise<Experiment[]> {
    return (this.stmts.list.all(limit) as ExperimentRow[]).map(experimentFromRow);
  }

  async assign(exp: Experiment, userHash: string, at: number): Promise<Assignment> {
    return this.assignTx.immediate(exp, userHash, at);
  }

  async recordOutcome(exp: Experiment, userHash: string, value: number, at: number, variant?: string): Promise<RecordedOutcome> {
    return this.recordTx.immediate(exp, userHash, value, at, variant);
  }

  async outcomeSums(experimentId: number): Promise<OutcomeSums[]> {
    return this.sumsSync(experimentId);
  }

  async assignmentCounts(experimentId: number): Promise<Map<string, number>> {
    return this.countsSync(experimentId);
  }

  async stop(exp: Experiment): Promise<void> {
    this.stmts.stop.run(exp.id);
  }

  async merge(copy: ExperimentCopy): Promise<MergedExperiment> {
    return this.mergeTx.immediate(copy);
  }

  private findSync(name: string): Experiment | null {
    const row = this.stmts.byName.get(name) as ExperimentRow | undefined;
    return row ? experimentFromRow(row) : null;
  }

  private sumsSync(experimentId: number): OutcomeSums[] {
    return this.stmts.sums.all(experimentId) as OutcomeSums[];
  }

  private countsSync(experimentId: number): Map<string, number> {
    const rows = this.stmts.assignmentCounts.all(experimentId) as { variant: string; users: number }[];
    return new Map(rows.map((r) => [r.variant, r.users]));
  }
}
