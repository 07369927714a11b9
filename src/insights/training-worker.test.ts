import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../store/sqlite/store.js';
import type { NormalizedInvocation } from '../tracking/invocation-input.js';
import { TrainingWorker, WorkerFailure } from './training-worker.js';

const T0 = Date.UTC(2025, 0, 6);
const MIN = 60_000;

/** 250 invocations one minute apart: skill A (even i) always succeeds, B always fails. */
function data(): NormalizedInvocation[] {
  return Array.from({ length: 250 }, (_, i) => ({
    id: `inv-${i}`,
    skillName: i % 2 ? 'B' : 'A',
    userHash: `u${i % 5}`,
    sessionKey: 's',
    workflowPhase: 'testing',
    completed: i % 2 === 0,
    durationMs: 100,
    errorType: null,
    invokedAt: T0 + i * MIN,
    project: null,
    agent: null,
    metadata: null,
    dedupeKey: null,
  }));
}

describe('TrainingWorker', () => {
  let dir: string;
  let store: SqliteStore;
  const all = { sinceMs: T0, limit: 50_000 };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-tw-'));
    store = new SqliteStore(path.join(dir, 'db.sqlite'));
    await store.record(data());
  });
  after(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the sample itself, reuses one worker for consecutive requests and stops it when idle', async () => {
    const worker = new TrainingWorker(200);
    try {
      const a = await worker.train({ dbFile: store.file }, all, { nEstimators: 3, maxDepth: 3 });
      assert.equal(a.result.status, 'trained');
      assert.deepEqual([a.samplesRead, a.windowTotal, a.stride], [250, 250, 1]);
      // The first 10 minutes hold 10 invocations, fewer than the default minimum of 200.
      const b = await worker.train({ dbFile: store.file }, { ...all, untilMs: T0 + 10 * MIN }, {});
      assert.deepEqual(b.result, {
        status: 'insufficient_data',
        reason: 'need at least 200 samples, have 10',
        withheld_reason: 'need at least 200 samples',
        samples: 10,
        users: 5, // u0..u4
      });
      // Limit 100: stride ceil(250 / 100) = 3; rowids 1..250, multiples of 3: 83 rows.
      const c = await worker.train({ dbFile: store.file }, { ...all, limit: 100 }, {});
      assert.deepEqual([c.samplesRead, c.windowTotal, c.stride], [83, 250, 3]);
      assert.equal(worker.starts, 1);
      await sleep(400); // past the 200 ms idle limit
      assert.equal((await worker.train({ dbFile: store.file }, all, { nEstimators: 1 })).result.status, 'trained');
      assert.equal(worker.starts, 2);
      // Errors thrown by training come back as AppErrors.
      await assert.rejects(worker.train({ dbFile: store.file }, all, { nEstimators: 0 }), {
        code: 'INVALID_INPUT',
        details: { field: 'n_estimators', rule: 'must be an integer in [1, 500]' },
      });
    } finally {
      await worker.close();
    }
    await assert.rejects(worker.train({ dbFile: store.file }, all, {}), { code: 'INTERNAL' });
  });

  it('reports a worker that cannot start as a WorkerFailure', async () => {
    const worker = new TrainingWorker(1000, new URL('./no-such-worker.ts', import.meta.url));
    try {
      await assert.rejects(worker.train({ dbFile: store.file }, all, {}), WorkerFailure);
    } finally {
      await worker.close();
    }
  });
});
