/**
 * A/B experiments (ab_experiments, ab_assignments, ab_outcomes): the store
 * interface every back-end implements. The rules (definition and outcome
 * checks, the results report) are above the stores, in
 * insights/experiment-service.ts; the stores keep only what must happen
 * inside one transaction (assignment, the assigned-variant check).
 *
 * A user's variant is computed once (hash-based, see analytics/ab-testing.ts)
 * and then stored, so the stored assignment, not the current split, decides
 * which variant later outcomes count for. Results are computed from per-variant
 * sums (n, Σx, Σx²) aggregated by the database, never from the raw outcome rows.
 */
import type { OutcomeSums } from '../analytics/ab-testing.js';
import { AppError } from '../errors.js';

type ExperimentStatus = 'running' | 'stopped';

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

export interface ExperimentStore {
  /** Stores a running experiment from a checked definition (see ExperimentService); CONFLICT for a taken name. */
  insert(def: NewExperiment, createdAt: number): Promise<Experiment>;
  find(name: string): Promise<Experiment | null>;
  /** Most recently created first. */
  list(limit?: number): Promise<Experiment[]>;
  /**
   * The user's stored variant, assigning (and storing) one on first call, in
   * one transaction; a stopped experiment takes no new users (CONFLICT).
   */
  assign(exp: Experiment, userHash: string, at: number): Promise<Assignment>;
  /**
   * Records one outcome for the user's variant, assigning the user first when
   * needed, in one transaction. When `variant` is given it must be the user's
   * assigned variant.
   */
  recordOutcome(exp: Experiment, userHash: string, value: number, at: number, variant?: string): Promise<RecordedOutcome>;
  /** n, Σvalue and Σvalue² per variant, from SQL GROUP BY, ordered by variant. */
  outcomeSums(experimentId: number): Promise<OutcomeSums[]>;
  /** Number of assigned users per variant (variants with none are omitted). */
  assignmentCounts(experimentId: number): Promise<Map<string, number>>;
  /** Marks the experiment stopped. */
  stop(exp: Experiment): Promise<void>;
}

/** The row as stored (variants and split as JSON text). */
export interface ExperimentRow {
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

export const EXPERIMENT_COLUMNS = 'id, name, description, variants, traffic_split, metric, min_sample_size, status, created_at';

export function experimentFromRow(r: ExperimentRow): Experiment {
  return { ...r, variants: JSON.parse(r.variants) as string[], traffic_split: JSON.parse(r.traffic_split) as number[] };
}

export function nameTaken(name: string): AppError {
  return new AppError('CONFLICT', `an experiment named "${name}" already exists`, { field: 'name' });
}

export function stoppedForUsers(exp: Experiment): AppError {
  return new AppError('CONFLICT', `experiment "${exp.name}" is stopped and takes no new users`, { field: 'experiment' });
}

export function wrongVariant(assigned: string): AppError {
  return AppError.invalid('variant', `must be the user's assigned variant "${assigned}"`);
}
