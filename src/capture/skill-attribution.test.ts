/**
 * Skill attribution on hand-made transcripts: the rule cases through the
 * attributor (lines decoded as the scan decodes them), then the import
 * pipeline over a real store, across two imports of a growing file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { PriceTable } from '../analytics/model-prices.js';
import type { AttributedUsage } from '../store/skill-cost-types.js';
import { testBackends, testTracker } from '../testing/backends.js';
import { SkillAttributor, type AttributionCounts } from './skill-attribution.js';
import { importTranscripts } from './transcript-import.js';
import { eventsFromLine } from './transcript-pairing.js';
import { reduceLine } from './transcript-lazy-json.js';

// 1 $ per million input, 2 output, 4 cache write, 0.5 cache read.
const PRICES: PriceTable = { version: 'test', source: 'test', models: { 'claude-test': { input: 1, output: 2, cacheWrite: 4, cacheRead: 0.5 } } };
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
let clock = 0;
const ts = () => new Date(T0 + ++clock * 1000).toISOString();

type Block = Record<string, unknown>;
interface CallOpts {
  stamp?: string;
  agent?: string;
  model?: string;
  usage?: Record<string, unknown> | null;
  blocks?: Block[];
}
/** One line of an assistant response `id` (input tokens `n`, output 1). */
function call(id: string, n: number, o: CallOpts = {}): Record<string, unknown> {
  const line: Record<string, unknown> = {
    type: 'assistant',
    sessionId: 'S',
    timestamp: ts(),
    message: {
      id,
      model: o.model ?? 'claude-test',
      role: 'assistant',
      content: o.blocks ?? [{ type: 'text', text: 'working' }],
      ...(o.usage === null ? {} : { usage: o.usage ?? { input_tokens: n, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } }),
    },
  };
  if (o.stamp) line.attributionSkill = o.stamp;
  if (o.agent) Object.assign(line, { isSidechain: true, agentId: o.agent });
  return line;
}
const skillUse = (id: string, skill: string): Block => ({ type: 'tool_use', id, name: 'Skill', input: { skill } });
const taskUse = (id: string): Block => ({ type: 'tool_use', id, name: 'Task', input: { subagent_type: 'general-purpose', prompt: 'x' } });
const readUse = (id: string): Block => ({ type: 'tool_use', id, name: 'Read', input: { file_path: '/a' } });
const result = (id: string, agent?: string) => ({
  type: 'user',
  sessionId: 'S',
  timestamp: ts(),
  ...(agent ? { isSidechain: true, agentId: agent } : {}),
  message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'done' }] },
});
const prompt = (text: string, agent?: string) => ({
  type: 'user',
  sessionId: 'S',
  timestamp: ts(),
  ...(agent ? { isSidechain: true, agentId: agent } : {}),
  message: { role: 'user', content: text },
});
const meta = (text: string) => ({ type: 'user', isMeta: true, sessionId: 'S', timestamp: ts(), message: { role: 'user', content: [{ type: 'text', text }] } });

function attribute(lines: unknown[]): { rows: AttributedUsage[]; counts: AttributionCounts; by: (a: 'stamped' | 'bounded') => string[] } {
  const counts: AttributionCounts = { calls: 0, noUsage: 0, unpriced: 0, unknownModels: new Set() };
  const a = new SkillAttributor('uh', PRICES, counts);
  const rows: AttributedUsage[] = [];
  for (const line of lines) {
    // Decoded both ways the scan decodes (short lines: JSON.parse; long ones: lazily); same events.
    const full = eventsFromLine(line, 'fallback', true).events;
    assert.deepEqual(eventsFromLine(reduceLine(Buffer.from(JSON.stringify(line))), 'fallback', true).events, full);
    for (const e of full) a.add(e, rows);
  }
  const by = (attr: 'stamped' | 'bounded') => rows.filter((r) => r.attribution === attr).map((r) => `${r.key.split(':')[0]} ${r.skill}`);
  return { rows, counts, by };
}

describe('skill attribution', () => {
  it('stamp present and absent: stamped follows the field; bounded starts after the Skill call', () => {
    const { by, rows, counts } = attribute([
      prompt('review this'),
      call('m1', 10, { blocks: [skillUse('s1', 'review')] }),
      result('s1'),
      meta('skill instructions'), // the skill's loaded text: not a prompt
      call('m2', 20, { stamp: 'review' }),
      call('m3', 30), // no stamp (e.g. an older Claude Code)
    ]);
    assert.deepEqual(by('stamped'), ['m2 skill:review']);
    assert.deepEqual(by('bounded'), ['m2 skill:review', 'm3 skill:review']);
    assert.equal(counts.calls, 3);
    const m2 = rows.find((r) => r.key === 'm2:bounded')!;
    // 20 input × 1 $/M + 1 output × 2 $/M = 22 µ$
    assert.equal(m2.costUsd, 0.000022);
    assert.equal(m2.invocationId, 's1');
    assert.equal(rows.find((r) => r.key === 'm2:stamped')!.invocationId, 's1');
    assert.equal(m2.userHash, 'uh');
    assert.equal(m2.sessionKey, 'S');
  });

  it('a user prompt ends the span; the stamp may go on, bounded does not', () => {
    const { by } = attribute([
      call('m1', 1, { blocks: [skillUse('s1', 'plan')] }),
      result('s1'),
      call('m2', 1, { stamp: 'plan' }),
      prompt('now implement it'),
      call('m3', 1),
    ]);
    assert.deepEqual(by('bounded'), ['m2 skill:plan']);
  });

  it('a typed built-in command that sends the model a request (/review) ends the span; its request is meta text', () => {
    const typed = (name: string) => prompt(`<command-message>${name}</command-message>\n<command-name>/${name}</command-name>\n<command-args></command-args>`);
    const { by } = attribute([
      call('m1', 1, { blocks: [skillUse('s1', 'plan')] }),
      result('s1'),
      call('m2', 1),
      typed('review'),
      meta('Review this change.'),
      call('m3', 1),
      call('m4', 1, { blocks: [skillUse('s2', 'plan')] }),
      result('s2'),
      call('m5', 1),
      typed('mcp__github__pr_summary'),
      call('m6', 1),
    ]);
    assert.deepEqual(by('bounded'), ['m2 skill:plan', 'm5 skill:plan']);
  });

  it('two skills in a row: the second Skill call ends the first span and opens its own', () => {
    const { by } = attribute([
      call('m1', 1, { blocks: [skillUse('s1', 'a')] }),
      result('s1'),
      call('m2', 1, { stamp: 'a', blocks: [skillUse('s2', 'b')] }),
      result('s2'),
      call('m3', 1, { stamp: 'b' }),
      call('m4', 1, { stamp: 'b' }),
    ]);
    assert.deepEqual(by('bounded'), ['m2 skill:a', 'm3 skill:b', 'm4 skill:b']);
    assert.deepEqual(by('stamped'), ['m2 skill:a', 'm3 skill:b', 'm4 skill:b']);
  });

  it('a subagent the skill spawns is the skill’s; one started before it is not, and its report ends the span', () => {
    const { by } = attribute([
      call('m0', 1, { blocks: [taskUse('t0')] }), // background subagent started before the skill
      call('x1', 1, { agent: 'x' }),
      call('m1', 1, { blocks: [skillUse('s1', 'ship')] }),
      result('s1'),
      call('m2', 1, { stamp: 'ship', blocks: [taskUse('t1')] }), // the skill hands work to a subagent
      prompt('sub task', 'y'),
      call('y1', 1, { agent: 'y', stamp: 'ship' }),
      call('y2', 1, { agent: 'y', stamp: 'ship' }),
      call('x2', 1, { agent: 'x', stamp: 'ship' }), // the stamp is inherited by the earlier subagent too
      result('t1'),
      call('m3', 1, { stamp: 'ship' }),
      result('t0'), // the earlier subagent's report returns: other work from here on
      call('m4', 1, { stamp: 'ship' }),
      call('m5', 1, { stamp: 'ship', blocks: [readUse('r1')] }),
    ]);
    assert.deepEqual(by('bounded'), ['m2 skill:ship', 'y1 skill:ship', 'y2 skill:ship', 'm3 skill:ship']);
    assert.deepEqual(by('stamped'), ['m2 skill:ship', 'y1 skill:ship', 'y2 skill:ship', 'x2 skill:ship', 'm3 skill:ship', 'm4 skill:ship', 'm5 skill:ship']);
  });

  it('the lines of one response (same message.id) count once', () => {
    const { by, counts } = attribute([
      call('m1', 1, { blocks: [skillUse('s1', 'a')] }),
      result('s1'),
      call('m2', 5, { stamp: 'a', blocks: [{ type: 'thinking', thinking: '…' }] }),
      call('m2', 5, { stamp: 'a', blocks: [{ type: 'text', text: 'x' }] }),
      call('m2', 5, { stamp: 'a', blocks: [readUse('r1')] }),
    ]);
    assert.deepEqual(by('bounded'), ['m2 skill:a']);
    assert.deepEqual(by('stamped'), ['m2 skill:a']);
    assert.equal(counts.calls, 2);
  });

  it('the lines of one response: the usage of the line with the most output tokens counts (streamed, the final count is on the last line)', () => {
    const usage = (output: number) => ({ input_tokens: 2, output_tokens: output, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 });
    const { rows, counts } = attribute([
      call('m1', 1, { blocks: [skillUse('s1', 'a')] }),
      result('s1'),
      call('m2', 0, { stamp: 'a', usage: usage(1), blocks: [{ type: 'thinking', thinking: '…' }] }),
      call('m2', 0, { stamp: 'a', usage: usage(1), blocks: [{ type: 'text', text: 'x' }] }),
      call('m2', 0, { stamp: 'a', usage: usage(260), blocks: [readUse('r1')] }),
      call('m2', 0, { stamp: 'a', usage: usage(7) }), // fewer: not taken
      result('r1'),
      call('m3', 0, { stamp: 'a', usage: usage(5) }),
    ]);
    assert.equal(counts.calls, 3);
    // m2: 2 × 1 + 260 × 2 + 100 × 4 + 1000 × 0.5 = 1422 µ$; m3: 2 + 10 + 400 + 500 = 912 µ$
    assert.deepEqual(
      rows.map((r) => [r.key, r.inputTokens, r.outputTokens, r.cacheWriteTokens, r.cacheReadTokens, r.costUsd]),
      [
        ['m2:stamped', 2, 260, 100, 1000, 0.001422],
        ['m2:bounded', 2, 260, 100, 1000, 0.001422],
        ['m3:stamped', 2, 5, 100, 1000, 0.000912],
        ['m3:bounded', 2, 5, 100, 1000, 0.000912],
      ],
    );
  });

  it('no usage: counted, never attributed; an unknown model: tokens counted, cost null', () => {
    const { rows, counts } = attribute([
      call('m1', 1, { blocks: [skillUse('s1', 'a')] }),
      result('s1'),
      call('m2', 7, { usage: null, stamp: 'a' }),
      call('m3', 7, { usage: { input_tokens: 'many' }, stamp: 'a' }),
      call('m4', 7, { model: 'mystery-9', stamp: 'a' }),
      call('m5', 0, { model: '<synthetic>', stamp: 'a' }),
    ]);
    assert.deepEqual([counts.calls, counts.noUsage, counts.unpriced, [...counts.unknownModels]], [4, 2, 2, ['mystery-9']]);
    assert.deepEqual(
      rows.map((r) => [r.key, r.inputTokens, r.costUsd]),
      [
        ['m4:stamped', 7, null],
        ['m4:bounded', 7, null],
      ],
    );
  });

  it('prices cache writes (1-hour ones at the 5-minute price when the table has no 1-hour price) and cache reads', () => {
    const { rows } = attribute([
      call('m1', 1, { blocks: [skillUse('s1', 'a')] }),
      result('s1'),
      call('m2', 0, {
        usage: {
          input_tokens: 100,
          output_tokens: 10,
          cache_creation_input_tokens: 1000,
          cache_read_input_tokens: 4000,
          cache_creation: { ephemeral_1h_input_tokens: 200 },
        },
      }),
    ]);
    const r = rows[0]!;
    assert.deepEqual([r.inputTokens, r.outputTokens, r.cacheWriteTokens, r.cacheReadTokens], [100, 10, 1000, 4000]);
    // The 1-hour part is kept with the call, so that it can be priced again exactly (reprice).
    assert.equal(r.cacheWrite1hTokens, 200);
    // 100 × 1 + 10 × 2 + 1000 × 4 + 4000 × 0.5 = 100 + 20 + 4000 + 2000 = 6120 µ$
    assert.equal(r.costUsd, 0.00612);
  });

  it('carries to the next import the place of main and of the 64 subagent chains with the latest responses, not of every chain ever seen', () => {
    const counts: AttributionCounts = { calls: 0, noUsage: 0, unpriced: 0, unknownModels: new Set() };
    const rows: AttributedUsage[] = [];
    const feed = (a: SkillAttributor, lines: unknown[]) => {
      for (const line of lines) for (const e of eventsFromLine(line, 'fallback', true).events) a.add(e, rows);
    };
    const first = new SkillAttributor('uh', PRICES, counts);
    // Skill a opens a span; a subagent it starts ("early") answers first of all the chains.
    feed(first, [
      call('m0', 1, { blocks: [skillUse('s1', 'a')] }),
      result('s1'),
      call('m1', 1, { blocks: [taskUse('t0')] }),
      call('e1', 2, { agent: 'early' }),
    ]);
    // 100 more subagents of the span run and report, one after the other.
    for (let k = 0; k < 100; k++) {
      feed(first, [call(`mt${k}`, 1, { blocks: [taskUse(`t${k + 1}`)] }), call(`c${k}`, 1, { agent: `c${k}` }), result(`t${k + 1}`)]);
    }
    // "early" answers again: its chain is among the latest now, though it was the first seen.
    feed(first, [call('e2', 3, { agent: 'early' })]);
    const state = JSON.parse(JSON.stringify(first.state())) as ReturnType<SkillAttributor['state']>;
    const chains = state.last.map(([chain]) => chain);
    assert.equal(chains.length, 65, 'main and 64 subagent chains');
    assert.ok(chains.includes('main') && chains.includes('side:early') && chains.includes('side:c99'));
    assert.ok(!chains.includes('side:c0'), 'a chain quiet since 64 others answered is not carried');
    assert.deepEqual(state.sides.map(([chain]) => chain).sort(), chains.filter((c) => c !== 'main').sort());
    assert.deepEqual(state.agents, [['t0', 's1']]);

    // The next import: the user's prompt ends the span on the main thread; "early" repeats its last
    // response's id (not counted again), then goes on, still the skill's; c0, not carried, is taken
    // as new, and with no span open now it is nobody's.
    const next = new SkillAttributor('uh', PRICES, counts, state);
    const callsBefore = counts.calls;
    rows.length = 0;
    feed(next, [prompt('next task'), call('e2', 3, { agent: 'early' }), call('e3', 4, { agent: 'early' }), call('c0b', 5, { agent: 'c0' })]);
    assert.equal(counts.calls, callsBefore + 2);
    assert.deepEqual(
      rows.map((r) => `${r.key} ${r.skill}`),
      ['e3:bounded skill:a'],
    );
  });

  it('carries the newest 64 subagent calls still awaiting their result (interrupted ones never get one)', () => {
    const a = new SkillAttributor('uh', PRICES, { calls: 0, noUsage: 0, unpriced: 0, unknownModels: new Set() });
    for (let k = 0; k < 70; k++) for (const e of eventsFromLine(call(`m${k}`, 1, { blocks: [taskUse(`t${k}`)] }), 'fallback', true).events) a.add(e, []);
    assert.deepEqual(
      a.state().agents.map(([id]) => id),
      Array.from({ length: 64 }, (_, i) => `t${i + 6}`),
    );
  });
});

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-attr-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

describe('skill costs through the import', async () => {
  for (const backend of await testBackends()) {
    it(`${backend.name}: attributes across two imports of a growing file, and records each call once`, { skip: backend.skip ?? false }, async () => {
      const b = await backend.open();
      try {
        const NOW = T0 + 3_600_000;
        const file = path.join(root, backend.name, 'S.jsonl');
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const write = (lines: unknown[]) => fs.appendFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
        const { tracker } = testTracker(b.store, () => NOW);
        const run = () =>
          importTranscripts(path.dirname(file), {
            userId: 'u',
            record: (i) => tracker.trackBatch(i),
            now: NOW,
            cursors: b.stores.transcriptCursors,
            costs: { prices: PRICES, userHash: 'uh', record: (rows) => b.stores.skillCosts.record(rows) },
          });
        // m2's response as three lines (thinking, text, then the tool call in the next import).
        write([
          prompt('go'),
          call('m1', 100, { blocks: [skillUse('s1', 'deploy')] }),
          result('s1'),
          call('m2', 200, { stamp: 'deploy', blocks: [{ type: 'thinking', thinking: '…' }] }),
          call('m2', 200, { stamp: 'deploy' }),
        ]);
        const first = await run();
        assert.deepEqual(first.costs && [first.costs.calls, first.costs.inserted, first.costs.noUsage], [2, 2, 0]);
        // Appended: the span goes on across the imports, until the prompt.
        write([
          call('m2', 200, { stamp: 'deploy', blocks: [readUse('r1')] }),
          result('r1'),
          call('m3', 300, { stamp: 'deploy' }),
          prompt('thanks'),
          call('m4', 400),
        ]);
        const second = await run();
        assert.equal(second.appended, 1);
        assert.deepEqual(second.costs && [second.costs.calls, second.costs.inserted, second.costs.duplicates], [2, 2, 0]);
        const totals = await b.stores.skillCosts.totals();
        assert.deepEqual(
          totals.map((t) => [t.skill, t.attribution, t.apiCalls, t.inputTokens, t.outputTokens]),
          [
            ['skill:deploy', 'bounded', 2, 500, 2],
            ['skill:deploy', 'stamped', 2, 500, 2],
          ],
        );
        // 500 input × 1 + 2 output × 2 = 504 µ$
        assert.ok(Math.abs(totals[0]!.costUsd - 0.000504) < 1e-12);
        // A full re-read adds nothing.
        const again = await importTranscripts(path.dirname(file), {
          userId: 'u',
          record: (i) => tracker.trackBatch(i),
          now: NOW,
          costs: { prices: PRICES, userHash: 'uh', record: (rows) => b.stores.skillCosts.record(rows) },
        });
        assert.deepEqual(again.costs && [again.costs.inserted, again.costs.duplicates], [0, 4]);
        // Four rows, two calls: each under both rules.
        assert.deepEqual(again.costs?.attributedByRule, { stamped: 2, bounded: 2 });
      } finally {
        await b.dispose();
      }
    });

    it(`${backend.name}: a streamed response counts its final output tokens, read in one range, across ranges, or across two imports`, {
      skip: backend.skip ?? false,
    }, async () => {
      const b = await backend.open();
      try {
        const NOW = T0 + 3_600_000;
        const usage = (output: number) => ({ input_tokens: 2, output_tokens: output, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 });
        // m2 as Claude Code writes it: a line per block; the early ones hold a placeholder output count.
        const linesOf = (p: string) => [
          prompt('go'),
          call(`${p}m1`, 0, { usage: usage(3), blocks: [skillUse(`${p}s1`, 'deploy')] }),
          result(`${p}s1`),
          call(`${p}m2`, 0, { stamp: 'deploy', usage: usage(1), blocks: [{ type: 'thinking', thinking: 'x'.repeat(300) }] }),
          call(`${p}m2`, 0, { stamp: 'deploy', usage: usage(1), blocks: [{ type: 'text', text: 'y'.repeat(300) }] }),
          call(`${p}m2`, 0, { stamp: 'deploy', usage: usage(260), blocks: [readUse(`${p}r1`)] }),
          result(`${p}r1`),
        ];
        const { tracker } = testTracker(b.store, () => NOW);
        const run = (dir: string, more: { rangeBytes?: number; workers?: number } = {}) =>
          importTranscripts(dir, {
            userId: 'u',
            record: (i) => tracker.trackBatch(i),
            now: NOW,
            cursors: b.stores.transcriptCursors,
            costs: { prices: PRICES, userHash: 'uh', record: (rows) => b.stores.skillCosts.record(rows) },
            ...more,
          });
        const text = (ls: unknown[]) => ls.map((l) => `${JSON.stringify(l)}\n`).join('');
        // m2: 2 × 1 + 260 × 2 + 100 × 4 + 1000 × 0.5 = 1422 µ$ under each rule.
        const m2 = async (p: string) =>
          (
            await b.query<{ key: string; output_tokens: number; cost_usd: number }>(
              `SELECT key, output_tokens, cost_usd FROM skill_cost_calls WHERE key LIKE '${p}m2:%' ORDER BY key`,
            )
          ).map((r) => [r.key, Number(r.output_tokens), r.cost_usd]);
        const cases: Array<[string, (dir: string, lines: unknown[]) => Promise<void>]> = [
          [
            'one range',
            async (dir, lines) => {
              fs.writeFileSync(path.join(dir, 'S.jsonl'), text(lines));
              await run(dir);
            },
          ],
          [
            'ranges of 256 bytes',
            async (dir, lines) => {
              fs.writeFileSync(path.join(dir, 'S.jsonl'), text(lines));
              await run(dir, { rangeBytes: 256, workers: 0 });
            },
          ],
          [
            'two imports, the last line in the second',
            async (dir, lines) => {
              fs.writeFileSync(path.join(dir, 'S.jsonl'), text(lines.slice(0, 5)));
              await run(dir);
              fs.appendFileSync(path.join(dir, 'S.jsonl'), text(lines.slice(5)));
              assert.equal((await run(dir)).appended, 1);
            },
          ],
        ];
        for (const [n, [label, go]] of cases.entries()) {
          const dir = path.join(root, `${backend.name}-streamed`, String(n));
          fs.mkdirSync(dir, { recursive: true });
          await go(dir, linesOf(`c${n}`));
          assert.deepEqual(
            await m2(`c${n}`),
            [
              [`c${n}m2:bounded`, 260, 0.001422],
              [`c${n}m2:stamped`, 260, 0.001422],
            ],
            label,
          );
        }
        const totals = await b.stores.skillCosts.totals();
        assert.deepEqual(
          totals.map((t) => [t.skill, t.attribution, t.apiCalls, t.outputTokens]),
          [
            ['skill:deploy', 'bounded', 3, 780],
            ['skill:deploy', 'stamped', 3, 780],
          ],
        );
      } finally {
        await b.dispose();
      }
    });

    it(`${backend.name}: a file imported without costs is read again for them by the next import with costs, once`, {
      skip: backend.skip ?? false,
    }, async () => {
      const b = await backend.open();
      try {
        const NOW = T0 + 3_600_000;
        const dir = path.join(root, `${backend.name}-nocosts`);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(
          path.join(dir, 'S.jsonl'),
          [prompt('go'), call('m1', 100, { blocks: [skillUse('s1', 'deploy')] }), result('s1'), call('m2', 200, { stamp: 'deploy' }), prompt('next')]
            .map((l) => `${JSON.stringify(l)}\n`)
            .join(''),
        );
        const { tracker } = testTracker(b.store, () => NOW);
        const base = {
          userId: 'u',
          record: (i: Parameters<typeof tracker.trackBatch>[0]) => tracker.trackBatch(i),
          now: NOW,
          cursors: b.stores.transcriptCursors,
        };
        const withCosts = {
          costs: { prices: PRICES, userHash: 'uh', record: (rows: Parameters<typeof b.stores.skillCosts.record>[0]) => b.stores.skillCosts.record(rows) },
        };
        const plain = await importTranscripts(dir, base);
        assert.deepEqual([plain.inserted, plain.costs], [1, null]);
        const priced = await importTranscripts(dir, { ...base, ...withCosts });
        assert.deepEqual([priced.rereadForCosts, priced.unchanged, priced.inserted, priced.duplicates], [1, 0, 0, 1]);
        assert.deepEqual(priced.costs && [priced.costs.calls, priced.costs.inserted], [2, 2]); // m1 and m2; m2 under both rules
        const later = await importTranscripts(dir, { ...base, ...withCosts });
        assert.deepEqual([later.rereadForCosts, later.unchanged, later.costs?.calls], [0, 1, 0]);
      } finally {
        await b.dispose();
      }
    });
  }
});
