/**
 * A/B experiments (ab_experiments, ab_assignments, ab_outcomes): the store
 * interface every back-end implements, and the rules they share.
 *
 * A user's variant is computed once (hash-based, see analytics/ab-testing.ts)
 * and then stored, so the stored assignment, not the current split, decides
 * which variant later outcomes count for. Results are computed from per-variant
 * sums (n, Σx, Σx²) aggregated by the database, never from the raw outcome rows.
 */
import { experimentResults, validateExperiment, type ExperimentResults, type OutcomeSums } from '../analytics/ab-testing.js';
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

export interface ResultsOptions {
  alpha?: number;
  direction?: 'higher' | 'lower';
}

export interface ExperimentReport {
  experiment: Experiment;
  results: ExperimentResults;
  /** Assigned users per variant (variants with none are omitted). */
  assigned: Map<string, number>;
}

export interface ExperimentStore {
  /** Creates a running experiment. Rejects with INVALID_INPUT for a bad definition, CONFLICT for a taken name. */
  create(input: NewExperiment, createdAt: number): Promise<Experiment>;
  find(name: string): Promise<Experiment | null>;
  /** The experiment named `name`; NOT_FOUND when there is none. */
  get(name: string): Promise<Experiment>;
  /** Most recently created first. */
  list(limit?: number): Promise<Experiment[]>;
  /** The user's stored variant, assigning (and storing) one on first call. */
  assign(name: string, userHash: string, at: number): Promise<Assignment>;
  /**
   * Records one outcome for the user's variant, assigning the user first when
   * needed. When `variant` is given it must be the user's assigned variant.
   */
  recordOutcome(name: string, userHash: string, value: number, at: number, variant?: string): Promise<RecordedOutcome>;
  /** n, Σvalue and Σvalue² per variant, from SQL GROUP BY, ordered by variant. */
  outcomeSums(experimentId: number): Promise<OutcomeSums[]>;
  /** Number of assigned users per variant (variants with none are omitted). */
  assignmentCounts(experimentId: number): Promise<Map<string, number>>;
  /** The experiment with its Welch t-test results against the control (the first variant). */
  results(name: string, options?: ResultsOptions): Promise<ExperimentReport>;
  /** Stops the experiment: no new users or outcomes; results stay readable. */
  stop(name: string): Promise<Experiment>;
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

/** Validates a new experiment; returns its trimmed name. */
export function checkNewExperiment(input: NewExperiment): string {
  const name = input.name.trim();
  if (name === '') throw AppError.invalid('name', 'must not be empty');
  validateExperiment({ variants: input.variants, traffic_split: input.trafficSplit });
  if (!Number.isInteger(input.minSampleSize) || input.minSampleSize < 2) {
    throw AppError.invalid('min_sample_size', 'must be an integer >= 2');
  }
  if (input.metric.trim() === '') throw AppError.invalid('metric', 'must not be empty');
  return name;
}

export function nameTaken(name: string): AppError {
  return new AppError('CONFLICT', `an experiment named "${name}" already exists`, { field: 'name' });
}

export function notFound(name: string): AppError {
  return new AppError('NOT_FOUND', `no experiment named "${name}"`, { field: 'experiment' });
}

export function stoppedForUsers(exp: Experiment): AppError {
  return new AppError('CONFLICT', `experiment "${exp.name}" is stopped and takes no new users`, { field: 'experiment' });
}

export function checkOutcome(value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw AppError.invalid('value', 'must be a finite number');
}

export function checkRunningForOutcomes(exp: Experiment): void {
  if (exp.status !== 'running') {
    throw new AppError('CONFLICT', `experiment "${exp.name}" is stopped; it takes no new outcomes`, { field: 'experiment' });
  }
}

export function wrongVariant(assigned: string): AppError {
  return AppError.invalid('variant', `must be the user's assigned variant "${assigned}"`);
}

export function buildReport(experiment: Experiment, sums: OutcomeSums[], assigned: Map<string, number>, options: ResultsOptions): ExperimentReport {
  const results = experimentResults({
    outcomes: sums,
    variants: experiment.variants,
    minSampleSize: experiment.min_sample_size,
    ...(options.alpha !== undefined ? { alpha: options.alpha } : {}),
    ...(options.direction !== undefined ? { direction: options.direction } : {}),
  });
  return { experiment, results, assigned };
}
