/**
 * One training run over the store: read the sample of the window, train on
 * it. The read goes through a ModelStore (async) or is handed in already
 * read; training itself is synchronous CPU work. Used on the main thread and
 * inside the training worker alike.
 */
import { trainSuccessModel, type InsufficientData, type TrainedModel, type TrainOptions } from '../analytics/prediction.js';
import type { ModelStore, SampleQuery, TrainingSamples } from '../store/model-types.js';

export interface SampledTraining {
  result: InsufficientData | TrainedModel;
  samplesRead: number;
  /** Invocations in the window. */
  windowTotal: number;
  /** 1 = every invocation of the window was read; k = every k-th. */
  stride: number;
  queryMs: number;
  trainMs: number;
}

/** Trains on a sample read earlier (`queryMs`: how long the read took). */
export function trainOnSamples(read: TrainingSamples, queryMs: number, options: TrainOptions): SampledTraining {
  const t = performance.now();
  const result = trainSuccessModel(read.samples, options);
  return { result, samplesRead: read.samples.length, windowTotal: read.windowTotal, stride: read.stride, queryMs, trainMs: performance.now() - t };
}

/** Reads the window's sample and times the read. */
export async function readSamples(models: Pick<ModelStore, 'trainingSamples'>, query: SampleQuery): Promise<{ read: TrainingSamples; queryMs: number }> {
  const t = performance.now();
  const read = await models.trainingSamples(query);
  return { read, queryMs: performance.now() - t };
}
