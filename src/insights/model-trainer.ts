/**
 * Trains and stores success-prediction models.
 *
 * In a worker thread (so that the event loop keeps serving other clients), it
 * reads the invocations of the window through a read-only connection to the
 * SQLite file (at most `sampleLimit`, spread over the window: see
 * ModelStore.trainingSamples; ~0.3 s at 1M invocations) and trains a random
 * forest on them (~0.5-1 s at the default caps); back on the main thread the
 * model is stored with its report. A networked store (PostgreSQL) has no file
 * to open: the main thread reads the sample through `models` (asynchronous
 * I/O, the event loop stays free) and hands it to the worker to train.
 * Runs are serialised: a second request waits for the first. When the worker
 * cannot be started or dies, the run falls back to the main thread.
 */
import type { InsufficientData, TrainedModel, TrainOptions } from '../analytics/prediction.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ModelStore, SampleQuery } from '../store/model-types.js';
import { readSamples, trainOnSamples, type SampledTraining } from './sample-and-train.js';
import { TrainingWorker, WorkerFailure, type TrainingSource } from './training-worker.js';

export const DAY_MS = 86_400_000;
/** Default cap on invocations read for one training run (the forest trains on at most 20,000 of them). */
const DEFAULT_SAMPLE_LIMIT = 50_000;

export type TrainingRunner = 'worker' | 'main-thread';

type TrainingResult = InsufficientData | TrainedModel;

/**
 * What a stored model's report holds: the training result without the model itself. `users` is
 * absent from a model saved before the count was kept (unknown: see acrossUsersWithheld).
 */
export type ModelReport = Omit<TrainedModel, 'model' | 'users'> & { users?: number };

export interface TrainingRun {
  /** Id of the stored model; null when nothing was trained. */
  model_id: number | null;
  result: TrainingResult;
  window: { from: number; to: number; days: number };
  samples_read: number;
  /** Invocations in the window. */
  window_total: number;
  sample_limit: number;
  /** The window held more than `sample_limit` invocations: every `stride`-th was read. */
  capped: boolean;
  stride: number;
  ran_in: TrainingRunner;
  timings_ms: { query: number; train: number };
}

export interface ModelTrainerOptions {
  models: ModelStore;
  logger: Logger;
  /**
   * The SQLite file `models` reads from; the worker opens its own read-only
   * connection to it. Without it the sample is read through `models` on the
   * main thread and only the training runs in the worker.
   */
  dbFile?: string;
  /** Where training runs; default 'worker'. */
  runner?: TrainingRunner;
  sampleLimit?: number;
  trainOptions?: TrainOptions;
  /** The worker to train in (default: a TrainingWorker stopped after 60 s idle). */
  worker?: TrainingWorker;
}

/**
 * Whether the held-out accuracy beats always predicting the majority outcome
 * by more than noise: by more than two standard errors of the baseline
 * proportion, 2·√(b(1 − b)/n) over the n held-out invocations.
 */
export function beatsBaseline(report: Pick<ModelReport, 'holdout_accuracy' | 'baseline_accuracy' | 'holdout_size'>): boolean {
  const b = report.baseline_accuracy;
  const margin = 2 * Math.sqrt((b * (1 - b)) / Math.max(1, report.holdout_size));
  return report.holdout_accuracy > b + margin;
}

/**
 * Whether a model's figures across users (held-out and baseline accuracy, success rate, feature
 * importance) are withheld from a caller, and the caveat saying why (null when shown without
 * one). They describe every user of the training sample, so a caller bound to one user (a
 * per-user token) sees them only when the sample held at least k distinct users (`k`, config
 * `communityMinUsers`); an admin sees them always. A model saved before the count was kept
 * (`users` undefined) is treated as below k for such a caller, and the caveat says the count is
 * unknown to anyone.
 */
export function acrossUsersWithheld(users: number | undefined, k: number, role: 'admin' | 'user'): { withheld: boolean; caveat: string | null } {
  const figures = "the model's figures across users (held-out and baseline accuracy, success rate, feature importance) are withheld";
  const why = `so they may describe fewer than ${k} people`;
  if (users === undefined) {
    const unknown = 'the number of users in its training sample is unknown (the model was saved before it was counted; train again to count them)';
    return role === 'admin' ? { withheld: false, caveat: unknown } : { withheld: true, caveat: `${figures}: ${unknown}, ${why}` };
  }
  if (role === 'admin' || users >= k) return { withheld: false, caveat: null };
  return { withheld: true, caveat: `${figures}: its training sample held fewer than ${k} users, ${why}` };
}

export class ModelTrainer {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly worker: TrainingWorker;
  private disposed = false;

  constructor(private readonly opts: ModelTrainerOptions) {
    this.worker = opts.worker ?? new TrainingWorker();
  }

  /** Trains on the `days` days before `now` and stores the model when one could be trained. */
  train(days: number, now: number): Promise<TrainingRun> {
    if (!Number.isInteger(days) || days < 1) throw AppError.invalid('days', 'must be an integer >= 1');
    const run = this.queue.then(() => this.run(days, now));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the worker; a running and later runs fail. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.worker.close();
  }

  private async run(days: number, now: number): Promise<TrainingRun> {
    if (this.disposed) throw new AppError('INTERNAL', 'the model trainer was shut down');
    const limit = this.opts.sampleLimit ?? DEFAULT_SAMPLE_LIMIT;
    const from = now - days * DAY_MS;
    const { run, ranIn } = await this.sampleAndTrain({ sinceMs: from, untilMs: now + 1, limit });
    const { result } = run;
    let modelId: number | null = null;
    if (result.status === 'trained') {
      const { model, ...report } = result;
      modelId = await this.opts.models.save({
        trainedAt: now,
        windowDays: days,
        samples: result.samples,
        accuracy: result.holdout_accuracy,
        report: report satisfies ModelReport,
        model,
      });
    }
    const timings = { query: Math.round(run.queryMs), train: Math.round(run.trainMs) };
    this.opts.logger.info('success model training finished', {
      status: result.status,
      model_id: modelId,
      samples: run.samplesRead,
      window_total: run.windowTotal,
      ran_in: ranIn,
      query_ms: timings.query,
      train_ms: timings.train,
    });
    return {
      model_id: modelId,
      result,
      window: { from, to: now, days },
      samples_read: run.samplesRead,
      window_total: run.windowTotal,
      sample_limit: limit,
      capped: run.stride > 1,
      stride: run.stride,
      ran_in: ranIn,
      timings_ms: timings,
    };
  }

  private async sampleAndTrain(query: SampleQuery): Promise<{ run: SampledTraining; ranIn: TrainingRunner }> {
    const options = this.opts.trainOptions ?? {};
    const { dbFile } = this.opts;
    let source: TrainingSource | null = null;
    if (dbFile !== undefined && dbFile !== ':memory:') source = { dbFile };
    if ((this.opts.runner ?? 'worker') === 'worker') {
      if (source === null) {
        const { read, queryMs } = await readSamples(this.opts.models, query);
        source = { samples: read, queryMs };
      }
      try {
        return { run: await this.worker.train(source, query, options), ranIn: 'worker' };
      } catch (err) {
        if (!(err instanceof WorkerFailure) || this.disposed) throw err;
        this.opts.logger.warn('training worker failed; training on the main thread', { err: err.message });
      }
    }
    if (source !== null && 'samples' in source) return { run: trainOnSamples(source.samples, source.queryMs, options), ranIn: 'main-thread' };
    const { read, queryMs } = await readSamples(this.opts.models, query);
    return { run: trainOnSamples(read, queryMs, options), ranIn: 'main-thread' };
  }
}
