import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrainedModel } from '../analytics/prediction.js';
import type { TrainingRun } from './model-trainer.js';
import { ordinal, summarizeTraining } from './training-summary.js';

describe('ordinal', () => {
  it('gives the English suffix, with 11th to 13th in every hundred', () => {
    const cases: [number, string][] = [
      [1, '1st'],
      [2, '2nd'],
      [3, '3rd'],
      [4, '4th'],
      [10, '10th'],
      [11, '11th'],
      [12, '12th'],
      [13, '13th'],
      [21, '21st'],
      [22, '22nd'],
      [23, '23rd'],
      [100, '100th'],
      [101, '101st'],
      [111, '111th'],
      [112, '112th'],
      [1002, '1002nd'],
    ];
    assert.deepEqual(
      cases.map(([n]) => ordinal(n)),
      cases.map(([, s]) => s),
    );
  });
});

describe('summarizeTraining', () => {
  const result = {
    status: 'trained',
    samples: 50_000,
    users: 10,
    train_size: 20_000,
    train_candidates: 40_000,
    holdout_size: 10_000,
    holdout_method: 'time-based',
    holdout_start_at: 0,
    holdout_accuracy: 0.95,
    baseline_accuracy: 0.9,
    feature_importance: [{ feature: 'skill', importance: 1 }],
    class_balance: { successes: 45_000, failures: 5_000, success_rate: 0.9 },
    params: { seed: 42, n_estimators: 50, max_depth: 10, min_samples_leaf: 5, max_train_samples: 20_000 },
    encodings: { feature_names: [], skills: [], phases: [], default_duration_bucket: 0, rate_prior: '' },
    model: { format: 'success-random-forest/v2', forest: null },
  } satisfies TrainedModel;
  const ADMIN = { communityMinUsers: 5, role: 'admin' as const };
  const run = (stride: number): TrainingRun => ({
    model_id: 1,
    result,
    window: { from: 0, to: 30 * 86_400_000, days: 30 },
    samples_read: 50_000,
    window_total: 50_000 * stride,
    sample_limit: 50_000,
    capped: stride > 1,
    stride,
    ran_in: 'main-thread',
    timings_ms: { query: 1, train: 2 },
  });

  it('names the sampling stride with an English ordinal', () => {
    assert.match(summarizeTraining(ADMIN, run(2), 30).text, /\(every 2nd of 100000\)/);
    assert.match(summarizeTraining(ADMIN, run(3), 30).text, /\(every 3rd of 150000\)/);
    assert.match(summarizeTraining(ADMIN, run(11), 30).text, /\(every 11th of 550000\)/);
    assert.match(summarizeTraining(ADMIN, run(21), 30).text, /\(every 21st of 1050000\)/);
    assert.doesNotMatch(summarizeTraining(ADMIN, run(1), 30).text, /every/);
  });
});
