import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../logger.js';
import type { ModelStore } from '../store/model-types.js';
import { testBackends, type OpenedBackend } from '../testing/backends.js';
import type { NormalizedInvocation } from '../tracking/invocation-input.js';
import { beatsBaseline, DAY_MS, ModelTrainer } from './model-trainer.js';
import { TrainingWorker } from './training-worker.js';

const NOW = Date.UTC(2025, 5, 10, 12, 0, 0);
const SKILLS = ['build', 'lint', 'deploy'];

/** 300 invocations, one every 10 minutes before NOW; deploy (every third) always fails. */
function data(): NormalizedInvocation[] {
  return Array.from({ length: 300 }, (_, i) => ({
    id: `inv-${i}`,
    skillName: SKILLS[i % 3]!,
    userHash: `user-${i % 7}`,
    sessionKey: `s-${i % 20}`,
    workflowPhase: i % 2 ? 'testing' : 'implementation',
    completed: i % 3 !== 2,
    durationMs: 50 + (i % 11) * 100,
    errorType: null,
    invokedAt: NOW - (300 - i) * 600_000,
    project: null,
    agent: null,
    metadata: null,
    dedupeKey: null,
  }));
}

describe('ModelTrainer', async () => {
  for (const backend of await testBackends()) {
    // SQLite: the worker reads the sample from the file itself; PostgreSQL: the main thread reads it and the worker trains.
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let models: ModelStore;
      let dbFile: { dbFile?: string } = {};
      const logger = createLogger('silent');
      const trainOptions = { nEstimators: 5, maxDepth: 4 };

      before(async () => {
        if (backend.skip) return;
        b = await backend.open();
        models = b.stores.models;
        dbFile = b.stores.trainingDbFile ? { dbFile: b.stores.trainingDbFile } : {};
        await b.store.record(data());
      });
      after(async () => {
        await b?.dispose();
      });

      it('trains in a worker thread and gets the same model as on the main thread', async () => {
        const worker = new ModelTrainer({ models, logger, trainOptions, ...dbFile });
        const inline = new ModelTrainer({ models, logger, trainOptions, runner: 'main-thread' });
        try {
          const a = await worker.train(30, NOW);
          const b = await inline.train(30, NOW);
          assert.equal(a.ran_in, 'worker');
          assert.equal(b.ran_in, 'main-thread');
          assert.equal(a.result.status, 'trained');
          assert.equal(b.result.status, 'trained');
          if (a.result.status !== 'trained' || b.result.status !== 'trained') return;
          assert.deepEqual(a.result.model, b.result.model);
          // 300 samples (all within 30 days: the oldest is 3,000 minutes ≈ 2.1 days back); holdout floor(300 · 0.2) = 60.
          assert.equal(a.samples_read, 300);
          assert.equal(a.window_total, 300);
          assert.equal(a.capped, false);
          assert.equal(a.stride, 1);
          assert.equal(a.result.holdout_size, 60);
          assert.deepEqual(a.window, { from: NOW - 30 * DAY_MS, to: NOW, days: 30 });
          // Both runs were stored; the latest is the second, with the report but not the model in `report`.
          assert.ok(a.model_id !== null && b.model_id !== null && b.model_id > a.model_id);
          const stored = (await models.get((await models.latestId())!))!;
          assert.equal(stored.id, b.model_id);
          assert.equal(stored.samples, 300);
          assert.equal(stored.accuracy, b.result.holdout_accuracy);
          assert.deepEqual(stored.model, JSON.parse(JSON.stringify(b.result.model)));
          assert.equal((stored.report as Record<string, unknown>).model, undefined);
        } finally {
          await worker.dispose();
          await inline.dispose();
        }
      });

      it('falls back to the main thread when the worker cannot run', async () => {
        const broken = new TrainingWorker(1000, new URL('./no-such-worker.ts', import.meta.url));
        const trainer = new ModelTrainer({ models, logger, trainOptions, worker: broken, ...dbFile });
        try {
          const run = await trainer.train(30, NOW);
          assert.equal(run.ran_in, 'main-thread');
          assert.equal(run.result.status, 'trained');
        } finally {
          await trainer.dispose();
        }
      });

      it('reports insufficient data and stores nothing', async () => {
        const trainer = new ModelTrainer({ models, logger, trainOptions, runner: 'main-thread' });
        const before = await models.latestId();
        // The last day holds the invocations 10 to 1,440 minutes back: (300 − i) · 10 <= 1440, i = 156..299, 144 of them.
        const run = await trainer.train(1, NOW);
        assert.equal(run.result.status, 'insufficient_data');
        assert.equal(run.samples_read, 144);
        assert.equal(run.result.status === 'insufficient_data' && run.result.reason, 'need at least 200 samples, have 144');
        assert.equal(run.model_id, null);
        assert.equal(await models.latestId(), before);
        assert.throws(() => trainer.train(0, NOW), { code: 'INVALID_INPUT' });
      });

      it('counts a model as better than the baseline only beyond two standard errors', () => {
        // b = 0.9, n = 100: margin 2 · √(0.9 · 0.1 / 100) = 2 · 0.03 = 0.06.
        assert.equal(beatsBaseline({ baseline_accuracy: 0.9, holdout_accuracy: 0.97, holdout_size: 100 }), true);
        assert.equal(beatsBaseline({ baseline_accuracy: 0.9, holdout_accuracy: 0.95, holdout_size: 100 }), false);
        // A constant holdout (b = 1) cannot be beaten.
        assert.equal(beatsBaseline({ baseline_accuracy: 1, holdout_accuracy: 1, holdout_size: 50 }), false);
      });
    });
  }
});
