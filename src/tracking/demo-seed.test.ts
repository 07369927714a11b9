/**
 * seed-demo's run on every back-end: a batch's invocations and its cost rows
 * are one transaction, so a failure between the two writes (here a cost row
 * the store rejects, after the batch's invocations were written) leaves no
 * invocation of that batch without its costs; a run stopped (Ctrl-C) ends
 * after whole batches; a run again with the same seed writes the rest, once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shippedPriceTable } from '../capture/model-price-file.js';
import type { AttributedUsage } from '../store/skill-cost-types.js';
import { type OpenedBackend, testBackends, testHash, testTracker } from '../testing/backends.js';
import { createDemoCostGenerator } from './demo-data.js';
import { seedDemo } from './demo-seed.js';
import type { InvocationInput } from './invocation-input.js';

const N = 6000;
const BATCH = 2000;
const SEED = 7;

/** Per session: its Skill invocations, and the invocations its cost rows name under each rule (they must match). */
async function perSession(q: OpenedBackend['query']) {
  const skills = await q<{ k: string; n: number | string }>(`SELECT se.session_key AS k, count(*) AS n FROM skill_invocations i
    JOIN skills s ON s.id = i.skill_id JOIN sessions se ON se.id = i.session_id WHERE s.name LIKE 'skill:%' GROUP BY se.session_key`);
  const costs = await q<{ k: string; a: string; n: number | string }>(
    'SELECT session_key AS k, attribution AS a, count(*) AS n FROM skill_cost_invocations GROUP BY session_key, attribution',
  );
  const invocations = Number((await q<{ n: number | string }>('SELECT count(*) AS n FROM skill_invocations'))[0]!.n);
  const map = (rows: { k: string; n: number | string }[]) => Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]).sort());
  return {
    invocations,
    skill: map(skills),
    bounded: map(costs.filter((r) => r.a === 'bounded')),
    stamped: map(costs.filter((r) => r.a === 'stamped')),
  };
}

function assertConsistent(label: string, s: Awaited<ReturnType<typeof perSession>>): void {
  assert.ok(Object.keys(s.skill).length > 0, `${label}: no Skill invocation stored`);
  assert.deepEqual(s.bounded, s.skill, `${label}: Skill invocations without their (bounded) costs`);
  assert.deepEqual(s.stamped, s.skill, `${label}: Skill invocations without their (stamped) costs`);
}

const costGenerator = () => createDemoCostGenerator(SEED, { prices: shippedPriceTable(), hashUser: testHash });
const opts = { invocations: N, seed: SEED, days: 7, now: Date.UTC(2026, 10, 30, 10, 30) };

describe('seed-demo run', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, () => {
      it('leaves no invocation without its costs when the cost write fails, and a run again completes it once', { skip: backend.skip ?? false }, async () => {
        const opened = await backend.open();
        try {
          const { tracker } = testTracker(opened.store, () => opts.now);
          const costs = costGenerator();
          let batchNo = 0;
          let failingBatchSkills = 0;
          const failing = (batch: readonly InvocationInput[]): AttributedUsage[] => {
            const rows = costs(batch);
            if (++batchNo !== 2) return rows;
            failingBatchSkills = batch.filter((r) => r.skill_name.startsWith('skill:')).length;
            // Rejected by the store once the batch's invocations are written: the failure between the two writes.
            return [...rows, { ...rows[0]!, key: 'bad', inputTokens: -1 }];
          };
          await assert.rejects(seedDemo({ tracker, costsOf: failing }, opts, { batchSize: BATCH }), /inputTokens/);
          assert.ok(failingBatchSkills > 0, 'the failing batch has Skill invocations');
          const after = await perSession(opened.query);
          assertConsistent('after the failure', after);
          assert.equal(after.invocations, BATCH, 'the first batch only');

          const again = await seedDemo({ tracker, costsOf: costGenerator() }, opts, { batchSize: BATCH });
          assert.deepEqual(again, { done: N, inserted: N - BATCH, stopped: false });
          const full = await perSession(opened.query);
          assert.equal(full.invocations, N);
          assertConsistent('after the run again', full);
          // Once more: nothing new, and no second set of costs.
          assert.deepEqual(await seedDemo({ tracker, costsOf: costGenerator() }, opts, { batchSize: BATCH }), { done: N, inserted: 0, stopped: false });
          assert.deepEqual(await perSession(opened.query), full);
        } finally {
          await opened.dispose();
        }
      });

      it('stops after whole batches when asked (Ctrl-C), each with its costs', { skip: backend.skip ?? false }, async () => {
        const opened = await backend.open();
        try {
          const { tracker } = testTracker(opened.store, () => opts.now);
          // Asked as a signal's listener asks: from a callback of the event loop (after the second batch),
          // which runs only if the run gives the loop a turn between batches (a SQLite write resolves without one).
          let stop = false;
          const run = await seedDemo({ tracker, costsOf: costGenerator() }, opts, {
            batchSize: BATCH,
            onBatch: (done) => {
              if (done === 2 * BATCH) setImmediate(() => (stop = true));
            },
            stopRequested: () => stop,
          });
          assert.deepEqual(run, { done: 2 * BATCH, inserted: 2 * BATCH, stopped: true });
          const s = await perSession(opened.query);
          assert.equal(s.invocations, 2 * BATCH);
          assertConsistent('after the stop', s);
        } finally {
          await opened.dispose();
        }
      });
    });
  }
});
