/**
 * Contract on every back-end: the trigger rollup (skill_trigger_hourly) holds
 * exactly what a direct count over the recorded activations says, a repeated
 * typed activation (same dedupe key) counts once, and invalid triggers are
 * rejected without a write.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOUR_MS, hourOf } from '../analytics/types.js';
import { EventBus } from '../events.js';
import { testBackends } from '../testing/backends.js';
import { Tracker } from '../tracking/tracker.js';
import { createUlidFactory } from '../tracking/ulid.js';
import { createUserHasher } from './salt.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const hash = createUserHasher('0'.repeat(64));

interface Act {
  skill_name: string;
  user_id: string;
  session_id: string;
  workflow_phase: 'review';
  completed: boolean;
  duration_ms: number;
  invoked_at: number;
  dedupe_key?: string;
  trigger?: 'model' | 'typed';
  slash_after_miss?: boolean;
}

function activations(): Act[] {
  const out: Act[] = [];
  let n = 0;
  for (let i = 0; i < 60; i++) {
    const typed = i % 3 === 0;
    const skill = `skill:s${i % 4}`;
    const session = `sess${i % 5}`;
    out.push({
      skill_name: skill,
      user_id: 'u',
      session_id: session,
      workflow_phase: 'review',
      completed: i % 7 !== 0,
      duration_ms: 0,
      invoked_at: NOW - (i % 6) * HOUR_MS,
      trigger: typed ? 'typed' : 'model',
      ...(typed ? { slash_after_miss: i % 2 === 0, dedupe_key: `cc-typed:${session}:${skill}:${++n}` } : { dedupe_key: `cc:toolu_${i}` }),
    });
  }
  // Plain tool calls: no trigger, not in the rollup.
  out.push({ skill_name: 'Bash', user_id: 'u', session_id: 'sess0', workflow_phase: 'review', completed: true, duration_ms: 5, invoked_at: NOW });
  return out;
}

describe('trigger rollup contract', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, () => {
      it('counts activations per skill, hour and trigger once, whatever the write order', { skip: backend.skip ?? false }, async () => {
        const { store, stores, dispose } = await backend.open();
        try {
          const tracker = new Tracker({ store, hashUser: hash, newId: createUlidFactory(), bus: new EventBus(), maxMetadataBytes: 8192, now: () => NOW });
          const acts = activations();
          await tracker.trackBatch(acts.slice(0, 30));
          await Promise.all(acts.slice(30).map((a) => tracker.track(a)));
          // The same typed activations again (another source): all duplicates.
          const again = await tracker.trackBatch(acts.filter((a) => a.trigger === 'typed'));
          assert.equal(again.inserted, 0);

          const expected = new Map<string, [number, number, number]>();
          for (const a of acts) {
            if (!a.trigger) continue;
            const k = `${a.skill_name}@${hourOf(a.invoked_at)}/${a.trigger}`;
            const e = expected.get(k) ?? [0, 0, 0];
            e[0]++;
            if (a.completed) e[1]++;
            if (a.slash_after_miss === true) e[2]++;
            expected.set(k, e);
          }
          const rows = await stores.analyticsQueries.triggerHourly({ fromHour: hourOf(NOW) - 24, toHour: hourOf(NOW) });
          assert.deepEqual(
            Object.fromEntries(rows.map((r) => [`${r.skill}@${r.hour}/${r.trigger}`, [r.invocations, r.successes, r.slashAfterMiss]])),
            Object.fromEntries(expected),
          );
          const one = await stores.analyticsQueries.triggerHourly({ fromHour: hourOf(NOW) - 24, toHour: hourOf(NOW), skills: ['skill:s1'] });
          assert.ok(one.length > 0 && one.every((r) => r.skill === 'skill:s1'));
        } finally {
          await dispose();
        }
      });

      it('rejects an unknown trigger and slash_after_miss without typed, writing nothing', { skip: backend.skip ?? false }, async () => {
        const { store, stores, dispose } = await backend.open();
        try {
          const tracker = new Tracker({ store, hashUser: hash, newId: createUlidFactory(), bus: new EventBus(), maxMetadataBytes: 8192, now: () => NOW });
          const ok = { skill_name: 'skill:a', user_id: 'u', session_id: 's', workflow_phase: 'review', completed: true, duration_ms: 0, trigger: 'typed' };
          await assert.rejects(tracker.trackBatch([ok, { ...ok, trigger: 'user' }]), /invocations\.1\.trigger/);
          await assert.rejects(tracker.trackBatch([{ ...ok, trigger: 'model', slash_after_miss: true }]), /invocations\.0\.slash_after_miss.*typed/);
          assert.equal((await store.stats()).rows.skill_invocations, 0);
          assert.deepEqual(await stores.analyticsQueries.triggerHourly({ fromHour: 0, toHour: hourOf(NOW) }), []);
        } finally {
          await dispose();
        }
      });
    });
  }
});
