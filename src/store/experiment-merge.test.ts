/**
 * ExperimentStore.merge (what `merge-data` does with another store's A/B experiments) on every
 * back-end: an experiment is matched by name, assignments by user, outcomes by user, variant,
 * value and time, so merging twice adds nothing; a name taken by a different experiment, or a
 * user assigned another variant here, is not merged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExperimentCopy } from './experiment-types.js';
import { testBackends } from '../testing/backends.js';

const copy: ExperimentCopy = {
  experiment: {
    name: 'prompt-style',
    description: 'from the old folder',
    variants: ['a', 'b'],
    traffic_split: [0.5, 0.5],
    metric: 'success_rate',
    min_sample_size: 10,
    status: 'stopped',
    created_at: 1_000,
  },
  assignments: [
    { user_hash: 'u1', variant: 'a', assigned_at: 2_000 },
    { user_hash: 'u2', variant: 'b', assigned_at: 2_001 },
  ],
  outcomes: [
    { user_hash: 'u1', variant: 'a', value: 1, recorded_at: 3_000 },
    { user_hash: 'u1', variant: 'a', value: 1, recorded_at: 3_000 },
    { user_hash: 'u2', variant: 'b', value: 0.25, recorded_at: 3_001 },
  ],
};

describe('experiment store merge', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, () => {
      it('copies a new experiment with its rows, and adds nothing the second time', { skip: backend.skip ?? false }, async () => {
        const { stores, dispose } = await backend.open();
        try {
          const s = stores.experiments;
          assert.deepEqual(await s.merge(copy), {
            experiment: 'inserted',
            assignments: { inserted: 2, duplicates: 0, conflicts: 0 },
            outcomes: { inserted: 3, duplicates: 0, conflicts: 0 },
          });
          const exp = (await s.find('prompt-style'))!;
          assert.deepEqual({ ...exp, id: 0 }, { ...copy.experiment, id: 0 });
          assert.deepEqual(await s.outcomeSums(exp.id), [
            { variant: 'a', n: 2, sum: 2, sumSq: 2 },
            { variant: 'b', n: 1, sum: 0.25, sumSq: 0.0625 },
          ]);
          assert.deepEqual(await s.merge(copy), {
            experiment: 'present',
            assignments: { inserted: 0, duplicates: 2, conflicts: 0 },
            outcomes: { inserted: 0, duplicates: 3, conflicts: 0 },
          });
          assert.deepEqual([...(await s.assignmentCounts(exp.id))].sort(), [
            ['a', 1],
            ['b', 1],
          ]);
          assert.equal(
            (await s.outcomeSums(exp.id)).reduce((n, v) => n + Number(v.n), 0),
            3,
          );
        } finally {
          await dispose();
        }
      });

      it('adds only the missing rows to the same experiment, and nothing to a different one of the same name', { skip: backend.skip ?? false }, async () => {
        const { stores, dispose } = await backend.open();
        try {
          const s = stores.experiments;
          // Here already: u1 with one of the copy's two equal outcomes, u2 assigned the other variant.
          const first = await s.merge({
            experiment: { ...copy.experiment, status: 'running', description: 'here' },
            assignments: [
              { user_hash: 'u1', variant: 'a', assigned_at: 2_000 },
              { user_hash: 'u2', variant: 'a', assigned_at: 2_000 },
            ],
            outcomes: [{ user_hash: 'u1', variant: 'a', value: 1, recorded_at: 3_000 }],
          });
          assert.equal(first.experiment, 'inserted');
          assert.deepEqual(await s.merge(copy), {
            experiment: 'present',
            assignments: { inserted: 0, duplicates: 1, conflicts: 1 },
            outcomes: { inserted: 1, duplicates: 1, conflicts: 1 },
          });
          // Kept: this store's status and description; u2's outcome for b is not counted for a.
          const exp = (await s.find('prompt-style'))!;
          assert.deepEqual([exp.status, exp.description], ['running', 'here']);
          assert.deepEqual(await s.outcomeSums(exp.id), [{ variant: 'a', n: 2, sum: 2, sumSq: 2 }]);

          await s.insert({ name: 'taken', variants: ['p', 'q'], trafficSplit: [0.5, 0.5], metric: 'success_rate', minSampleSize: 5 }, 600);
          const taken = await s.merge({ ...copy, experiment: { ...copy.experiment, name: 'taken' } });
          assert.deepEqual(taken, {
            experiment: 'conflict',
            assignments: { inserted: 0, duplicates: 0, conflicts: 2 },
            outcomes: { inserted: 0, duplicates: 0, conflicts: 3 },
          });
          const t = (await s.find('taken'))!;
          assert.deepEqual(await s.outcomeSums(t.id), []);
        } finally {
          await dispose();
        }
      });
    });
  }
});
