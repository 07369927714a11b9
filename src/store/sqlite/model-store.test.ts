/**
 * ModelStore on every back-end (SqliteModelStore, PgModelStore).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NormalizedInvocation } from '../types.js';
import type { ModelStore } from '../model-types.js';
import { testBackends, type OpenedBackend } from '../../testing/backends.js';

const T0 = Date.UTC(2025, 2, 1);
const MIN = 60_000;

function inv(i: number, skill: string, user: string, completed: boolean, invokedAt: number): NormalizedInvocation {
  return {
    id: `inv-${String(i).padStart(4, '0')}`,
    skillName: skill,
    userHash: user,
    sessionKey: `s-${user}`,
    workflowPhase: 'testing',
    completed,
    durationMs: 100 * i,
    errorType: completed ? null : 'boom',
    invokedAt,
    project: null,
    agent: null,
    metadata: null,
    dedupeKey: null,
  };
}

describe('ModelStore', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let models: ModelStore;

      before(async () => {
        if (backend.skip) return;
        b = await backend.open({ keepModels: 2 });
        models = b.stores.models;
        // Invocation i at T0 + i minutes, i = 0..9.
        await b.store.record(Array.from({ length: 10 }, (_, i) => inv(i, i % 2 ? 'lint' : 'test', i < 5 ? 'alice' : 'bob', i % 3 !== 0, T0 + i * MIN)));
      });
      after(async () => {
        await b?.dispose();
      });

      it('returns the whole window newest first, or every k-th row when it exceeds the limit', async () => {
        const all = await models.trainingSamples({ sinceMs: T0 + 3 * MIN, untilMs: T0 + 8 * MIN, limit: 5 });
        // Window [T0 + 3 min, T0 + 8 min) holds i = 3..7: 5 rows, within the limit.
        assert.equal(all.windowTotal, 5);
        assert.equal(all.stride, 1);
        assert.deepEqual(
          all.samples.map((r) => r.invokedAt),
          [7, 6, 5, 4, 3].map((i) => T0 + i * MIN),
        );
        assert.deepEqual(all.samples[1], {
          skill: 'test',
          user: 'bob',
          workflowPhase: 'testing',
          completed: false, // 6 mod 3 = 0
          durationMs: 600,
          durationKnown: true, // a duration not measured reads false (store-contract.test.ts)
          invokedAt: T0 + 6 * MIN,
        });
        // Limit 3: stride ceil(5 / 3) = 2, so rows whose rowid is even. Invocation i was inserted as rowid i + 1,
        // so i = 3, 5, 7.
        const spread = await models.trainingSamples({ sinceMs: T0 + 3 * MIN, untilMs: T0 + 8 * MIN, limit: 3 });
        assert.equal(spread.stride, 2);
        assert.deepEqual(
          spread.samples.map((r) => r.invokedAt),
          [7, 5, 3].map((i) => T0 + i * MIN),
        );
        assert.equal((await models.trainingSamples({ sinceMs: T0, limit: 100 })).samples.length, 10);
        await assert.rejects(models.trainingSamples({ sinceMs: T0, limit: 0 }), { code: 'INVALID_INPUT' });
      });

      it('saves models, returns the latest and keeps only the newest `keep`', async () => {
        assert.equal(await models.latestId(), null);
        const base = { windowDays: 30, samples: 10, accuracy: 0.9, report: { a: 1 } };
        const id1 = await models.save({ ...base, trainedAt: T0, model: { trees: [1] } });
        const id2 = await models.save({ ...base, trainedAt: T0 + 1, model: { trees: [2] }, accuracy: null });
        assert.ok(id2 > id1);
        assert.equal(await models.latestId(), id2);
        assert.deepEqual(await models.get(id2), {
          id: id2,
          trained_at: T0 + 1,
          window_days: 30,
          samples: 10,
          accuracy: null,
          report: { a: 1 },
          model: { trees: [2] },
        });
        const id3 = await models.save({ ...base, trainedAt: T0 + 2, model: { trees: [3] } });
        // keep = 2: the first model is gone.
        assert.deepEqual(
          (await b.query<{ id: number | string }>('SELECT id FROM prediction_models ORDER BY id DESC')).map((m) => Number(m.id)),
          [id3, id2],
        );
        assert.equal(await models.get(id1), null);
        assert.equal(await models.latestId(), id3);
      });
    });
  }
});
