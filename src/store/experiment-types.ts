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
  /** Merges an experiment of another store into this one (`merge-data`), in one transaction; see MergedExperiment. */
  merge(copy: ExperimentCopy): Promise<MergedExperiment>;
}

/** An experiment of another store, with its assignments and outcomes as stored there (user hashes as they are). */
export interface ExperimentCopy {
  experiment: Omit<Experiment, 'id'>;
  assignments: Array<{ user_hash: string; variant: string; assigned_at: number }>;
  outcomes: Array<{ user_hash: string; variant: string; value: number; recorded_at: number }>;
}

/**
 * What merging an experiment did. The experiment is matched by name: `inserted` when this store has
 * none of that name (it is copied with its status and time), `present` when it has the same one
 * (same variants, traffic split and metric; its own status and description are kept), `conflict`
 * when the name is taken by a different experiment (nothing is merged). Assignments are matched by
 * user: one whose user is assigned another variant here is not merged (`conflicts`), nor are that
 * user's outcomes for the other variant (an outcome counts for the user's assigned variant). An
 * outcome is present when this store holds as many outcomes with the same user, variant, value
 * and time as the copy does, so merging twice adds nothing and a backup merged back adds nothing.
 */
export interface MergedExperiment {
  experiment: 'inserted' | 'present' | 'conflict';
  assignments: MergedCounts;
  outcomes: MergedCounts;
}

interface MergedCounts {
  inserted: number;
  duplicates: number;
  conflicts: number;
}

/** Whether two experiments of one name are the same one (what assignment and results depend on). */
export function sameDefinition(
  a: Pick<Experiment, 'variants' | 'traffic_split' | 'metric'>,
  b: Pick<Experiment, 'variants' | 'traffic_split' | 'metric'>,
): boolean {
  return (
    JSON.stringify(a.variants) === JSON.stringify(b.variants) && JSON.stringify(a.traffic_split) === JSON.stringify(b.traffic_split) && a.metric === b.metric
  );
}

type Outcome = ExperimentCopy['outcomes'][number];

const outcomeKey = (o: Outcome) => JSON.stringify([o.user_hash, o.variant, o.value, o.recorded_at]);

/**
 * The rows of a copy to insert into a store that holds `existing` assignments (user → variant) and
 * `stored` outcomes of the same experiment, with the counts (see MergedExperiment). `existing` must
 * cover the users of the copy's assignments and outcomes.
 */
export function mergePlan(
  copy: ExperimentCopy,
  existing: ReadonlyMap<string, string>,
  stored: readonly Outcome[],
): { assignments: ExperimentCopy['assignments']; outcomes: Outcome[]; counts: Omit<MergedExperiment, 'experiment'> } {
  const assignments: ExperimentCopy['assignments'] = [];
  const a: MergedCounts = { inserted: 0, duplicates: 0, conflicts: 0 };
  const variantOf = new Map(existing);
  for (const row of copy.assignments) {
    const here = variantOf.get(row.user_hash);
    if (here === undefined) {
      assignments.push(row);
      variantOf.set(row.user_hash, row.variant);
      a.inserted++;
    } else if (here === row.variant) a.duplicates++;
    else a.conflicts++;
  }
  const have = new Map<string, number>();
  for (const o of stored) have.set(outcomeKey(o), (have.get(outcomeKey(o)) ?? 0) + 1);
  const outcomes: Outcome[] = [];
  const o: MergedCounts = { inserted: 0, duplicates: 0, conflicts: 0 };
  for (const row of copy.outcomes) {
    const key = outcomeKey(row);
    const n = have.get(key) ?? 0;
    if (n > 0) {
      have.set(key, n - 1);
      o.duplicates++;
    } else if ((variantOf.get(row.user_hash) ?? row.variant) !== row.variant) o.conflicts++;
    else {
      outcomes.push(row);
      o.inserted++;
    }
  }
  return { assignments, outcomes, counts: { assignments: a, outcomes: o } };
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
