/**
 * A/B experiments as the tools use them: the rules every back-end shares
 * (definition and outcome checks, results from per-variant sums) above the
 * stores, which keep only SQL and what must happen in one transaction.
 */
import { experimentResults, validateExperiment, type ExperimentResults } from '../analytics/ab-testing.js';
import { AppError } from '../errors.js';
import type { Assignment, Experiment, ExperimentStore, NewExperiment, RecordedOutcome } from '../store/experiment-types.js';

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

/**
 * Every variant of a new experiment needs some traffic: a winner needs min_sample_size outcomes in
 * every variant, which a variant with a share of 0 never gets. (Stored experiments with a 0 share
 * still assign: validateExperiment itself accepts 0.)
 */
export const ZERO_SHARE_RULE = 'must be > 0 (a variant without traffic never reaches its minimum sample)';

/** Validates a new experiment; returns it with its trimmed name. */
function checkNewExperiment(input: NewExperiment): NewExperiment {
  const name = input.name.trim();
  if (name === '') throw AppError.invalid('name', 'must not be empty');
  validateExperiment({ variants: input.variants, traffic_split: input.trafficSplit });
  const idle = input.trafficSplit.findIndex((w) => w <= 0);
  if (idle >= 0) throw AppError.invalid(`traffic_split.${idle}`, ZERO_SHARE_RULE);
  if (!Number.isInteger(input.minSampleSize) || input.minSampleSize < 2) {
    throw AppError.invalid('min_sample_size', 'must be an integer >= 2');
  }
  if (input.metric.trim() === '') throw AppError.invalid('metric', 'must not be empty');
  return { ...input, name };
}

function checkOutcome(value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw AppError.invalid('value', 'must be a finite number');
}

export class ExperimentService {
  constructor(private readonly store: ExperimentStore) {}

  /** Creates a running experiment. INVALID_INPUT for a bad definition, CONFLICT for a taken name. */
  async create(input: NewExperiment, createdAt: number): Promise<Experiment> {
    return this.store.insert(checkNewExperiment(input), createdAt);
  }

  find(name: string): Promise<Experiment | null> {
    return this.store.find(name);
  }

  /** The experiment named `name`; NOT_FOUND when there is none. */
  async get(name: string): Promise<Experiment> {
    const exp = await this.store.find(name);
    if (!exp) throw new AppError('NOT_FOUND', `no experiment named "${name}"`, { field: 'experiment' });
    return exp;
  }

  list(limit?: number): Promise<Experiment[]> {
    return this.store.list(limit);
  }

  /** The user's stored variant, assigning one on first call. */
  async assign(name: string, userHash: string, at: number): Promise<Assignment> {
    return this.store.assign(await this.get(name), userHash, at);
  }

  /** Records one outcome for the user's variant (assigning the user first when needed); a stopped experiment takes none. */
  async recordOutcome(name: string, userHash: string, value: number, at: number, variant?: string): Promise<RecordedOutcome> {
    checkOutcome(value);
    const exp = await this.get(name);
    if (exp.status !== 'running') {
      throw new AppError('CONFLICT', `experiment "${exp.name}" is stopped; it takes no new outcomes`, { field: 'experiment' });
    }
    return this.store.recordOutcome(exp, userHash, value, at, variant);
  }

  /** The experiment with its Welch t-test results against the control (the first variant). */
  async results(name: string, options: ResultsOptions = {}): Promise<ExperimentReport> {
    const experiment = await this.get(name);
    const [sums, assigned] = await Promise.all([this.store.outcomeSums(experiment.id), this.store.assignmentCounts(experiment.id)]);
    const results = experimentResults({
      outcomes: sums,
      variants: experiment.variants,
      minSampleSize: experiment.min_sample_size,
      ...(options.alpha !== undefined ? { alpha: options.alpha } : {}),
      ...(options.direction !== undefined ? { direction: options.direction } : {}),
    });
    return { experiment, results, assigned };
  }

  /** Stops the experiment: no new users or outcomes; results stay readable. */
  async stop(name: string): Promise<Experiment> {
    const exp = await this.get(name);
    await this.store.stop(exp);
    return { ...exp, status: 'stopped' };
  }
}
