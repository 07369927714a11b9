/**
 * SkillCostStore on every back-end: duplicates skipped (within and across
 * batches), rollup totals per skill and rule, filters by hour, user and skill,
 * unpriced calls counted apart, per-invocation figures, bad rows rejected whole.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttributedUsage } from './skill-cost-types.js';
import { testBackends } from '../testing/backends.js';

const H = 480_000; // an epoch hour
const at = (hour: number, min = 0) => hour * 3_600_000 + min * 60_000;

function call(key: string, over: Partial<AttributedUsage> = {}): AttributedUsage {
  return {
    key,
    skill: 'skill:review',
    attribution: 'bounded',
    userHash: 'u1',
    sessionKey: 's1',
    model: 'claude-sonnet-4-5',
    at: at(H),
    inputTokens: 10,
    outputTokens: 20,
    cacheWriteTokens: 30,
    cacheReadTokens: 40,
    costUsd: 0.5,
    invocationId: 'toolu_1',
    ...over,
  };
}

describe('skill cost store', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, () => {
      it('records calls once, sums them per skill and rule from the rollup', { skip: backend.skip ?? false }, async () => {
        const { stores, dispose, query } = await backend.open();
        try {
          const s = stores.skillCosts;
          assert.deepEqual(await s.totals(), []);
          const first = await s.record([
            call('m1:bounded'),
            call('m1:stamped', { attribution: 'stamped' }),
            call('m2:bounded', { at: at(H, 5), inputTokens: 1, outputTokens: 2, cacheWriteTokens: 3, cacheReadTokens: 4, costUsd: 0.25 }),
            call('m2:bounded'), // same key in one batch: the first one counts
            call('m3:stamped', { attribution: 'stamped', skill: 'skill:deploy', model: 'mystery-model', costUsd: null, invocationId: null }),
          ]);
          assert.deepEqual(first, { inserted: 4, duplicates: 1 });
          const again = await s.record([call('m1:bounded'), call('m4:bounded', { at: at(H + 1), userHash: 'u2', invocationId: 'toolu_2' })]);
          assert.deepEqual(again, { inserted: 1, duplicates: 1 });
          assert.deepEqual(await s.totals(), [
            {
              skill: 'skill:deploy',
              attribution: 'stamped',
              apiCalls: 1,
              inputTokens: 10,
              outputTokens: 20,
              cacheWriteTokens: 30,
              cacheReadTokens: 40,
              costUsd: 0,
              unpricedCalls: 1,
            },
            {
              skill: 'skill:review',
              attribution: 'bounded',
              apiCalls: 3,
              inputTokens: 21,
              outputTokens: 42,
              cacheWriteTokens: 63,
              cacheReadTokens: 84,
              costUsd: 1.25,
              unpricedCalls: 0,
            },
            {
              skill: 'skill:review',
              attribution: 'stamped',
              apiCalls: 1,
              inputTokens: 10,
              outputTokens: 20,
              cacheWriteTokens: 30,
              cacheReadTokens: 40,
              costUsd: 0.5,
              unpricedCalls: 0,
            },
          ]);
          const raw = await query<{ n: number }>('SELECT count(*) AS n FROM skill_cost_calls');
          assert.equal(Number(raw[0]!.n), 5);
          const unpriced = await query<{ cost_usd: number | null }>("SELECT cost_usd FROM skill_cost_calls WHERE key = 'm3:stamped'");
          assert.equal(unpriced[0]!.cost_usd, null);

          // Filters: hour range, user, skills.
          const hourOne = await s.totals({ fromHour: H + 1, toHour: H + 1 });
          assert.deepEqual(
            hourOne.map((t) => [t.skill, t.attribution, t.apiCalls, t.costUsd]),
            [['skill:review', 'bounded', 1, 0.5]],
          );
          const u1 = await s.totals({ userHash: 'u1', skills: ['skill:review'] });
          assert.deepEqual(
            u1.map((t) => [t.attribution, t.apiCalls, t.inputTokens]),
            [
              ['bounded', 2],
              ['stamped', 1],
            ].map(([a, n]) => [a, n, n === 2 ? 11 : 10]),
          );
          assert.deepEqual(await s.totals({ userHash: 'nobody' }), []);
          assert.deepEqual(await s.totals({ skills: [] }), []);

          // Per invocation, newest first.
          const inv = await s.invocations!({ attribution: 'bounded' });
          assert.deepEqual(
            inv.map((v) => [v.invocationId, v.skill, v.apiCalls, v.firstAt, v.lastAt, v.costUsd, v.sessionKey]),
            [
              ['toolu_2', 'skill:review', 1, at(H + 1), at(H + 1), 0.5, 's1'],
              ['toolu_1', 'skill:review', 2, at(H), at(H, 5), 0.75, 's1'],
            ],
          );
          assert.equal((await s.invocations!({ userHash: 'u2' })).length, 1);
          assert.equal((await s.invocations!({ limit: 1 })).length, 1);
          assert.equal((await s.invocations!({ fromMs: at(H + 1) })).length, 1);
        } finally {
          await dispose();
        }
      });

      it('rejects a batch with a malformed row before writing any of it', { skip: backend.skip ?? false }, async () => {
        const { stores, dispose } = await backend.open();
        try {
          const s = stores.skillCosts;
          await assert.rejects(s.record([call('ok'), call('bad', { inputTokens: -1 })]), { code: 'INVALID_INPUT', message: /rows\[1\]\.inputTokens/ });
          await assert.rejects(s.record([call('bad2', { attribution: 'guessed' as never })]), { code: 'INVALID_INPUT', message: /attribution/ });
          await assert.rejects(s.record([call('bad3', { costUsd: Number.NaN })]), { code: 'INVALID_INPUT', message: /costUsd/ });
          assert.deepEqual(await s.totals(), []);
          assert.deepEqual(await s.record([]), { inserted: 0, duplicates: 0 });
        } finally {
          await dispose();
        }
      });

      it('keeps the rollup exact under concurrent batches that overlap', { skip: backend.skip ?? false }, async () => {
        const { stores, dispose } = await backend.open();
        try {
          const s = stores.skillCosts;
          const batch = (from: number) => Array.from({ length: 20 }, (_, i) => call(`k${from + i}`, { at: at(H, (from + i) % 60) }));
          const results = await Promise.all([s.record(batch(0)), s.record(batch(10)), s.record(batch(5))]);
          assert.equal(
            results.reduce((n, r) => n + r.inserted, 0),
            30,
          );
          const [t] = await s.totals();
          assert.equal(t!.apiCalls, 30);
          assert.equal(t!.inputTokens, 300);
          assert.equal(t!.costUsd, 15);
        } finally {
          await dispose();
        }
      });
    });
  }
});
