/**
 * One training run over the store: read the sample of the window, train on
 * it. Used on the main thread and inside the training worker alike.
 */
import { trainSuccessModel, type InsufficientData, type TrainedModel, type TrainOptions } from '../analytics/prediction.js';
import type { ModelStore, SampleQuery } from '../store/sqlite/model-store.js';

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

export function sampleAndTrain(models: ModelStore, query: SampleQuery, options: TrainOptions): SampledTraining {
  let t = performance.now();
  const { samples, windowTotal, stride } = models.trainingSamples(query);
  const queryMs = performance.now() - t;
  t = performance.now();
  const result = trainSuccessModel(samples, options);
  return { result, samplesRead: samples.length, windowTotal, stride, queryMs, trainMs: performance.now() - t };
}
