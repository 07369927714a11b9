/**
 * The store contract, run against every back-end: what is recorded comes
 * back through the rollup reads exactly as a direct computation over the
 * same input says it should. Invocations whose duration was not measured
 * (typed activations, hook calls whose Pre/Post never matched) count in the
 * invocation counts and success rates and in no duration figure.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationBucket } from '../analytics/histogram.js';
import { HOUR_MS, hourOf } from '../analytics/types.js';
import { EventBus } from '../events.js';
import type { PreparedReflection } from './reflection-types.js';
import { createUserHasher } from './salt.js';
import { testBackends } from '../testing/backends.js';
import { eventually } from '../testing/eventually.js';
import { Tracker } from '../tracking/tracker.js';
import { createUlidFactory } from '../tracking/ulid.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const hash = createUserHasher('0'.repeat(64));

function prng(seed: number) {
  let a = seed >>> 0;
  return () => (a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

interface In {
  skill_name: string;
  user_id: string;
  session_id: string;
  workflow_phase: 'testing' | 'review';
  completed: boolean;
  duration_ms: number;
  invoked_at: number;
  dedupe_key?: string;
  trigger?: 'typed';
  metadata?: { duration_source: 'unknown' };
}

/** Whether the input's duration was measured: typed activations and unmatched hook calls have none. */
const measured = (r: In) => r.trigger !== 'typed' && r.metadata?.duration_source !== 'unknown';

function randomBatches(seed: number): In[][] {
  const rand = prng(seed);
  const batches: In[][] = [];
  for (let b = 0; b < 8; b++) {
    batches.push(
      Array.from({ length: 1 + Math.floor(rand() * 120) }, (): In => {
        const r: In = {
          skill_name: `k${Math.floor(rand() * rand() * 6)}`,
          user_id: `u${Math.floor(rand() * 9)}`,
          session_id: `s${Math.floor(rand() * 25)}`,
          workflow_phase: rand() < 0.5 ? 'testing' : 'review',
          completed: rand() < 0.75,
          duration_ms: Math.floor(rand() ** 2 * 90_000),
          invoked_at: NOW - Math.floor(rand() * 30 * HOUR_MS),
          dedupe_key: rand() < 0.1 ? `d${Math.floor(rand() * 15)}` : undefined,
        };
        // Unmeasured: a typed activation, or a hook call whose Pre/Post never matched (both stored with 0 ms).
        const u = rand();
        if (u < 0.1) Object.assign(r, { trigger: 'typed', duration_ms: 0 });
        else if (u < 0.15) Object.assign(r, { metadata: { duration_source: 'unknown' }, duration_ms: 0 });
        return r;
      }),
    );
  }
  return batches;
}

/** What the rollups must say, computed directly from the input (first occurrence of a dedupe key wins). */
function expected(batches: In[][]) {
  const seen = new Set<string>();
  const rows = batches.flat().filter((r) => {
    if (!r.dedupe_key) return true;
    if (seen.has(r.dedupe_key)) return false;
    seen.add(r.dedupe_key);
    return true;
  });
  const totals = new Map<string, { n: number; ok: number; timed: number; sum: number; min: number; max: number; sessions: Set<string>; users: Set<string> }>();
  const hourly = new Map<string, { n: number; ok: number; timed: number; sum: number; sq: number }>();
  const hist = new Map<string, number>();
  const sessionSkills = new Map<string, Set<string>>();
  for (const r of rows) {
    const t = totals.get(r.skill_name) ?? { n: 0, ok: 0, timed: 0, sum: 0, min: Infinity, max: -Infinity, sessions: new Set(), users: new Set() };
    const m = measured(r);
    t.n++;
    t.ok += r.completed ? 1 : 0;
    if (m) {
      t.timed++;
      t.sum += r.duration_ms;
      t.min = Math.min(t.min, r.duration_ms);
      t.max = Math.max(t.max, r.duration_ms);
    }
    t.sessions.add(r.session_id);
    t.users.add(r.user_id);
    totals.set(r.skill_name, t);
    const hk = `${r.skill_name}@${hourOf(r.invoked_at)}`;
    const h = hourly.get(hk) ?? { n: 0, ok: 0, timed: 0, sum: 0, sq: 0 };
    h.n++;
    h.ok += r.completed ? 1 : 0;
    hourly.set(hk, h);
    if (m) {
      h.timed++;
      h.sum += r.duration_ms;
      h.sq += r.duration_ms ** 2;
      const bk = `${r.skill_name}#${durationBucket(r.duration_ms)}`;
      hist.set(bk, (hist.get(bk) ?? 0) + 1);
    }
    (sessionSkills.get(r.session_id) ?? sessionSkills.set(r.session_id, new Set()).get(r.session_id)!).add(r.skill_name);
  }
  const pairs = new Map<string, number>();
  for (const set of sessionSkills.values()) {
    const s = [...set].sort();
    for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) pairs.set(`${s[i]}|${s[j]}`, (pairs.get(`${s[i]}|${s[j]}`) ?? 0) + 1);
  }
  return { rows, totals, hourly, hist, pairs, sessions: sessionSkills.size };
}

describe('store contract', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, () => {
      it('keeps rollups equal to a direct computation over the recorded input', { skip: backend.skip ?? false }, async () => {
        const { store, stores, query, dispose } = await backend.open();
        try {
          const tracker = new Tracker({ store, hashUser: hash, newId: createUlidFactory(), bus: new EventBus(), maxMetadataBytes: 8192, now: () => NOW });
          const batches = randomBatches(99);
          let inserted = 0;
          for (const [i, b] of batches.entries()) {
            // Half the batches as concurrent single calls (group commit), half as one batch.
            if (i % 2) inserted += (await tracker.trackBatch(b)).inserted;
            else inserted += (await Promise.all(b.map((x) => tracker.track(x)))).filter((r) => !r.duplicate).length;
          }
          const exp = expected(batches);
          assert.equal(inserted, exp.rows.length);
          assert.ok(exp.rows.some((r) => !measured(r)) && exp.rows.some(measured), 'both measured and unmeasured rows');

          const totals = await stores.analyticsQueries.skillTotals();
          assert.deepEqual(
            Object.fromEntries(
              totals.map((t) => [
                t.skill,
                [t.invocations, t.successes, t.timed, t.durationSum, t.sessions, t.users, t.timed > 0 ? [t.durationMin, t.durationMax] : null],
              ]),
            ),
            Object.fromEntries(
              [...exp.totals].map(([k, t]) => [k, [t.n, t.ok, t.timed, t.sum, t.sessions.size, t.users.size, t.timed > 0 ? [t.min, t.max] : null]]),
            ),
          );
          const hourly = await stores.analyticsQueries.hourlyRollups({ fromHour: hourOf(NOW) - 48, toHour: hourOf(NOW) });
          assert.deepEqual(
            Object.fromEntries(hourly.map((h) => [`${h.skill}@${h.hour}`, [h.invocations, h.successes, h.timed, h.durationSum, h.durationSqSum]])),
            Object.fromEntries([...exp.hourly].map(([k, h]) => [k, [h.n, h.ok, h.timed, h.sum, h.sq]])),
          );
          const hist = await stores.analyticsQueries.skillHistograms();
          assert.deepEqual(Object.fromEntries(hist.flatMap((h) => h.buckets.map((b) => [`${h.skill}#${b.bucket}`, b.count]))), Object.fromEntries(exp.hist));
          const pairs = await stores.analyticsQueries.frequentPairs(1);
          assert.deepEqual(Object.fromEntries(pairs.map((p) => [[p.a, p.b].sort().join('|'), p.sessions])), Object.fromEntries(exp.pairs));
          assert.equal(await stores.analyticsQueries.sessionCount(), exp.sessions);

          const u0 = await stores.analyticsQueries.userSkillStats(hash('u0'));
          const u0rows = exp.rows.filter((r) => r.user_id === 'u0');
          assert.equal(
            u0.reduce((n, s) => n + s.invocations, 0),
            u0rows.length,
          );
          assert.ok(u0.every((s) => s.user === hash('u0')));

          // Distinct users per group of names whose last use is at or after a time; a name may sit in several groups.
          const groups = [
            { group: 'a', skills: ['k0'] },
            { group: 'b', skills: ['k1', 'k2', 'k3'] },
            { group: 'c', skills: ['k2', 'k5', 'never-recorded'] },
            { group: 'd', skills: ['never-recorded'] },
          ];
          for (const back of [0, 1, 6, 20, 31]) {
            const fromMs = NOW - back * HOUR_MS;
            for (const cap of [3, 100]) {
              const want = groups
                .map((g) => ({
                  group: g.group,
                  users: Math.min(
                    cap,
                    new Set(exp.rows.filter((r) => g.skills.includes(r.skill_name) && (r.invoked_at as number) >= fromMs).map((r) => r.user_id)).size,
                  ),
                }))
                .filter((g) => g.users > 0);
              assert.deepEqual(await stores.analyticsQueries.usersSince(fromMs, groups, cap), want, `since ${back} h, cap ${cap}`);
            }
          }
          assert.deepEqual(await stores.analyticsQueries.usersSince(NOW - 40 * HOUR_MS, [], 100), []);

          const phases = await stores.analyticsQueries.phaseTotals();
          assert.equal(
            phases.reduce((n, p) => n + p.invocations, 0),
            exp.rows.length,
          );
          assert.deepEqual(
            [phases.reduce((n, p) => n + p.timed, 0), phases.reduce((n, p) => n + p.durationSum, 0)],
            [exp.rows.filter(measured).length, exp.rows.filter(measured).reduce((n, r) => n + r.duration_ms, 0)],
          );
          const [s3] = await query<{ invocations: number }>("SELECT invocations FROM sessions WHERE session_key = 's3'");
          assert.equal(Number(s3?.invocations), exp.rows.filter((r) => r.session_id === 's3').length);
          const stats = await store.stats();
          assert.equal(stats.rows.skill_invocations, exp.rows.length);
        } finally {
          await dispose();
        }
      });

      it('leaves invocations without a measured duration out of every duration figure, and counts them', { skip: backend.skip ?? false }, async () => {
        const { store, stores, query, dispose } = await backend.open();
        try {
          const tracker = new Tracker({ store, hashUser: hash, newId: createUlidFactory(), bus: new EventBus(), maxMetadataBytes: 8192, now: () => NOW });
          const MIN = 60_000;
          const inv = (skill: string, ms: number, at: number, extra: Record<string, unknown> = {}) => ({
            skill_name: skill,
            user_id: 'u1',
            session_id: 's1',
            workflow_phase: 'review' as const,
            completed: true,
            duration_ms: ms,
            invoked_at: NOW - at * MIN,
            ...extra,
          });
          await tracker.trackBatch([
            // skill:deploy: two measured calls (800 and 934 ms, mean 867) and two typed activations.
            inv('skill:deploy', 800, 40, { trigger: 'model', metadata: { duration_source: 'claude_code' } }),
            inv('skill:deploy', 934, 30, { trigger: 'model', metadata: { duration_source: 'hook_gap' } }),
            inv('skill:deploy', 0, 20, { trigger: 'typed' }),
            inv('skill:deploy', 0, 10, { trigger: 'typed' }),
            // Only ever typed: no duration at all.
            inv('skill:notes', 0, 35, { trigger: 'typed' }),
            inv('skill:notes', 0, 5, { trigger: 'typed' }),
            // A tool call measured (50 ms) and one whose Pre/Post never matched.
            inv('Bash', 50, 25, { metadata: { duration_source: 'claude_code' } }),
            inv('Bash', 0, 15, { metadata: { duration_source: 'unknown' } }),
          ]);
          const known = await query<{ skill: string; n: number; known: number }>(
            'SELECT s.name AS skill, count(*) AS n, sum(i.duration_known) AS known FROM skill_invocations i JOIN skills s ON s.id = i.skill_id GROUP BY s.name ORDER BY s.name',
          );
          assert.deepEqual(
            known.map((r) => [r.skill, Number(r.n), Number(r.known)]),
            [
              ['Bash', 2, 1],
              ['skill:deploy', 4, 2],
              ['skill:notes', 2, 0],
            ],
          );
          const q = stores.analyticsQueries;
          const figures = (rows: { skill: string; invocations: number; successes: number; timed: number; durationSum: number; durationSqSum: number }[]) =>
            rows.map((r) => [r.skill, r.invocations, r.successes, r.timed, r.durationSum, r.durationSqSum]);
          const want = [
            ['Bash', 2, 2, 1, 50, 2500],
            ['skill:deploy', 4, 4, 2, 1734, 800 ** 2 + 934 ** 2],
            ['skill:notes', 2, 2, 0, 0, 0],
          ];
          const ranges = (r: { durationMin?: number; durationMax?: number }[]) => r.map((x) => [x.durationMin, x.durationMax]);
          // Read from the hourly rollups (whole hours), and with a raw edge (a window starting inside the hour).
          for (const range of [
            { fromMs: NOW - 3 * HOUR_MS, toMs: NOW },
            { fromMs: NOW - 45 * MIN, toMs: NOW },
          ]) {
            const totals = await q.windowTotals(range);
            assert.deepEqual(figures(totals), want, `window from ${range.fromMs}`);
            // The duration range of the measured calls only; none for a skill without one.
            assert.deepEqual(ranges(totals), [
              [50, 50],
              [800, 934],
              [undefined, undefined],
            ]);
            assert.deepEqual(await q.windowHistograms(range, null), [
              { skill: 'Bash', buckets: [{ bucket: durationBucket(50), count: 1 }] },
              {
                skill: 'skill:deploy',
                buckets: [
                  { bucket: durationBucket(800), count: 1 },
                  { bucket: durationBucket(934), count: 1 },
                ],
              },
            ]);
          }
          assert.deepEqual(figures(await q.hourlyRollups({ fromHour: hourOf(NOW) - 1, toHour: hourOf(NOW) })), want);
          assert.deepEqual(
            figures(await q.dailyTotals({ fromHour: hourOf(NOW) - 30, toHour: hourOf(NOW), skills: ['Bash', 'skill:deploy', 'skill:notes'] })),
            want,
          );
          const all = await q.skillTotals();
          assert.deepEqual(figures(all), want);
          assert.deepEqual(
            all.filter((t) => t.timed > 0).map((t) => [t.skill, t.durationMin, t.durationMax]),
            [
              ['Bash', 50, 50],
              ['skill:deploy', 800, 934],
            ],
          );
          assert.deepEqual(
            (await q.skillHistograms()).map((h) => [h.skill, h.buckets.reduce((n, b) => n + b.count, 0)]),
            [
              ['Bash', 1],
              ['skill:deploy', 2],
            ],
          );
          assert.deepEqual(
            (await q.phaseTotals()).map((p) => [p.skill, p.invocations, p.timed, p.durationSum]),
            [
              ['Bash', 2, 1, 50],
              ['skill:deploy', 4, 2, 1734],
              ['skill:notes', 2, 0, 0],
            ],
          );
          // The training sample says which durations were measured: an unmeasured one is stored as 0 ms, which is no duration.
          const sample = await stores.models.trainingSamples({ sinceMs: NOW - 3 * HOUR_MS, limit: 100 });
          assert.deepEqual(
            sample.samples.map((r) => [r.skill, r.durationMs, r.durationKnown]),
            [
              ['skill:notes', 0, false],
              ['skill:deploy', 0, false],
              ['Bash', 0, false],
              ['skill:deploy', 0, false],
              ['Bash', 50, true],
              ['skill:deploy', 934, true],
              ['skill:notes', 0, false],
              ['skill:deploy', 800, true],
            ],
          );
          // Another write into the same hour keeps the measured range (a batch of typed activations only changes no range).
          await tracker.track(inv('skill:deploy', 0, 8, { trigger: 'typed' }));
          await tracker.track(inv('skill:notes', 700, 7, { trigger: 'model' }));
          const after = await q.windowTotals({ fromMs: NOW - 3 * HOUR_MS, toMs: NOW });
          assert.deepEqual(
            after.map((r) => [r.skill, r.invocations, r.timed, r.durationMin, r.durationMax]),
            [
              ['Bash', 2, 1, 50, 50],
              ['skill:deploy', 5, 2, 800, 934],
              ['skill:notes', 3, 1, 700, 700],
            ],
          );
        } finally {
          await dispose();
        }
      });

      it('rejects nothing valid and writes nothing from an invalid batch', { skip: backend.skip ?? false }, async () => {
        const { store, dispose } = await backend.open();
        try {
          const tracker = new Tracker({ store, hashUser: hash, newId: createUlidFactory(), bus: new EventBus(), maxMetadataBytes: 8192, now: () => NOW });
          const ok = { skill_name: 'a', user_id: 'u', session_id: 's', workflow_phase: 'testing', completed: true, duration_ms: 3 };
          await assert.rejects(tracker.trackBatch([ok, { ...ok, workflow_phase: 'nap' }]), /invocations\.1\.workflow_phase/);
          assert.equal((await store.stats()).rows.skill_invocations, 0);
          assert.equal((await tracker.trackBatch([ok, ok])).inserted, 2);
        } finally {
          await dispose();
        }
      });

      it('keeps no session or user made only of duplicates (a resumed transcript under a new session id)', { skip: backend.skip ?? false }, async () => {
        const { store, dispose } = await backend.open();
        try {
          const tracker = new Tracker({ store, hashUser: hash, newId: createUlidFactory(), bus: new EventBus(), maxMetadataBytes: 8192, now: () => NOW });
          const call = (session: string, user: string, key: string) => ({
            skill_name: 'Read',
            user_id: user,
            session_id: session,
            workflow_phase: 'implementation',
            completed: true,
            duration_ms: 4,
            dedupe_key: key,
          });
          await tracker.trackBatch([call('s1', 'u1', 'cc:a')]);
          const counts = async () => {
            const { rows } = await store.stats();
            return [rows.sessions, rows.users, rows.skill_invocations];
          };
          assert.deepEqual(await counts(), [1, 1, 1]);
          // All duplicates, under a new session and a new user: nothing new is kept.
          assert.equal((await tracker.trackBatch([call('s2', 'u2', 'cc:a')])).inserted, 0);
          assert.deepEqual(await counts(), [1, 1, 1]);
          // Mixed: the session (and user) of the new row stays, the duplicate-only ones go.
          const r = await tracker.trackBatch([call('s2', 'u2', 'cc:a'), call('s3', 'u3', 'cc:b'), call('s4', 'u3', 'cc:a')]);
          assert.equal(r.inserted, 1);
          assert.deepEqual(await counts(), [2, 2, 2]);
          // A session dropped earlier is created when it records something after all.
          assert.equal((await tracker.trackBatch([call('s2', 'u2', 'cc:c')])).inserted, 1);
          assert.deepEqual(await counts(), [3, 3, 3]);
        } finally {
          await dispose();
        }
      });

      it('reads invoked_at by dedupe key: stored keys only, any number of them', { skip: backend.skip ?? false }, async () => {
        const { store, dispose } = await backend.open();
        try {
          const tracker = new Tracker({ store, hashUser: hash, newId: createUlidFactory(), bus: new EventBus(), maxMetadataBytes: 8192, now: () => NOW });
          const row = (key: string | undefined, at: number) => ({
            skill_name: 'skill:deploy',
            user_id: 'u',
            session_id: 's',
            workflow_phase: 'deployment',
            completed: true,
            duration_ms: 0,
            invoked_at: at,
            ...(key ? { dedupe_key: key } : {}),
          });
          await tracker.trackBatch([row('cc-typed:s:skill:deploy:1', NOW - 5000), row('cc-typed:s:skill:deploy:2', NOW - 1000), row(undefined, NOW)]);
          const many = Array.from({ length: 700 }, (_, i) => `cc-typed:s:skill:deploy:${i + 1}`);
          const found = await store.invokedAtByDedupeKey(many);
          assert.deepEqual([...found].sort(), [
            ['cc-typed:s:skill:deploy:1', NOW - 5000],
            ['cc-typed:s:skill:deploy:2', NOW - 1000],
          ]);
          assert.equal((await store.invokedAtByDedupeKey([])).size, 0);
        } finally {
          await dispose();
        }
      });

      it('says which invocation ids have a raw row: stored ids only, any number of them', { skip: backend.skip ?? false }, async () => {
        const { store, exec, dispose } = await backend.open();
        try {
          const tracker = new Tracker({ store, hashUser: hash, newId: createUlidFactory(), bus: new EventBus(), maxMetadataBytes: 8192, now: () => NOW });
          const row = (key: string | undefined, at: number) => ({
            skill_name: 'lint',
            user_id: 'u',
            session_id: 's',
            workflow_phase: 'review',
            completed: true,
            duration_ms: 5,
            invoked_at: at,
            ...(key ? { dedupe_key: key } : {}),
          });
          const { ids } = await tracker.trackBatch([row(undefined, NOW - 3000), row('k1', NOW - 2000), row(undefined, NOW - 1000)]);
          const asked = [...Array.from({ length: 700 }, (_, i) => `no-such-id-${i}`), ids[2]!, ids[0]!, 'k1'];
          assert.deepEqual([...(await store.existingInvocationIds(asked))].sort(), [ids[0]!, ids[2]!].sort());
          assert.equal((await store.existingInvocationIds([])).size, 0);
          // A row deleted from the raw table (as `archive` does) is not there.
          await exec(`DELETE FROM skill_invocations WHERE id = '${ids[0]!}'`);
          assert.deepEqual([...(await store.existingInvocationIds(ids))].sort(), [ids[1]!, ids[2]!].sort());
        } finally {
          await dispose();
        }
      });

      it('reads back the rows written after a point, whoever wrote them, as the events the writer published', { skip: backend.skip ?? false }, async () => {
        const { store, dispose } = await backend.open();
        try {
          const bus = new EventBus();
          const published: unknown[] = [];
          bus.on('invocations.recorded', (events) => published.push(...events));
          const tracker = new Tracker({ store, hashUser: hash, newId: createUlidFactory(), bus, maxMetadataBytes: 8192, now: () => NOW });
          const empty = await store.tailCursor();
          assert.deepEqual(await store.invocationsAfter(empty, 10), { cursor: empty, events: [], counts: new Map() });
          const inv = (skill: string, completed: boolean, duration: number, at: number) => ({
            skill_name: skill,
            user_id: 'u1',
            session_id: 's1',
            workflow_phase: 'review',
            completed,
            duration_ms: duration,
            invoked_at: at,
            project: completed ? 'p' : undefined,
            error_type: completed ? undefined : 'timeout',
          });
          // On PostgreSQL the tail waits for every older transaction on the server to end (other
          // tests' too): a read that expects rows retries for a moment.
          await tracker.trackBatch([inv('a', true, 10, NOW - 3000), inv('b', false, 20, NOW - 2000)]);
          const start = await eventually(
            () => store.tailCursor(),
            (c) => c !== empty,
          );
          assert.notEqual(start, empty);
          await tracker.trackBatch([
            inv('a', true, 30, NOW - 1000),
            { ...inv('b', true, 40, NOW - 500), metadata: { source: 'hook', duration_source: 'claude_code' } },
            { ...inv('a', false, 0, NOW), metadata: { source: 'hook', duration_source: 'unknown' } },
          ]);
          // Three rows after `start`: the latest two as events (oldest first), all three counted per skill.
          const tail = await eventually(
            () => store.invocationsAfter(start, 2),
            (t) => t.counts.size === 2,
          );
          assert.equal(tail.cursor, await store.tailCursor());
          assert.deepEqual(
            tail.counts,
            new Map([
              ['a', 2],
              ['b', 1],
            ]),
          );
          assert.deepEqual(tail.events, published.slice(3, 5));
          // A duration not measured (metadata.duration_source "unknown") is said so, by the writer's event and the tail alike.
          assert.deepEqual(
            tail.events.map((e) => [e.skill_name, e.completed, e.duration_ms, e.duration_known, e.invoked_at, e.error_type, e.session_id, e.user_hash]),
            [
              ['b', true, 40, true, NOW - 500, null, 's1', hash('u1')],
              ['a', false, 0, false, NOW, 'timeout', 's1', hash('u1')],
            ],
          );
          assert.deepEqual(await store.invocationsAfter(tail.cursor, 10), { cursor: tail.cursor, events: [], counts: new Map() });
        } finally {
          await dispose();
        }
      });

      it('keeps identical reflection text once per project: again in the same project adds nothing, another project gets its own', {
        skip: backend.skip ?? false,
      }, async () => {
        const { stores, dispose } = await backend.open();
        try {
          const reflections = stores.reflections;
          const note = (project: string | null, createdAt: number): PreparedReflection => ({
            kind: 'note',
            content: 'Run the migrations before the deploy',
            hash: 'a'.repeat(64),
            tags: ['deploy'],
            files: [],
            project,
            data: null,
            duplicateOf: null,
            createdAt,
          });
          const alpha = await reflections.insert(note('alpha', NOW - 3000));
          const again = await reflections.insert(note('alpha', NOW));
          const beta = await reflections.insert(note('beta', NOW - 2000));
          const none = await reflections.insert(note(null, NOW - 1000));
          const noneAgain = await reflections.insert(note(null, NOW));
          const betaAgain = await reflections.insert(note('beta', NOW));
          assert.deepEqual(
            [alpha, again, beta, none, noneAgain, betaAgain].map((r) => [r.created, r.project, r.created_at]),
            [
              [true, 'alpha', new Date(NOW - 3000).toISOString()],
              [false, 'alpha', new Date(NOW - 3000).toISOString()],
              [true, 'beta', new Date(NOW - 2000).toISOString()],
              [true, null, new Date(NOW - 1000).toISOString()],
              [false, null, new Date(NOW - 1000).toISOString()],
              [false, 'beta', new Date(NOW - 2000).toISOString()],
            ],
          );
          assert.equal(again.id, alpha.id);
          assert.equal(betaAgain.id, beta.id);
          assert.equal(noneAgain.id, none.id);
          assert.equal(new Set([alpha.id, beta.id, none.id]).size, 3);
          const search = { limit: 10, tags: [], file: null, kind: null, since: null, until: null };
          // Each project finds its own copy, by words and by filter alone; unfiltered, every project's copy once.
          for (const [project, id] of [
            ['alpha', alpha.id],
            ['beta', beta.id],
          ] as const) {
            assert.deepEqual(
              (await reflections.search({ ...search, terms: ['migrations'], project })).results.map((r) => r.id),
              [id],
            );
            assert.deepEqual(
              (await reflections.search({ ...search, terms: [], project })).results.map((r) => r.id),
              [id],
            );
          }
          assert.deepEqual(
            (await reflections.search({ ...search, terms: ['deploy'], project: null })).results.map((r) => r.id).sort(),
            [alpha.id, beta.id, none.id].sort(),
          );
          const stats = await reflections.stats();
          assert.deepEqual([stats.total, stats.projects], [3, 2]);
        } finally {
          await dispose();
        }
      });
    });
  }
});
