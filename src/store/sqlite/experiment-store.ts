/**
 * A/B experiments in SQLite (ab_experiments, ab_assignments, ab_outcomes).
 *
 * A user's variant is computed once (hash-based, see analytics/ab-testing.ts)
 * and then stored, so the stored assignment, not the current split, decides
 * which variant later outcomes count for. Results are computed from per-variant
 * sums (n, Σx, Σx²) aggregated by SQLite, never from the raw outcome rows.
 */
import {
  assignVariant,
  experimentResults,
  validateExperiment,
  type ExperimentResults,
  type OutcomeSums,
} from '../../analytics/ab-testing.js';
import { AppError } from '../../errors.js';
import type { SqliteDb } from '../database.js';

export type ExperimentStatus = 'running' | 'stopped';

export interface Experiment {
  id: number;
  name: string;
  description: string;
  variants: string[];
  traffic_split: number[];
  metric: string;
  min_sample_size: number;
  status: ExperimentStatus;
  created_at: number;
}

export interface NewExperiment {
  name: string;
  description?: string;
  variants: readonly string[];
  trafficSplit: readonly number[];
  metric: string;
  minSampleSize: number;
}

export interface Assignment {
  variant: string;
  assigned_at: number;
  /** True when this call created the assignment. */
  created: boolean;
}

export interface RecordedOutcome {
  outcome_id: number;
  variant: string;
  /** True when the user had no assignment and was assigned by this call. */
  assigned_now: boolean;
}

export interface ResultsOptions {
  alpha?: number;
  direction?: 'higher' | 'lower';
}

interface ExperimentRow {
  id: number;
  name: string;
  description: string;
  variants: string;
  traffic_split: string;
  metric: string;
  min_sample_size: number;
  status: ExperimentStatus;
  created_at: number;
}

function fromRow(r: ExperimentRow): Experiment {
  return { ...r, variants: JSON.parse(r.variants) as string[], traffic_split: JSON.parse(r.traffic_split) as number[] };
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export class ExperimentStore {
  private readonly stmts;
  private readonly assignTx;
  private readonly recordTx;

  constructor(private readonly db: SqliteDb) {
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      insert: p(`INSERT INTO ab_experiments (name, description, variants, traffic_split, metric, min_sample_size, status, created_at)
        VALUES (?, ?, ?, ?, ?, ?, 'running', ?)`),
      byName: p(`SELECT id, name, description, variants, traffic_split, metric, min_sample_size, status, created_at
        FROM ab_experiments WHERE name = ?`),
      list: p(`SELECT id, name, description, variants, traffic_split, metric, min_sample_size, status, created_at
        FROM ab_experiments ORDER BY created_at DESC, id DESC LIMIT ?`),
      stop: p(`UPDATE ab_experiments SET status = 'stopped' WHERE id = ?`),
      assignment: p('SELECT variant, assigned_at FROM ab_assignments WHERE experiment_id = ? AND user_hash = ?'),
      insertAssignment: p('INSERT INTO ab_assignments (experiment_id, user_hash, variant, assigned_at) VALUES (?, ?, ?, ?)'),
      insertOutcome: p('INSERT INTO ab_outcomes (experiment_id, user_hash, variant, value, recorded_at) VALUES (?, ?, ?, ?, ?)'),
      sums: p(`SELECT variant, count(*) AS n, sum(value) AS sum, sum(value * value) AS sumSq
        FROM ab_outcomes WHERE experiment_id = ? GROUP BY variant ORDER BY variant`),
      assignmentCounts: p(`SELECT variant, count(*) AS users FROM ab_assignments WHERE experiment_id = ? GROUP BY variant`),
    };
    this.assignTx = db.transaction((exp: Experiment, userHash: string, at: number): Assignment => {
      const existing = this.stmts.assignment.get(exp.id, userHash) as { variant: string; assigned_at: number } | undefined;
      if (existing) return { ...existing, created: false };
      if (exp.status !== 'running') {
        throw new AppError('CONFLICT', `experiment "${exp.name}" is stopped and takes no new users`, { field: 'experiment' });
      }
      const variant = assignVariant(exp.name, userHash, exp.variants, exp.traffic_split);
      this.stmts.insertAssignment.run(exp.id, userHash, variant, at);
      return { variant, assigned_at: at, created: true };
    });
    this.recordTx = db.transaction(
      (exp: Experiment, userHash: string, value: number, at: number, variant: string | undefined): RecordedOutcome => {
        const a = this.assignTx(exp, userHash, at);
        if (variant !== undefined && variant !== a.variant) {
          throw AppError.invalid('variant', `must be the user's assigned variant "${a.variant}"`);
        }
        const id = this.stmts.insertOutcome.run(exp.id, userHash, a.variant, value, at).lastInsertRowid;
        return { outcome_id: Number(id), variant: a.variant, assigned_now: a.created };
      },
    );
  }

  /** Creates a running experiment. Throws INVALID_INPUT for a bad definition, CONFLICT for a taken name. */
  create(input: NewExperiment, createdAt: number): Experiment {
    const name = input.name.trim();
    if (name === '') throw AppError.invalid('name', 'must not be empty');
    validateExperiment({ variants: input.variants, traffic_split: input.trafficSplit });
    if (!Number.isInteger(input.minSampleSize) || input.minSampleSize < 2) {
      throw AppError.invalid('min_sample_size', 'must be an integer >= 2');
    }
    if (input.metric.trim() === '') throw AppError.invalid('metric', 'must not be empty');
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
      if (isUniqueViolation(err)) {
        throw new AppError('CONFLICT', `an experiment named "${name}" already exists`, { field: 'name' });
      }
      throw err;
    }
    return this.get(name);
  }

  find(name: string): Experiment | null {
    const row = this.stmts.byName.get(name) as ExperimentRow | undefined;
    return row ? fromRow(row) : null;
  }

  /** The experiment named `name`; NOT_FOUND when there is none. */
  get(name: string): Experiment {
    const exp = this.find(name);
    if (!exp) throw new AppError('NOT_FOUND', `no experiment named "${name}"`, { field: 'experiment' });
    return exp;
  }

  /** Most recently created first. */
  list(limit = 100): Experiment[] {
    return (this.stmts.list.all(limit) as ExperimentRow[]).map(fromRow);
  }

  /** The user's stored variant, assigning (and storing) one on first call. */
  assign(name: string, userHash: string, at: number): Assignment {
    return this.assignTx.immediate(this.get(name), userHash, at);
  }

  /**
   * Records one outcome for the user's variant, assigning the user first when
   * needed. When `variant` is given it must be the user's assigned variant.
   */
  recordOutcome(name: string, userHash: string, value: number, at: number, variant?: string): RecordedOutcome {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw AppError.invalid('value', 'must be a finite number');
    const exp = this.get(name);
    if (exp.status !== 'running') {
      throw new AppError('CONFLICT', `experiment "${exp.name}" is stopped; it takes no new outcomes`, { field: 'experiment' });
    }
    return this.recordTx.immediate(exp, userHash, value, at, variant);
  }

  /** n, Σvalue and Σvalue² per variant, from SQL GROUP BY. */
  outcomeSums(experimentId: number): OutcomeSums[] {
    return this.stmts.sums.all(experimentId) as OutcomeSums[];
  }

  /** Number of assigned users per variant (variants with none are omitted). */
  assignmentCounts(experimentId: number): Map<string, number> {
    const rows = this.stmts.assignmentCounts.all(experimentId) as { variant: string; users: number }[];
    return new Map(rows.map((r) => [r.variant, r.users]));
  }

  /** The experiment with its Welch t-test results against the control (the first variant). */
  results(name: string, options: ResultsOptions = {}): { experiment: Experiment; results: ExperimentResults; assigned: Map<string, number> } {
    const experiment = this.get(name);
    const results = experimentResults({
      outcomes: this.outcomeSums(experiment.id),
      variants: experiment.variants,
      minSampleSize: experiment.min_sample_size,
      ...(options.alpha !== undefined ? { alpha: options.alpha } : {}),
      ...(options.direction !== undefined ? { direction: options.direction } : {}),
    });
    return { experiment, results, assigned: this.assignmentCounts(experiment.id) };
  }

  /** Stops the experiment: no new users or outcomes; results stay readable. */
  stop(name: string): Experiment {
    const exp = this.get(name);
    this.stmts.stop.run(exp.id);
    return { ...exp, status: 'stopped' };
  }
}
