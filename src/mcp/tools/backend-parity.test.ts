/**
 * Every analytics, insight and memory tool, called over MCP on an app running
 * on SQLite and on one running on PostgreSQL with the same recorded data,
 * gives the same answer (apart from relevance scores and the full-text query
 * text, which are the back-ends' own). A few answers are also checked by hand.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createApp, type App } from '../../app.js';
import { parseConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { testBackends, type OpenedBackend, type TestBackend } from '../../testing/backends.js';
import { callOk, connectInMemory } from '../../testing/harness.js';

const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);
const MIN = 60_000;
const SKILLS = ['build', 'lint', 'deploy'];
const SALT = 'ab'.repeat(32);

/** 300 invocations, one every 9 minutes back from NOW (distinct times); deploy fails in its last 6 runs. */
function data() {
  return Array.from({ length: 300 }, (_, i) => {
    const skill = SKILLS[i % 3]!;
    const age = (300 - i) * 9 * MIN;
    return {
      skill_name: skill,
      user_id: `u${i % 7}`,
      session_id: `s${i % 25}`,
      workflow_phase: i % 2 ? 'testing' : 'implementation',
      completed: skill === 'deploy' ? i < 282 && i % 5 !== 0 : i % 4 !== 0,
      duration_ms: 40 + ((i * 37) % 900),
      invoked_at: NOW - age,
    };
  });
}

/** Tool calls in order (later ones depend on earlier writes). */
const CALLS: [string, Record<string, unknown>][] = [
  ['get_real_time_metrics', { time_window_hours: 24, limit: 5 }],
  ['get_real_time_metrics', { time_window_hours: 1 }],
  ['detect_anomalies', { time_window_hours: 2, baseline_days: 1, threshold: 2 }],
  ['get_skill_trend', { skill_name: 'build', days: 2, granularity: 'hour' }],
  ['get_skill_dependencies', { min_support: 0.1 }],
  ['get_skill_dependencies', { skill_name: 'lint' }],
  ['get_community_baselines', { user_id: 'u1' }],
  ['update_community_baselines', {}],
  ['get_community_baselines', { skill_name: 'deploy', user_id: 'u2' }],
  ['get_collaborative_recommendations', { user_id: 'u1' }],
  ['create_ab_test', { name: 'prompt-v2', variants: ['control', 'treatment'], traffic_split: [0.5, 0.5], metric: 'task_success', min_sample_size: 3 }],
  ['assign_ab_test_variant', { experiment: 'prompt-v2', user_id: 'u1' }],
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((n): [string, Record<string, unknown>] => [
    'record_ab_test_outcome',
    { experiment: 'prompt-v2', user_id: `u${n % 4}`, value: n },
  ]),
  ['get_ab_test_results', { experiment: 'prompt-v2' }],
  ['store_reflection', { content: 'Deploys fail after the config change', tags: ['deploy'] }],
  ['store_reflection', { content: 'Lint is fast', tags: ['lint'] }],
  ['search_reflections', { query: 'deploy failures' }],
  ['train_success_model', { days: 3 }],
  ['predict_skill_success', { skill_name: 'deploy', workflow_phase: 'testing', user_id: 'u3', hour_of_day: 11 }],
];

/** Answers as compared across back-ends: without what each back-end computes its own way. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'score' && typeof v === 'number') continue; // bm25 vs ts_rank_cd
      if (k === 'fts_query' || k === 'timings_ms' || k === 'training_ms') continue; // back-end specific text; wall-clock times
      out[k] = comparable(v);
    }
    return out;
  }
  return value;
}

async function answers(backend: TestBackend): Promise<unknown[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-parity-${backend.name}-`));
  let b: OpenedBackend | null = null;
  let app: App | null = null;
  try {
    // One salt for both: user ids must hash alike (experiment assignments depend on the hash).
    fs.writeFileSync(path.join(dir, 'salt'), `${SALT}\n`, { mode: 0o600 });
    b = await backend.open({ now: () => NOW, salt: SALT });
    const config = parseConfig({ flags: { dataDir: dir, port: 0 }, env: { SESSION_BUDDY_AUDIT: 'off' } });
    app = createApp(config, { stores: b.stores, now: () => NOW, logger: createLogger('silent') });
    await app.tracker.trackBatch(data());
    const client = await connectInMemory(app.createMcpServer('parity'));
    const out: unknown[] = [];
    for (const [name, args] of CALLS) out.push(await callOk(client, name, args));
    await client.close();
    return out;
  } finally {
    await app?.close();
    await b?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('tools on every back-end', async () => {
  const [sqlite, postgres] = await testBackends();
  it('give the same answers on SQLite and PostgreSQL', { skip: postgres!.skip ?? false }, async () => {
    const [a, b] = await Promise.all([answers(sqlite!), answers(postgres!)]);
    for (const [i, [name]] of CALLS.entries()) assert.deepEqual(comparable(b[i]), comparable(a[i]), `${name} (call ${i})`);

    // Hand-checked: a 1-hour window is the last hour, 11:30–12:30, holding the invocations 9, 18, …, 54
    // minutes old (63 is outside): i = 299 … 294, two each of deploy, lint and build.
    const lastHour = a[1] as { summary: { invocations: number; active_skills: number } };
    assert.equal(lastHour.summary.invocations, 6);
    assert.equal(lastHour.summary.active_skills, 3);
    const search = b[b.length - 3] as { results: { content: string }[] };
    assert.deepEqual(
      search.results.map((r) => r.content),
      ['Deploys fail after the config change'],
    );
  });
});
