/**
 * The latest stored success model, deserialised once and kept in memory
 * keyed by model id. Each lookup costs one indexed `max(id)` query, so a model
 * trained by another process (or another instance on a shared store) is
 * picked up on the next prediction.
 */
import { createSuccessPredictor, type PredictionInput, type PredictionResult, type SuccessModelJson } from '../analytics/prediction.js';
import { AppError } from '../errors.js';
import type { ModelStore } from '../store/model-types.js';
import type { ModelReport } from './model-trainer.js';

export interface LoadedModel {
  id: number;
  trained_at: number;
  window_days: number;
  report: ModelReport;
  predict: (input: PredictionInput) => PredictionResult;
}

export class PredictorCache {
  private cached: LoadedModel | null = null;

  constructor(private readonly models: ModelStore) {}

  /** The latest model, or null when none was trained. Throws NOT_FOUND for a model this version cannot read. */
  async current(): Promise<LoadedModel | null> {
    const id = await this.models.latestId();
    if (id === null) return null;
    if (this.cached?.id === id) return this.cached;
    const stored = await this.models.get(id);
    if (!stored) return null; // pruned between the two queries
    const report = stored.report as ModelReport;
    let predict: LoadedModel['predict'];
    try {
      predict = createSuccessPredictor(stored.model as SuccessModelJson, report.encodings);
    } catch (err) {
      throw new AppError('NOT_FOUND', `stored model ${id} cannot be read by this version; train again with train_success_model`, {}, { cause: err });
    }
    this.cached = { id, trained_at: stored.trained_at, window_days: stored.window_days, report, predict };
    return this.cached;
  }
}
