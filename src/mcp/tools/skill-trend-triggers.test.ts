/**
 * get_skill_trend with by_trigger through the SDK's real Client, and the
 * service functions the skill report calls (skillActivationShares,
 * candidateMisses), on a hand-computed fixture.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { HOUR_MS } from '../../analytics/types.js';
import { candidateMisses, skillActivationShares } from '../../insights/skill-activations.js';
import { callErr, callOk, connectInMemory, createTestApp, type TestApp } from '../../testing/harness.js';

const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);
const DAY = 24 * HOUR_MS;
const D1 = Date.UTC(2025, 5, 9, 9, 0, 0); // yesterday 09:00
const D0 = Date.UTC(2025, 5, 10, 9, 0, 0); // today 09:00

const act = (skill: string, at: number, trigger: 'model' | 'typed' | undefined, key: string, miss?: boolean) => ({
  skill_name: skill,
  user_id: 'u',
  session_id: 's1',
  workflow_phase: 'review',
  completed: true,
  duration_ms: 0,
  invoked_at: at,
  dedupe_key: key,
  ...(trigger ? { trigger } : {}),
  ...(miss === undefined ? {} : { slash_after_miss: miss }),
});

describe('activation triggers', () => {
  let app: TestApp;
  let client: Client;
  before(async () => {
    app = createTestApp({ now: () => NOW });
    await app.tracker.trackBatch([
      // yesterday: 2 model, 1 typed (a candidate miss)
      act('skill:review', D1, 'model', 'cc:t1'),
      act('skill:review', D1 + 60_000, 'model', 'cc:t2'),
      act('skill:review', D1 + 120_000, 'typed', 'cc-typed:s1:skill:review:1', true),
      // today: 1 model, 2 typed (one a candidate miss)
      act('skill:review', D0, 'model', 'cc:t3'),
      act('skill:review', D0 + 60_000, 'typed', 'cc-typed:s1:skill:review:2', false),
      act('skill:review', D0 + 120_000, 'typed', 'cc-typed:s1:skill:review:3', true),
      // another skill, typed only; and a plain tool without trigger
      act('skill:deploy', D0, 'typed', 'cc-typed:s1:skill:deploy:1', false),
      act('Bash', D0, undefined, 'cc:t4'),
    ]);
    client = await connectInMemory(app.createMcpServer('t'));
  });
  after(async () => {
    await client.close();
    await app.dispose();
  });

  it('get_skill_trend splits activations per day by trigger', async () => {
    const out = await callOk<any>(client, 'get_skill_trend', { skill_name: 'skill:review', days: 2, by_trigger: true });
    assert.deepEqual(out.by_trigger.points, [
      { bucket_start: '2025-06-09T00:00:00.000Z', model: 2, typed: 1, slash_after_miss: 1 },
      { bucket_start: '2025-06-10T00:00:00.000Z', model: 1, typed: 2, slash_after_miss: 1 },
    ]);
    // 3 model and 3 typed in the window: 0.5 each; 2 candidate misses.
    assert.deepEqual(out.by_trigger.shares, { skill: 'skill:review', model: 3, typed: 3, automatic_share: 0.5, typed_share: 0.5, candidate_misses: 2 });
    assert.match(out.by_trigger.rule, /estimate/);
  });

  it('leaves by_trigger out unless asked, and rejects a non-boolean', async () => {
    const out = await callOk<any>(client, 'get_skill_trend', { skill_name: 'skill:review', days: 2 });
    assert.equal(out.by_trigger, undefined);
    const err = await callErr(client, 'get_skill_trend', { skill_name: 'skill:review', by_trigger: 'yes' });
    assert.equal(err.error?.field, 'by_trigger');
  });

  it('skillActivationShares and candidateMisses read the rollup for a window', async () => {
    const w = { fromMs: NOW - 2 * DAY, toMs: NOW + HOUR_MS };
    assert.deepEqual(await skillActivationShares(app.stores.analyticsQueries, w), [
      { skill: 'skill:deploy', model: 0, typed: 1, automatic_share: 0, typed_share: 1, candidate_misses: 0 },
      { skill: 'skill:review', model: 3, typed: 3, automatic_share: 0.5, typed_share: 0.5, candidate_misses: 2 },
    ]);
    const today = await candidateMisses(app.stores.analyticsQueries, { fromMs: Date.UTC(2025, 5, 10), toMs: NOW + HOUR_MS, skills: ['skill:review'] });
    assert.deepEqual(today.skills, [{ skill: 'skill:review', typed: 2, candidate_misses: 1, candidate_miss_share: 0.5 }]);
    assert.equal(today.estimate, true);
    assert.equal(today.window_prompts, 3);
  });
});
