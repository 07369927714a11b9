/**
 * SkillCostStore on every back-end: duplicates skipped (within and across
 * batches), rollup totals per skill and rule, filters by hour, user and skill,
 * unpriced calls counted apart, per-invocation figures, bad rows rejected whole;
 * totals over random windows (whole days and edge hours, one user or everyone)
 * equal to sums over the raw calls; a reprice prices every call again and
 * rebuilds every rollup as the raw calls at the new prices sum up, seen by
 * the next read (also one kept in memory by another store on the database).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ATTRIBUTIONS, type AttributedUsage, type SkillCostQuery, type SkillCostTotal } from './skill-cost-types.js';
import type { PgStore } from './postgres/store.js';
import { SqliteSkillCostStore } from './sqlite/skill-costs.js';
import { testBackends } from '../testing/backends.js';
import { callCost, type PriceTable } from '../analytics/model-prices.js';

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

/** A small deterministic generator (LCG), so a failure can be replayed. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    return x / 2 ** 32;
  };
}

/** Totals summed over raw calls (first of each key), as SkillCostStore.totals answers them. */
function sumCalls(calls: readonly AttributedUsage[], q: SkillCostQuery): SkillCostTotal[] {
  const seen = new Set<string>();
  const by = new Map<string, SkillCostTotal>();
  for (const c of calls) {
    if (seen.has(c.key)) continue;
    seen.add(c.key);
    const hour = Math.floor(c.at / 3_600_000);
    if (q.fromHour !== undefined && hour < q.fromHour) continue;
    if (q.toHour !== undefined && hour > q.toHour) continue;
    if (q.userHash !== undefined && c.userHash !== q.userHash) continue;
    if (q.skills && !q.skills.includes(c.skill)) continue;
    const k = `${c.skill} ${c.attribution}`;
    let t = by.get(k);
    if (!t) {
      t = {
        skill: c.skill,
        attribution: c.attribution,
        apiCalls: 0,
        inputTokens: 0,
        outputTokens: 0,
        cacheWriteTokens: 0,
        cacheReadTokens: 0,
        costUsd: 0,
        unpricedCalls: 0,
      };
      by.set(k, t);
    }
    t.apiCalls++;
    t.inputTokens += c.inputTokens;
    t.outputTokens += c.outputTokens;
    t.cacheWriteTokens += c.cacheWriteTokens;
    t.cacheReadTokens += c.cacheReadTokens;
    if (c.costUsd === null) t.unpricedCalls++;
    else t.costUsd += c.costUsd;
  }
  return [...by.values()].sort((a, b) =>
    a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : a.attribution < b.attribution ? -1 : a.attribution > b.attribution ? 1 : 0,
  );
}

/** Two price tables: B changes every price, drops claude-haiku-4-5 and adds mystery-model. */
const TABLE_A: PriceTable = {
  version: 'A',
  source: 'test',
  models: {
    'claude-sonnet-4-5': { input: 3, output: 15, cacheWrite: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
    'claude-haiku-4-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
  },
};
const TABLE_B: PriceTable = {
  version: 'B',
  source: 'test',
  models: {
    'claude-sonnet-4-5': { input: 2.5, output: 11, cacheWrite: 3.1, cacheWrite1h: 7.7, cacheRead: 0.27 },
    'mystery-model': { input: 0.5, output: 2, cacheWrite: 0.6, cacheRead: 0.05 },
  },
};

/** A call priced as the import prices it (stamped and bounded) at `table`; telemetry keeps the cost given. */
function priced(table: PriceTable, r: AttributedUsage): AttributedUsage {
  if (r.attribution === 'telemetry') return r;
  const cost = callCost(table, r.model, {
    input: r.inputTokens,
    output: r.outputTokens,
    cacheWrite: r.cacheWriteTokens,
    cacheWrite1h: r.cacheWrite1hTokens ?? 0,
    cacheRead: r.cacheReadTokens,
  });
  return { ...r, costUsd: cost };
}

type SumRow = Record<string, string | number | null>;

/** Rows of a rollup recomputed from calls: sums per `key` columns, sorted by them. */
function rollupOf(calls: readonly AttributedUsage[], key: (c: AttributedUsage) => SumRow): SumRow[] {
  const by = new Map<string, SumRow>();
  for (const c of calls) {
    const k = key(c);
    const id = JSON.stringify(k);
    const row = by.get(id) ?? {
      ...k,
      api_calls: 0,
      input_tokens: 0,
      output_tokens: 0,
      cache_write_tokens: 0,
      cache_read_tokens: 0,
      cost_usd: 0,
      unpriced_calls: 0,
    };
    by.set(id, row);
    (row.api_calls as number)++;
    (row.input_tokens as number) += c.inputTokens;
    (row.output_tokens as number) += c.outputTokens;
    (row.cache_write_tokens as number) += c.cacheWriteTokens;
    (row.cache_read_tokens as number) += c.cacheReadTokens;
    if (c.costUsd === null) (row.unpriced_calls as number)++;
    else (row.cost_usd as number) += c.costUsd;
  }
  return [...by.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((e) => e[1]);
}

/** Stored rollup rows equal to expected ones: integers exactly, costs to 1e-12 relative (summed in another order). */
function assertRollup(label: string, stored: SumRow[], expected: SumRow[], costKey = 'cost_usd'): void {
  const norm = (rows: SumRow[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? v : Number(v)])));
  const a = norm(stored);
  const b = norm(expected);
  assert.equal(a.length, b.length, `${label}: row count`);
  for (let i = 0; i < a.length; i++) {
    const { [costKey]: ca, ...ra } = a[i]!;
    const { [costKey]: cb, ...rb } = b[i]!;
    assert.deepEqual(ra, rb, `${label}: row ${i}`);
    assert.ok(Math.abs((ca as number) - (cb as number)) <= 1e-12 * Math.max(1, Math.abs(cb as number)), `${label}: row ${i} cost ${ca} != ${cb}`);
  }
}

/** Totals equal to expected ones, costs to 1e-12 relative. */
function assertTotals(label: string, got: SkillCostTotal[], expected: SkillCostTotal[]): void {
  assertRollup(label, got as unknown as SumRow[], expected as unknown as SumRow[], 'costUsd');
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
            call('m2:bounded', { outputTokens: 2 }), // same key in one batch, no more output tokens: the first one counts
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

      it('revises a recorded call seen again with more output tokens (the final count of a streamed response), and its rollups', {
        skip: backend.skip ?? false,
      }, async () => {
        const { stores, dispose, query } = await backend.open();
        try {
          const s = stores.skillCosts;
          // An import that stopped inside a response: its early lines hold a placeholder output count.
          await s.record([
            call('m1:bounded', { outputTokens: 1, costUsd: 0.1 }),
            call('m1:stamped', { attribution: 'stamped', outputTokens: 1, costUsd: 0.1 }),
          ]);
          const totalsBefore = await s.totals({ fromHour: H, toHour: H }); // read (and kept in memory) before the revision
          assert.equal(totalsBefore[0]!.outputTokens, 1);
          // The next import reads the response's last line: the final count, in one batch with a new call.
          const next = await s.record([
            call('m1:bounded', { outputTokens: 260, costUsd: 0.4, at: at(H + 5), skill: 'skill:other', invocationId: 'toolu_9' }),
            call('m2:bounded', { at: at(H + 2), costUsd: 0.5 }), // another hour: the revised one's counts do not change
          ]);
          assert.deepEqual(next, { inserted: 1, duplicates: 1 });
          // Fewer or as many output tokens: a plain duplicate, nothing changes.
          assert.deepEqual(
            await s.record([call('m1:bounded', { outputTokens: 7, costUsd: 0.2 }), call('m1:stamped', { attribution: 'stamped', outputTokens: 1 })]),
            {
              inserted: 0,
              duplicates: 2,
            },
          );
          // The stored call keeps its skill, time and invocation; only its figures change.
          const raw = await query<{ skill: string; at: number; invocation_id: string; output_tokens: number; cost_usd: number }>(
            "SELECT skill, at, invocation_id, output_tokens, cost_usd FROM skill_cost_calls WHERE key = 'm1:bounded'",
          );
          assert.deepEqual(
            raw.map((r) => [r.skill, Number(r.at), r.invocation_id, Number(r.output_tokens), r.cost_usd]),
            [['skill:review', at(H), 'toolu_1', 260, 0.4]],
          );
          const expected = [
            {
              skill: 'skill:review',
              attribution: 'bounded' as const,
              apiCalls: 2,
              inputTokens: 20,
              outputTokens: 280,
              cacheWriteTokens: 60,
              cacheReadTokens: 80,
              costUsd: 0.9,
              unpricedCalls: 0,
            },
            {
              skill: 'skill:review',
              attribution: 'stamped' as const,
              apiCalls: 1,
              inputTokens: 10,
              outputTokens: 1,
              cacheWriteTokens: 30,
              cacheReadTokens: 40,
              costUsd: 0.1,
              unpricedCalls: 0,
            },
          ];
          assertTotals('all time', await s.totals(), expected);
          assertTotals('one user', await s.totals({ userHash: 'u1' }), expected);
          // Read again: not the figures kept from before the revision.
          assertTotals('the hour, read again', await s.totals({ fromHour: H, toHour: H }), [
            { ...expected[0]!, apiCalls: 1, inputTokens: 10, outputTokens: 260, cacheWriteTokens: 30, cacheReadTokens: 40, costUsd: 0.4 },
            expected[1]!,
          ]);
          const inv = await s.invocations!({ attribution: 'bounded' });
          assert.deepEqual(
            inv.map((v) => [v.invocationId, v.apiCalls, v.firstAt, v.lastAt]),
            [['toolu_1', 2, at(H), at(H + 2)]],
          );
          assert.ok(Math.abs(inv[0]!.costUsd - 0.9) < 1e-12);
        } finally {
          await dispose();
        }
      });

      it('sums random windows, for everyone and per user, exactly as the raw calls', { skip: backend.skip ?? false }, async () => {
        const { stores, store, dispose } = await backend.open();
        try {
          const rand = lcg(20_261_130);
          const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
          const skills = ['skill:a', 'skill:b', 'mcp__x__y', 'Task'];
          const users = ['u1', 'u2', 'u3'];
          const start = 24 * 20_000 + 5; // an hour inside a UTC day, so the data spans partial days at both ends
          const span = 24 * 6;
          const calls: AttributedUsage[] = [];
          for (let batch = 0; batch < 6; batch++) {
            const rows: AttributedUsage[] = [];
            for (let i = 0; i < 120; i++) {
              // Costs in 1/1024 dollars: every partial sum is exact in binary floating point, whatever the order.
              rows.push(
                call(`r${batch}:${i}`, {
                  skill: pick(skills),
                  attribution: pick(ATTRIBUTIONS),
                  userHash: pick(users),
                  at: (start + Math.floor(rand() * span)) * 3_600_000 + Math.floor(rand() * 3_600_000),
                  inputTokens: Math.floor(rand() * 1000),
                  outputTokens: Math.floor(rand() * 100),
                  cacheWriteTokens: Math.floor(rand() * 10),
                  cacheReadTokens: Math.floor(rand() * 5000),
                  costUsd: rand() < 0.1 ? null : Math.floor(rand() * 4096) / 1024,
                  invocationId: null,
                }),
              );
            }
            rows.push({ ...rows[0]!, inputTokens: 999_999 }); // a duplicate key: the first one counts
            calls.push(...rows);
            await stores.skillCosts.record(rows);
          }
          const queries: SkillCostQuery[] = [{}, { userHash: 'u2' }, { fromHour: start, toHour: start + span - 1 }];
          for (let i = 0; i < 40; i++) {
            const a = start - 30 + Math.floor(rand() * (span + 60));
            const b = start - 30 + Math.floor(rand() * (span + 60));
            const q: SkillCostQuery = { fromHour: Math.min(a, b), toHour: Math.max(a, b) };
            if (rand() < 0.6) q.skills = skills.filter(() => rand() < 0.6);
            if (rand() < 0.4) q.userHash = pick(users);
            if (rand() < 0.1) delete q.fromHour;
            queries.push(q);
          }
          for (const q of queries) assert.deepEqual(await stores.skillCosts.totals(q), sumCalls(calls, q), JSON.stringify(q));
          // Migration 0019 fills the user-less rollups from skill_cost_hourly: dropped and rebuilt, they answer the same.
          const m = stores.sqlite?.migrator ?? (store as PgStore).migrator;
          await m.to(18);
          await m.to(m.latestVersion);
          for (const q of queries) assert.deepEqual(await stores.skillCosts.totals(q), sumCalls(calls, q), `after migrating: ${JSON.stringify(q)}`);
        } finally {
          await dispose();
        }
      });

      it('totals over windows again after late calls into their past days and hours (kept in memory per period)', { skip: backend.skip ?? false }, async () => {
        const { stores, dispose } = await backend.open();
        try {
          const start = 24 * 20_100 + 7;
          const calls: AttributedUsage[] = [];
          const add = async (rows: AttributedUsage[]) => {
            calls.push(...rows);
            await stores.skillCosts.record(rows);
          };
          await add(
            Array.from({ length: 200 }, (_, i) =>
              call(`w${i}`, {
                skill: ['skill:a', 'skill:b', 'skill:c'][i % 3]!,
                attribution: ATTRIBUTIONS[i % 2]!,
                at: (start + ((i * 7) % (24 * 5))) * 3_600_000 + i * 1000,
                costUsd: (i % 9) / 8,
                invocationId: null,
              }),
            ),
          );
          const queries: SkillCostQuery[] = [
            { fromHour: start, toHour: start + 24 * 5 - 1 },
            { fromHour: start + 20, toHour: start + 24 * 4, skills: ['skill:b', 'skill:d'] },
          ];
          const check = async (label: string) => {
            for (const q of queries) assert.deepEqual(await stores.skillCosts.totals(q), sumCalls(calls, q), `${label}: ${JSON.stringify(q)}`);
          };
          await check('first read');
          await check('second read');
          // A whole past day, an edge hour of the first window, a skill new to that day.
          const late = [
            call('late1', { skill: 'skill:b', at: (24 * 20_102 + 3) * 3_600_000, costUsd: 0.75, invocationId: null }),
            call('late2', { skill: 'skill:a', attribution: 'stamped', at: (start + 2) * 3_600_000 + 5, costUsd: null, invocationId: null }),
            call('late3', { skill: 'skill:d', at: (24 * 20_103 + 1) * 3_600_000, costUsd: 0.125, invocationId: null }),
          ];
          for (const row of late) {
            await add([row]);
            await check(`after ${row.key}`);
          }
        } finally {
          await dispose();
        }
      });

      it('reprices every stored call and rebuilds every rollup as the calls sum up at the new prices', { skip: backend.skip ?? false }, async () => {
        const { stores, dispose, query, exec } = await backend.open();
        try {
          const s = stores.skillCosts;
          const day = 24 * 20_200;
          const base = (key: string, over: Partial<AttributedUsage>): AttributedUsage =>
            call(key, { inputTokens: 1_200, outputTokens: 800, cacheWriteTokens: 2_000, cacheWrite1hTokens: 0, cacheReadTokens: 30_000, ...over });
          const raw: AttributedUsage[] = [
            // One call under both rules, half its cache writes with the 1-hour lifetime.
            base('m1:stamped', { attribution: 'stamped', at: (day + 3) * 3_600_000, cacheWrite1hTokens: 1_000 }),
            base('m1:bounded', { at: (day + 3) * 3_600_000, cacheWrite1hTokens: 1_000 }),
            base('m2:bounded', { at: (day + 3) * 3_600_000 + 60_000, cacheWrite1hTokens: 2_000, userHash: 'u2' }),
            base('m3:bounded', { at: (day + 5) * 3_600_000, model: 'claude-haiku-4-5-20251001', invocationId: 'toolu_2' }),
            base('m4:stamped', { attribution: 'stamped', at: (day + 26) * 3_600_000, model: 'mystery-model', skill: 'skill:deploy', invocationId: null }),
            base('m5:bounded', { at: (day + 27) * 3_600_000, model: 'never-priced', skill: 'skill:deploy', invocationId: 'toolu_3' }),
            // Stored before the 1-hour split was kept: approximate at any price.
            base('m6:bounded', { at: (day + 27) * 3_600_000 + 5, cacheWrite1hTokens: undefined, invocationId: 'toolu_3', skill: 'skill:deploy' }),
            base('m7:bounded', { at: (day + 28) * 3_600_000, cacheWriteTokens: 0, cacheWrite1hTokens: null, invocationId: 'toolu_3', skill: 'skill:deploy' }),
            // Claude Code's own figure: kept.
            base('r1:telemetry', { attribution: 'telemetry', at: (day + 4) * 3_600_000, cacheWrite1hTokens: null, costUsd: 0.123, invocationId: null }),
          ];
          const atA = raw.map((r) => priced(TABLE_A, r));
          assert.deepEqual(await s.record(atA), { inserted: atA.length, duplicates: 0 });
          const split = await query<{ key: string; h: number | null }>('SELECT key, cache_write_1h_tokens AS h FROM skill_cost_calls ORDER BY key');
          assert.deepEqual(
            split.map((r) => [r.key, r.h === null ? null : Number(r.h)]),
            atA.map((r) => [r.key, r.cacheWrite1hTokens ?? null]).sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
          );
          // The read the skill report makes (a window of whole days and edge hours), kept in memory per period;
          // `other` is a second store on the same database (as a server is while the CLI reprices).
          const window: SkillCostQuery = { fromHour: day, toHour: day + 47, skills: ['skill:review', 'skill:deploy'] };
          const other = stores.sqlite ? new SqliteSkillCostStore(stores.sqlite.db) : null;
          for (const reader of [s, other]) {
            if (!reader) continue;
            assertTotals('at A', await reader.totals(window), sumCalls(atA, window));
            assertTotals('at A again', await reader.totals(window), sumCalls(atA, window));
          }

          // Read two calls a page and the sums added to the emptied tables two calls at a time: rows of one
          // hour or one invocation are added in several parts.
          const progress: number[][] = [];
          const result = await s.reprice(TABLE_B, { pageRows: 2, flushEvery: 2, onProgress: (done, total) => progress.push([done, total]) });
          assert.deepEqual(
            progress,
            [2, 4, 6, 8, 9].map((done) => [done, raw.length]),
          );
          const atB = raw.map((r) => priced(TABLE_B, r));
          const changed = atB.filter((r, i) => r.costUsd !== atA[i]!.costUsd).length;
          assert.equal(changed, 7); // all but the telemetry call and the call never priced
          assert.deepEqual(result, { calls: 8, changed, approximate: 1, unpriced: 2, telemetry: 1 });

          const costs = await query<{ key: string; cost_usd: number | null }>('SELECT key, cost_usd FROM skill_cost_calls ORDER BY key');
          const want = new Map(atB.map((r) => [r.key, r.costUsd]));
          for (const c of costs) assert.equal(c.cost_usd, want.get(c.key), c.key);
          assert.equal(want.get('m6:bounded'), callCost(TABLE_B, 'claude-sonnet-4-5', { input: 1_200, output: 800, cacheWrite: 2_000, cacheRead: 30_000 }));

          const sums = 'api_calls, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, cost_usd, unpriced_calls';
          const hour = (c: AttributedUsage) => Math.floor(c.at / 3_600_000);
          assertRollup(
            'skill_cost_hourly',
            await query(`SELECT skill, attribution, user_hash, hour, ${sums} FROM skill_cost_hourly ORDER BY skill, attribution, user_hash, hour`),
            rollupOf(atB, (c) => ({ skill: c.skill, attribution: c.attribution, user_hash: c.userHash, hour: hour(c) })),
          );
          assertRollup(
            'skill_cost_skill_hourly',
            await query(`SELECT skill, attribution, hour, ${sums} FROM skill_cost_skill_hourly ORDER BY skill, attribution, hour`),
            rollupOf(atB, (c) => ({ skill: c.skill, attribution: c.attribution, hour: hour(c) })),
          );
          assertRollup(
            'skill_cost_daily',
            await query(`SELECT skill, attribution, day, ${sums} FROM skill_cost_daily ORDER BY skill, attribution, day`),
            rollupOf(atB, (c) => ({ skill: c.skill, attribution: c.attribution, day: Math.floor(hour(c) / 24) })),
          );
          assertRollup(
            'skill_cost_invocations',
            await query(
              `SELECT invocation_id, attribution, skill, user_hash, session_key, first_at, last_at, ${sums} FROM skill_cost_invocations ORDER BY invocation_id, attribution`,
            ),
            rollupOf(
              atB.filter((c) => c.invocationId),
              (c) => {
                const mine = atB.filter((x) => x.invocationId === c.invocationId && x.attribution === c.attribution);
                return {
                  invocation_id: c.invocationId!,
                  attribution: c.attribution,
                  skill: c.skill,
                  user_hash: mine[0]!.userHash,
                  session_key: c.sessionKey,
                  first_at: Math.min(...mine.map((x) => x.at)),
                  last_at: Math.max(...mine.map((x) => x.at)),
                };
              },
            ),
          );
          // The next read sees the new costs, from every reader's memory of past periods too.
          for (const reader of [s, other]) {
            if (!reader) continue;
            assertTotals('at B', await reader.totals(window), sumCalls(atB, window));
            assertTotals('at B, open window', await reader.totals({}), sumCalls(atB, {}));
            assertTotals('at B, one user', await reader.totals({ ...window, userHash: 'u1' }), sumCalls(atB, { ...window, userHash: 'u1' }));
          }
          // A batch recorded after the reprice adds to the rebuilt rollups; the same prices again change nothing.
          const late = priced(TABLE_B, base('m8:bounded', { at: (day + 3) * 3_600_000 + 7 }));
          await s.record([late]);
          assertTotals('after a late call', await s.totals(window), sumCalls([...atB, late], window));
          assert.deepEqual(await s.reprice(TABLE_B), { calls: 9, changed: 0, approximate: 1, unpriced: 2, telemetry: 1 });
          assertTotals('repriced twice', await s.totals(window), sumCalls([...atB, late], window));
          // Back at A: every figure as at first.
          await exec("DELETE FROM skill_cost_calls WHERE key = 'm8:bounded'");
          await s.reprice(TABLE_A);
          for (const reader of [s, other]) if (reader) assertTotals('back at A', await reader.totals(window), sumCalls(atA, window));
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
