import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callOk, connectInMemory, createTestApp } from '../../testing/harness.js';

/** Fixed clock: 2025-06-10T12:30:00Z. */
const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);
const MIN = 60_000;
const SKILLS = ['good-a', 'good-b', 'flaky-deploy'];

interface Prediction {
  probability: number;
  skill_success_rate: number | null;
  skill_invocations: number;
  unknown_skill: boolean;
  caveats: string[];
}

describe('predict_skill_success', () => {
  it('gives no skill_success_rate for a skill the model never saw (no single rate was used), and says why', async () => {
    const app = createTestApp({ now: () => NOW });
    try {
      const one = { session_id: 's', duration_ms: 100, workflow_phase: 'implementation' as const };
      // 300 invocations, one every 10 minutes up to an hour ago; flaky-deploy always fails.
      await app.tracker.trackBatch(
        Array.from({ length: 300 }, (_, i) => ({
          ...one,
          skill_name: SKILLS[i % 3]!,
          user_id: `user-${i % 10}`,
          completed: i % 3 !== 2,
          invoked_at: NOW - 60 * MIN - (300 - i) * 10 * MIN,
        })),
      );
      const client = await connectInMemory(app.createMcpServer('t'));
      const trained = await callOk<{ status: string }>(client, 'train_success_model', { days: 30 });
      assert.equal(trained.status, 'trained');
      // late: recorded after training (4 runs, 1 ok: (1 + 1) / (4 + 2) = 0.3333), so the model does not know it.
      await app.tracker.trackBatch(
        Array.from({ length: 4 }, (_, i) => ({ ...one, skill_name: 'late', user_id: 'user-1', completed: i === 0, invoked_at: NOW - (10 - i) * MIN })),
      );
      const ask = (skill_name: string) => callOk<Prediction>(client, 'predict_skill_success', { skill_name, workflow_phase: 'testing', user_id: 'user-1' });

      const late = await ask('late');
      assert.equal(late.unknown_skill, true);
      assert.equal(late.skill_success_rate, null);
      assert.equal(late.skill_invocations, 4);
      assert.match(late.caveats[0]!, /averaged over the 3 skills it knows, each with its own success rate/);
      assert.match(late.caveats[0]!, /skill_success_rate is null: no single rate was used \(not late's own, 0\.3333 over 4 invocations\)/);

      const never = await ask('never-seen');
      assert.equal(never.skill_success_rate, null);
      assert.equal(never.skill_invocations, 0);
      assert.match(never.caveats[0]!, /no single rate was used \(never-seen has no recorded invocations\)/);

      // A known skill: the rate the model used. good-a: 100 runs, all ok: 101 / 102 = 0.9902.
      const good = await ask('good-a');
      assert.equal(good.unknown_skill, false);
      assert.equal(good.skill_success_rate, 0.9902);
      assert.equal(good.skill_invocations, 100);
      await client.close();
    } finally {
      await app.dispose();
    }
  });
});
