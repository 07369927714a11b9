import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { callOk, connectInMemory, createTestApp } from '../../testing/harness.js';

/** Fixed clock: 2025-06-10T12:30:00Z. */
const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);
const MIN = 60_000;
const SKILLS = ['good-a', 'good-b', 'flaky-deploy'];

interface Prediction {
  probability: number | null;
  skill_success_rate: number | null;
  skill_invocations: number | null;
  skill_withheld: boolean;
  community_min_users: number;
  unknown_skill: boolean;
  caveats: string[];
}

describe('predict_skill_success', () => {
  it('gives no skill_success_rate for a skill the model never saw (no single rate was used), and says why', async () => {
    // k = 1: every skill's figures may be shown (k is pinned by the next test).
    const app = createTestApp({ now: () => NOW, env: { SESSION_BUDDY_COMMUNITY_MIN_USERS: '1' } });
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
  it('follows k: a skill fewer than k users used gets no figure across users, and a probability generalised over the skills k users used', async () => {
    /** 300 invocations by 10 users of good-a, good-b, flaky-deploy (always fails), and 44 of rare by user-1 and user-2 only (always fails). */
    async function answers(k: number, ask: { skill_name: string; user_id: string }[]) {
      const app = createTestApp({ now: () => NOW, env: { SESSION_BUDDY_COMMUNITY_MIN_USERS: String(k) } });
      try {
        const one = { session_id: 's', duration_ms: 100, workflow_phase: 'implementation' as const };
        await app.tracker.trackBatch([
          ...Array.from({ length: 300 }, (_, i) => ({
            ...one,
            skill_name: SKILLS[i % 3]!,
            user_id: `user-${i % 10}`,
            completed: i % 3 !== 2,
            invoked_at: NOW - 60 * MIN - (300 - i) * 10 * MIN,
          })),
          ...Array.from({ length: 44 }, (_, i) => ({
            ...one,
            skill_name: 'rare',
            user_id: `user-${1 + (i % 2)}`,
            completed: false,
            invoked_at: NOW - 60 * MIN - (44 - i) * 49 * MIN - 5 * MIN,
          })),
        ]);
        const client = await connectInMemory(app.createMcpServer('t'));
        const trained = await callOk<{ status: string }>(client, 'train_success_model', { days: 30 });
        assert.equal(trained.status, 'trained');
        const out: { p: Prediction; text: string }[] = [];
        for (const a of ask) {
          const res = (await client.callTool({
            name: 'predict_skill_success',
            arguments: { ...a, workflow_phase: 'implementation', hour_of_day: 11 },
          })) as CallToolResult;
          assert.equal(res.isError, undefined, JSON.stringify(res.content));
          out.push({ p: res.structuredContent as unknown as Prediction, text: (res.content as { text: string }[])[0]!.text });
        }
        await client.close();
        return out;
      } finally {
        await app.dispose();
      }
    }

    // k = 5: rare (2 users) is withheld, even from one of its own users; the known skills all have 10 users.
    const [rare, never, good] = await answers(5, [
      { skill_name: 'rare', user_id: 'user-1' },
      { skill_name: 'never-seen', user_id: 'user-1' },
      { skill_name: 'good-a', user_id: 'user-1' },
    ]);
    assert.equal(rare!.p.community_min_users, 5);
    assert.equal(rare!.p.unknown_skill, false);
    assert.equal(rare!.p.skill_withheld, true);
    assert.equal(rare!.p.skill_success_rate, null);
    assert.equal(rare!.p.skill_invocations, null);
    assert.match(rare!.p.caveats[0]!, /rare's figures across users are withheld: fewer than 5 users used it/);
    assert.match(rare!.p.caveats[0]!, /the probability is generalised: averaged over the 3 skills it knows that at least 5 users used/);
    // Generalised exactly as a skill the model never saw: the same mean over good-a, good-b and flaky-deploy (rare left out).
    assert.equal(never!.p.unknown_skill, true);
    assert.match(never!.p.caveats[0]!, /averaged over the 3 skills it knows that at least 5 users used/);
    assert.equal(rare!.p.probability, never!.p.probability);
    // Nothing of rare's own figures (44 invocations, all failed: (0 + 1) / (44 + 2) = 0.0217) is given.
    for (const s of [JSON.stringify(rare!.p), rare!.text]) assert.doesNotMatch(s, /\b44\b|0\.0217/);
    // A skill at least k users used is answered with its own figures.
    assert.equal(good!.p.skill_withheld, false);
    assert.equal(good!.p.skill_success_rate, 0.9902);
    assert.equal(good!.p.skill_invocations, 100);

    // k = 2: rare's two users are enough; its own figures and its own prediction (it always failed) are given.
    const [rareAt2] = await answers(2, [{ skill_name: 'rare', user_id: 'user-1' }]);
    assert.equal(rareAt2!.p.skill_withheld, false);
    assert.equal(rareAt2!.p.skill_invocations, 44);
    assert.equal(rareAt2!.p.skill_success_rate, 0.0217);
    assert.ok(rareAt2!.p.probability! < rare!.p.probability!, `${rareAt2!.p.probability} < ${rare!.p.probability}`);

    // k = 11: no skill has that many users: nothing to generalise over, no probability.
    const [none] = await answers(11, [{ skill_name: 'good-a', user_id: 'user-1' }]);
    assert.equal(none!.p.probability, null);
    assert.equal(none!.p.skill_withheld, true);
    assert.equal(none!.p.skill_invocations, null);
    assert.match(none!.p.caveats[0]!, /no probability is given: good-a's figures across users are withheld: fewer than 11 users used it/);
    assert.match(none!.text, /^No success probability of good-a/);
  });
  it('withholds the model accuracies from a per-user token when the training sample held fewer than k users; an admin sees them', async () => {
    interface Trained {
      status: string;
      training_users: number | null;
      figures_withheld: boolean;
      holdout_accuracy: number | null;
      baseline_accuracy: number | null;
      beats_baseline: boolean | null;
      success_rate: number | null;
      feature_importance: unknown[] | null;
      samples: number | null;
      window_invocations: number | null;
      train_size: number | null;
      holdout_size: number | null;
      capped: boolean | null;
      caveats: string[];
    }
    interface Model {
      id: number;
      training_users: number | null;
      figures_withheld: boolean;
      holdout_accuracy: number | null;
      baseline_accuracy: number | null;
    }
    const call = async (client: Client, name: string, args: Record<string, unknown>) => {
      const res = (await client.callTool({ name, arguments: args })) as CallToolResult;
      assert.equal(res.isError, undefined, JSON.stringify(res.content));
      return { text: (res.content as { text: string }[])[0]!.text, out: res.structuredContent as Record<string, unknown> };
    };
    const ask = { skill_name: 'good-a', workflow_phase: 'implementation', user_id: 'user-1', hour_of_day: 11 };
    /** 300 invocations by 3 users (user-0..2) of good-a, good-b and flaky-deploy (always fails). */
    async function withApp(k: number, body: (app: ReturnType<typeof createTestApp>, admin: Client, own: Client) => Promise<void>) {
      const app = createTestApp({ now: () => NOW, env: { SESSION_BUDDY_COMMUNITY_MIN_USERS: String(k) } });
      try {
        await app.tracker.trackBatch(
          Array.from({ length: 300 }, (_, i) => ({
            session_id: 's',
            duration_ms: 100,
            workflow_phase: 'implementation' as const,
            skill_name: SKILLS[i % 3]!,
            user_id: `user-${i % 3}`,
            completed: i % 3 !== 2,
            invoked_at: NOW - 60 * MIN - (300 - i) * 10 * MIN,
          })),
        );
        const admin = await connectInMemory(app.createMcpServer('admin'));
        const own = await connectInMemory(app.createMcpServer('u1', { role: 'user', userHash: app.hashUser('user-1'), key: 'token:1' }));
        await body(app, admin, own);
        await admin.close();
        await own.close();
      } finally {
        await app.dispose();
      }
    }

    await withApp(5, async (app, admin, own) => {
      // Trained by the per-user token: 3 users < k = 5, nothing across users is shown.
      const t = await call(own, 'train_success_model', { days: 30 });
      const trained = t.out as unknown as Trained;
      assert.equal(trained.status, 'trained');
      assert.equal(trained.figures_withheld, true);
      assert.equal(trained.training_users, null);
      assert.equal(trained.holdout_accuracy, null);
      assert.equal(trained.baseline_accuracy, null);
      assert.equal(trained.beats_baseline, null);
      assert.equal(trained.success_rate, null);
      assert.equal(trained.feature_importance, null);
      assert.match(trained.caveats[0]!, /withheld: its training sample held fewer than 5 users/);
      assert.doesNotMatch(t.text, /accuracy \d|0\.\d/);
      // Nor the invocation counts (every user's): withheld, and said so.
      assert.equal(trained.samples, null);
      assert.equal(trained.window_invocations, null);
      assert.equal(trained.train_size, null);
      assert.equal(trained.holdout_size, null);
      assert.equal(trained.capped, null);
      assert.ok(
        trained.caveats.some((c) =>
          /invocation counts of the training sample \(samples, window_invocations, train_size, holdout_size, capped\) are withheld/.test(c),
        ),
        trained.caveats.join(' | '),
      );
      assert.doesNotMatch(t.text, /\b300\b|\b\d+ invocations/);
      assert.match(t.text, /^Trained model \d+ from the last 30 day\(s\); /);

      const p = await call(own, 'predict_skill_success', ask);
      const model = p.out.model as Model;
      assert.equal(model.figures_withheld, true);
      assert.equal(model.training_users, null);
      assert.equal(model.holdout_accuracy, null);
      assert.equal(model.baseline_accuracy, null);
      assert.ok((p.out.caveats as string[]).some((c) => /its training sample held fewer than 5 users/.test(c)));
      assert.doesNotMatch(p.text, /held-out accuracy \d|baseline \d/);

      // An admin sees every figure of the same model.
      const a = await call(admin, 'predict_skill_success', ask);
      const adminModel = a.out.model as Model;
      assert.equal(adminModel.figures_withheld, false);
      assert.equal(adminModel.training_users, 3);
      assert.equal(typeof adminModel.holdout_accuracy, 'number');
      assert.match(a.text, /held-out accuracy \d/);
      const adminRun = await call(admin, 'train_success_model', { days: 30 });
      const at = adminRun.out as unknown as Trained;
      assert.equal(at.figures_withheld, false);
      assert.equal(at.training_users, 3);
      assert.equal(at.samples, 300);
      assert.equal(at.window_invocations, 300);
      assert.equal(at.train_size! + at.holdout_size!, 300);
      assert.equal(at.capped, false);
      assert.match(adminRun.text, /^Trained model \d+ on 300 invocations from the last 30 day\(s\)/);
      assert.equal(typeof at.success_rate, 'number');
      assert.ok(at.feature_importance!.length > 0);

      // A model saved before the count was kept (no users in its report): unknown, withheld from the per-user token.
      const latest = app.db.prepare('SELECT max(id) FROM prediction_models').pluck().get() as number;
      app.db
        .prepare(
          `INSERT INTO prediction_models (trained_at, window_days, samples, accuracy, report, model)
           SELECT trained_at, window_days, samples, accuracy, json_remove(report, '$.users'), model FROM prediction_models WHERE id = ?`,
        )
        .run(latest);
      const old = await call(own, 'predict_skill_success', ask);
      assert.equal((old.out.model as Model).id, latest + 1);
      assert.equal((old.out.model as Model).holdout_accuracy, null);
      assert.ok((old.out.caveats as string[]).some((c) => /number of users in its training sample is unknown/.test(c)));
      const oldAdmin = await call(admin, 'predict_skill_success', ask);
      assert.equal(typeof (oldAdmin.out.model as Model).holdout_accuracy, 'number');
      assert.equal((oldAdmin.out.model as Model).training_users, null);
      assert.ok((oldAdmin.out.caveats as string[]).some((c) => /number of users in its training sample is unknown/.test(c)));
    });

    // k = 3: the sample's 3 users are enough, the per-user token sees the figures too.
    await withApp(3, async (_app, _admin, own) => {
      const trained = (await call(own, 'train_success_model', { days: 30 })).out as unknown as Trained;
      assert.equal(trained.figures_withheld, false);
      assert.equal(trained.training_users, 3);
      assert.equal(trained.samples, 300);
      assert.equal(trained.window_invocations, 300);
      assert.equal(typeof trained.holdout_accuracy, 'number');
      const model = (await call(own, 'predict_skill_success', ask)).out.model as Model;
      assert.equal(typeof model.holdout_accuracy, 'number');
    });
  });
  it('withholds the counts of too little data from a per-user token when the window held fewer than k users; an admin sees them', async () => {
    interface NotTrained {
      status: string;
      reason: string | null;
      samples: number | null;
      window_invocations: number | null;
      capped: boolean | null;
      figures_withheld: boolean;
      caveats: string[];
    }
    const train = async (client: Client) => {
      const res = (await client.callTool({ name: 'train_success_model', arguments: { days: 30 } })) as CallToolResult;
      assert.equal(res.isError, undefined, JSON.stringify(res.content));
      return { text: (res.content as { text: string }[])[0]!.text, out: res.structuredContent as unknown as NotTrained };
    };
    /** `n` invocations of good-a by `users` users; all succeed when `allOk`, else every third fails. */
    async function withApp(k: number, n: number, users: number, allOk: boolean, body: (admin: Client, own: Client) => Promise<void>) {
      const app = createTestApp({ now: () => NOW, env: { SESSION_BUDDY_COMMUNITY_MIN_USERS: String(k) } });
      try {
        await app.tracker.trackBatch(
          Array.from({ length: n }, (_, i) => ({
            session_id: 's',
            duration_ms: 100,
            workflow_phase: 'implementation' as const,
            skill_name: 'good-a',
            user_id: `user-${i % users}`,
            completed: allOk || i % 3 !== 2,
            invoked_at: NOW - 60 * MIN - (n - i) * 10 * MIN,
          })),
        );
        const admin = await connectInMemory(app.createMcpServer('admin'));
        const own = await connectInMemory(app.createMcpServer('u1', { role: 'user', userHash: app.hashUser('user-1'), key: 'token:1' }));
        await body(admin, own);
        await admin.close();
        await own.close();
      } finally {
        await app.dispose();
      }
    }

    // 12 invocations by 2 users, k = 5: the per-user token learns that there is too little, not how little.
    await withApp(5, 12, 2, false, async (admin, own) => {
      const t = await train(own);
      assert.equal(t.out.status, 'insufficient_data');
      assert.deepEqual([t.out.samples, t.out.window_invocations, t.out.capped], [null, null, null]);
      assert.equal(t.out.reason, 'need at least 200 samples');
      assert.equal(t.out.figures_withheld, true);
      assert.deepEqual(t.out.caveats, [
        'the invocation counts of the window (samples, window_invocations, capped) are withheld: its sample held fewer than 5 users, so they may describe fewer than 5 people',
      ]);
      assert.doesNotMatch(t.text, /\b12\b|have \d/);
      assert.match(t.text, /^Not enough data to train a useful model from the last 30 day\(s\): need at least 200 samples\. No model was stored; /);
      assert.match(t.text, /withheld: its sample held fewer than 5 users/);
      // An admin (and the local user) sees every count, as before.
      const a = await train(admin);
      assert.deepEqual([a.out.samples, a.out.window_invocations, a.out.capped], [12, 12, false]);
      assert.equal(a.out.reason, 'need at least 200 samples, have 12');
      assert.equal(a.out.figures_withheld, false);
      assert.deepEqual(a.out.caveats, []);
      assert.match(a.text, /have 12\. No model was stored\.$/);
    });

    // k = 2: the window's 2 users are enough, the per-user token sees the counts too.
    await withApp(2, 12, 2, false, async (_admin, own) => {
      const t = await train(own);
      assert.deepEqual([t.out.samples, t.out.window_invocations, t.out.capped, t.out.figures_withheld], [12, 12, false, false]);
      assert.equal(t.out.reason, 'need at least 200 samples, have 12');
    });

    // Enough invocations, but only successes, by 3 users < k = 5: nor which outcome is missing (a success rate of every user).
    await withApp(5, 300, 3, true, async (admin, own) => {
      const t = await train(own);
      assert.equal(t.out.status, 'insufficient_data');
      assert.deepEqual([t.out.samples, t.out.window_invocations, t.out.figures_withheld], [null, null, true]);
      assert.equal(t.out.reason, 'the training part of the window holds one outcome only; a model needs both');
      assert.doesNotMatch(t.text, /success|failure|\b300\b/);
      const a = await train(admin);
      assert.equal(a.out.reason, 'the training part of the window holds only successes; a model needs both outcomes');
      assert.equal(a.out.samples, 300);
    });
  });
});
