/**
 * Trained success-prediction models (prediction_models) and the query that
 * feeds training: the interface every back-end implements.
 *
 * `trainingSamples` is the one place that reads raw invocation rows for
 * analytics: training is an explicit, occasional operation, and the read is
 * bounded by a time window (indexed on invoked_at) and a row cap. When the
 * window holds more rows than the cap, every k-th row (by rowid_) is taken so
 * that the sample spans the whole window: with only the most recent rows, a
 * busy installation would train on its last hours whatever window was asked
 * for (and a burst of one kind of invocation could fill the whole sample).
 */
import type { InvocationSample } from '../analytics/types.js';
import { AppError } from '../errors.js';

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
  /** 1 when every invocation of the window was read, else k: only rows whose rowid_ is a multiple of k. */
  stride: number;
}

/** Largest `limit` a training-sample query accepts. */
const MAX_TRAINING_SAMPLES = 500_000;
/** Models kept by default; older ones are deleted when a new one is saved. */
export const DEFAULT_KEEP_MODELS = 5;

export interface ModelStore {
  /** Stores a model (deleting all but the newest `keep`) and resolves to its id (ids increase: the largest is the latest). */
  save(model: NewModel): Promise<number>;
  /** Id of the latest model, or null; cheap enough to call per prediction. */
  latestId(): Promise<number | null>;
  get(id: number): Promise<StoredModel | null>;
  /**
   * Raw invocations of the window, most recent first: all of them when they
   * fit `limit`, else every k-th row by rowid_ with k = ceil(total / limit)
   * (still at most `limit`).
   */
  trainingSamples(query: SampleQuery): Promise<TrainingSamples>;
}

export function checkKeep(keep: number): void {
  if (!Number.isInteger(keep) || keep < 1) throw AppError.invalid('keep', 'must be an integer >= 1');
}

export function checkSampleLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TRAINING_SAMPLES) {
    throw AppError.invalid('limit', `must be an integer in [1, ${MAX_TRAINING_SAMPLES}]`);
  }
}

/** Sample rows as both back-ends return them (completed and durationKnown as 0/1). */
export type SampleRow = Omit<InvocationSample, 'completed' | 'durationKnown'> & { completed: number; durationKnown: number };

export function toSample(r: SampleRow): InvocationSample {
  return {
    skill: r.skill,
    user: r.user,
    workflowPhase: r.workflowPhase,
    completed: r.completed === 1,
    durationMs: r.durationMs,
    // An unmeasured duration (stored as 0 ms) is no duration: the feature imputes it (analytics/prediction.ts).
    durationKnown: r.durationKnown === 1,
    invokedAt: r.invokedAt,
  };
}
