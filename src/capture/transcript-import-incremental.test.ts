/**
 * Incremental import over a real store (SQLite; PostgreSQL too when
 * reachable): cursors, appends, rewrites, bad input, forked transcripts, and
 * the worker-thread path with many small ranges (files read in one range
 * paired in the workers, longer ones on the importing thread).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { testBackends, testTracker, type OpenedBackend } from '../testing/backends.js';
import type { PriceTable } from '../analytics/model-prices.js';
import { importTranscripts, type ImportOptions } from './transcript-import.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-incr-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const ts = (sec: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, 0) + sec * 1000).toISOString();
const use = (session: string, sec: number, msg: string, id: string, name = 'Read') =>
  JSON.stringify({
    type: 'assistant',
    sessionId: session,
    cwd: '/home/u/shop',
    uuid: `a-${id}`,
    timestamp: ts(sec),
    message: {
      id: msg,
      role: 'assistant',
      model: 'claude-x',
      content: [{ type: 'tool_use', id, name, input: { file_path: '/home/u/shop/a.ts' } }],
      usage: { input_tokens: 3, output_tokens: 9 },
    },
  });
const result = (session: string, sec: number, id: string, isError = false, text = 'ok') =>
  JSON.stringify({
    type: 'user',
    sessionId: session,
    cwd: '/home/u/shop',
    uuid: `u-${id}`,
    timestamp: ts(sec),
    message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: text, is_error: isError }] },
  });
const prompt = (session: string, sec: number, text: string) =>
  JSON.stringify({ type: 'user', sessionId: session, uuid: `p-${sec}`, timestamp: ts(sec), message: { role: 'user', content: text } });

/** A Skill call (opens a bounded span) and an assistant line stamped with the skill. */
const skillUse = (session: string, sec: number, msg: string, id: string, skill: string) =>
  JSON.stringify({
    type: 'assistant',
    sessionId: session,
    timestamp: ts(sec),
    message: {
      id: msg,
      model: 'claude-x',
      content: [{ type: 'tool_use', id, name: 'Skill', input: { skill } }],
      usage: { input_tokens: 50, output_tokens: 5 },
    },
  });
const stamped = (session: string, sec: number, msg: string, skill: string) =>
  JSON.stringify({
    type: 'assistant',
    sessionId: session,
    timestamp: ts(sec),
    attributionSkill: skill,
    message: { id: msg, model: 'claude-x', content: [{ type: 'text', text: 'working' }], usage: { input_tokens: 70, output_tokens: 7 } },
  });
const PRICES: PriceTable = { version: 'test', source: 'test', models: { 'claude-x': { input: 1, output: 2, cacheWrite: 4, cacheRead: 0.5 } } };

/** Writes lines (each with its newline) and sets the mtime to `NOW - ageMs`. */
function write(file: string, lines: string[], ageMs = 60_000, flag: 'w' | 'a' = 'w'): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''), { flag });
  const t = new Date(NOW - ageMs);
  fs.utimesSync(file, t, t);
}

describe('incremental import', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let dir: string;
      let run: (extra?: Partial<ImportOptions>) => ReturnType<typeof importTranscripts>;
      const rows = async () =>
        (
          await b.query<{ k: string; completed: number; d: number | string; e: string | null }>(
            'SELECT dedupe_key AS k, completed, duration_ms AS d, error_type AS e FROM skill_invocations ORDER BY dedupe_key',
          )
        ).map((r) => `${r.k} ${Number(r.completed) === 1 ? 'ok' : `fail:${r.e}`} ${Number(r.d)}ms`);
      beforeEach(async () => {
        b = await backend.open();
        dir = fs.mkdtempSync(path.join(root, 'p-'));
        const { tracker } = testTracker(b.store, () => NOW);
        run = (extra = {}) =>
          importTranscripts(dir, { userId: 'u', record: (i) => tracker.trackBatch(i), now: NOW, cursors: b.stores.transcriptCursors, ...extra });
      });
      afterEach(async () => {
        await b?.dispose();
      });

      it('skips an unchanged file, reads only what was appended, and pairs across the two reads', async () => {
        const f = path.join(dir, 'proj', 's1.jsonl');
        write(f, [prompt('s1', 0, 'go'), use('s1', 1, 'm1', 't1'), result('s1', 2, 't1'), use('s1', 3, 'm2', 't2')]);
        const first = await run();
        assert.equal(first.inserted, 1);
        assert.equal(first.pending, 1); // t2 has no result yet, the file is not settled
        const size = fs.statSync(f).size;
        assert.equal(first.bytes, size);

        const again = await run();
        assert.deepEqual([again.unchanged, again.settled, again.files, again.bytes, again.lines, again.inserted], [1, 0, 0, 0, 0, 0]);

        const tail = [result('s1', 8, 't2', true, 'Error: Exit code 2'), use('s1', 9, 'm3', 't3', 'Grep'), result('s1', 9.25, 't3')];
        write(f, tail, 30_000, 'a');
        const appended = await run();
        assert.equal(appended.appended, 1);
        assert.equal(appended.bytes, fs.statSync(f).size - size);
        assert.equal(appended.lines, 3);
        assert.equal(appended.inserted, 2);
        assert.equal(appended.pending, 0);
        assert.deepEqual(await rows(), ['cc:t1 ok 1000ms', 'cc:t2 fail:nonzero_exit 5000ms', 'cc:t3 ok 250ms']);
      });

      it('a call still pending is recorded as no_result once the file is settled, without reading it', async () => {
        const f = path.join(dir, 'proj', 's2.jsonl');
        write(f, [use('s2', 0, 'm1', 'p1')]);
        assert.equal((await run()).pending, 1);
        const later = await run({ now: NOW + 3_600_000 });
        assert.deepEqual([later.unchanged, later.settled, later.files, later.bytes, later.inserted, later.pending], [1, 1, 1, 0, 1, 0]);
        assert.deepEqual(await rows(), ['cc:p1 fail:no_result 0ms']);
        assert.equal((await run({ now: NOW + 7_200_000 })).inserted, 0);
      });

      it('reads a truncated or rewritten file again from the start', async () => {
        const f = path.join(dir, 'proj', 's3.jsonl');
        write(f, [use('s3', 0, 'm1', 'r1'), result('s3', 1, 'r1'), use('s3', 2, 'm2', 'r2'), result('s3', 3, 'r2')]);
        assert.equal((await run()).inserted, 2);
        // Same length, different bytes before the cursor (r1 -> x1): rewritten.
        write(f, [use('s3', 0, 'm1', 'x1'), result('s3', 1, 'x1'), use('s3', 2, 'm2', 'r2'), result('s3', 3, 'r2')], 10_000);
        const rewritten = await run();
        assert.deepEqual([rewritten.reread, rewritten.appended, rewritten.inserted, rewritten.duplicates], [1, 0, 1, 1]);
        // Shorter than the cursor: truncated.
        write(f, [use('s3', 0, 'm1', 'y1'), result('s3', 1, 'y1')], 5_000);
        const truncated = await run();
        assert.deepEqual([truncated.reread, truncated.inserted], [1, 1]);
        assert.deepEqual(
          (await rows()).map((r) => r.split(' ')[0]),
          ['cc:r1', 'cc:r2', 'cc:x1', 'cc:y1'],
        );
      });

      it('leaves a last line without its newline for later while the file may grow', async () => {
        const f = path.join(dir, 'proj', 's4.jsonl');
        const line = result('s4', 1, 'n1');
        write(f, [use('s4', 0, 'm1', 'n1')]);
        fs.appendFileSync(f, line.slice(0, 40)); // being written
        fs.utimesSync(f, new Date(NOW - 1000), new Date(NOW - 1000));
        const partial = await run();
        assert.deepEqual([partial.malformed, partial.lines, partial.pending], [0, 1, 1]);
        fs.appendFileSync(f, `${line.slice(40)}\n`);
        fs.utimesSync(f, new Date(NOW - 500), new Date(NOW - 500));
        const done = await run();
        assert.deepEqual([done.appended, done.malformed, done.lines, done.inserted], [1, 0, 1, 1]);
        assert.deepEqual(await rows(), ['cc:n1 ok 1000ms']);
      });

      it('reports bad lines with file:line and imports everything else', async () => {
        const f = path.join(dir, 'proj', 'bad.jsonl');
        const big = JSON.stringify({
          type: 'user',
          message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'zz', content: 'x'.repeat(5000) }] },
        });
        write(f, [
          use('b', 0, 'm1', 'g1'),
          use('b', 1, 'm2', 'g2').slice(0, 60), // truncated
          big, // over the 2,000-byte cap below
          result('b', 2, 'g1'),
        ]);
        fs.appendFileSync(f, Buffer.concat([Buffer.from('{"type":"user","message":"caf'), Buffer.from([0xe9, 0x22, 0x7d, 0x0a])])); // Latin-1 é
        write(f, [use('b', 3, 'm3', 'g3'), result('b', 4, 'g3')], 3_600_000, 'a');
        const sum = await run({ maxLineBytes: 2000 });
        assert.equal(sum.malformed, 3);
        assert.deepEqual(sum.malformedAt, [`${f}:2: not a JSON object (truncated?)`, `${f}:3: oversize`, `${f}:5: not UTF-8`]);
        assert.equal(sum.lines, 7);
        assert.deepEqual(await rows(), ['cc:g1 ok 2000ms', 'cc:g3 ok 1000ms']);
      });

      it('a forked transcript repeating lines under a new session id imports nothing twice', async () => {
        const original = [use('orig', 0, 'm1', 'f1'), result('orig', 1, 'f1'), use('orig', 2, 'm2', 'f2'), result('orig', 3, 'f2')];
        write(path.join(dir, 'proj', 'orig.jsonl'), original, 3_600_000);
        assert.equal((await run()).inserted, 2);
        const forked = original.map((l) => l.replaceAll('"orig"', '"fork"'));
        write(path.join(dir, 'proj', 'fork.jsonl'), [...forked, use('fork', 10, 'm3', 'f3'), result('fork', 11, 'f3')], 3_600_000);
        const sum = await run();
        assert.deepEqual([sum.invocations, sum.inserted, sum.duplicates], [3, 1, 2]);
        assert.deepEqual(
          (await rows()).map((r) => r.split(' ')[0]),
          ['cc:f1', 'cc:f2', 'cc:f3'],
        );
        const sessions = await b.query<{ n: number | string }>(
          "SELECT count(*) AS n FROM skill_invocations si JOIN sessions s ON s.id = si.session_id WHERE s.session_key = 'fork'",
        );
        assert.equal(Number(sessions[0]?.n), 1);
      });

      it('scans many small ranges in worker threads with the same result as one read', async () => {
        const lines: string[] = [];
        for (let i = 0; i < 300; i++) {
          lines.push(
            use('w', i * 2, `m${i}`, `w${String(i).padStart(3, '0')}`),
            result('w', i * 2 + 1, `w${String(i).padStart(3, '0')}`, i % 10 === 0, 'Error: boom'),
          );
          if (i % 7 === 0) lines.push(prompt('w', i * 2 + 1, `step ${i} ${'y'.repeat(i * 3)}`));
        }
        write(path.join(dir, 'proj', 'w.jsonl'), lines, 3_600_000);
        // No range claimed past the next one to pair: the worker and the importing thread take turns.
        const sum = await run({ rangeBytes: 997, workerThresholdBytes: 0, workers: 1, aheadBytes: 1 });
        assert.deepEqual([sum.lines, sum.malformed, sum.invocations, sum.inserted], [lines.length, 0, 300, 300]);
        const failed = await b.query<{ n: number | string }>('SELECT count(*) AS n FROM skill_invocations WHERE completed = 0');
        assert.equal(Number(failed[0]?.n), 30);
        assert.equal((await run()).unchanged, 1);
      });

      it('pairs files read in one range in the workers and longer ones here, as a read paired here does', async () => {
        // Small files (one range each: paired, attributed and fingerprinted in a worker) and a long
        // one (many ranges, in and out of order from two workers: paired here), one still growing.
        const small = (n: number, growing: boolean) => {
          const s = `s${n}`;
          const lines = [prompt(s, 0, 'go'), skillUse(s, 1, `${s}m1`, `${s}k`, 'deploy'), result(s, 2, `${s}k`), stamped(s, 3, `${s}m2`, 'deploy')];
          lines.push(use(s, 4, `${s}m3`, `${s}r`), result(s, 5 + n, `${s}r`, n % 3 === 0, 'Error: nope'));
          if (growing) lines.push(use(s, 9, `${s}m4`, `${s}late`)); // its result comes with the append
          return lines;
        };
        const long: string[] = [prompt('L', 0, 'start'), skillUse('L', 1, 'Lm0', 'Lk', 'review'), result('L', 2, 'Lk')];
        for (let i = 0; i < 120; i++) {
          // A call whose result lands a few hundred bytes later, often in the next range; a long result now and then.
          long.push(use('L', 3 + i * 2, `Lm${i + 1}`, `L${i}`), stamped('L', 3 + i * 2, `Lm${i + 1}`, 'review'));
          long.push(result('L', 4 + i * 2, `L${i}`, i % 9 === 0, i % 17 === 0 ? 'x'.repeat(6000) : 'ok'));
        }
        const files = (d: string) => ({
          s: [0, 1, 2, 3, 4].map((n) => path.join(d, 'proj', `s${n}.jsonl`)),
          long: path.join(d, 'proj', 'L.jsonl'),
        });
        const other = await backend.open();
        const otherDir = fs.mkdtempSync(path.join(root, 'q-'));
        try {
          const { tracker: otherTracker } = testTracker(other.store, () => NOW);
          const withCosts = (store: OpenedBackend, record: ImportOptions['record'], d: string, extra: Partial<ImportOptions>) =>
            importTranscripts(d, {
              userId: 'u',
              record,
              now: NOW,
              cursors: store.stores.transcriptCursors,
              costs: { prices: PRICES, userHash: 'uh', record: (r) => store.stores.skillCosts.record(r) },
              ...extra,
            });
          const { tracker } = testTracker(b.store, () => NOW);
          // Workers, ranges of 4,000 bytes: the small files are read in one range, the long one in many,
          // claimed at most two ranges' bytes past the one being paired.
          const inWorkers = () => withCosts(b, (i) => tracker.trackBatch(i), dir, { rangeBytes: 4000, workerThresholdBytes: 0, workers: 2, aheadBytes: 8000 });
          // No workers, ranges of 500 bytes: every file in several ranges, all paired here.
          const here = () => withCosts(other, (i) => otherTracker.trackBatch(i), otherDir, { rangeBytes: 500, workers: 0 });
          for (const d of [dir, otherDir]) {
            const f = files(d);
            f.s.forEach((file, n) => write(file, small(n, n === 4), n === 4 ? 1000 : 3_600_000));
            write(f.long, long, 3_600_000);
          }
          assert.ok(fs.statSync(files(dir).s[0]!).size < 4000 && fs.statSync(files(dir).long).size > 10 * 4000);
          const snapshot = async (store: OpenedBackend, d: string) => {
            const cursors = await store.stores.transcriptCursors.get([...files(d).s, files(d).long]);
            return {
              rows: (
                await store.query<{ k: string; completed: number; d: number | string; e: string | null; s: string }>(
                  'SELECT dedupe_key AS k, completed, duration_ms AS d, error_type AS e, k.name AS s FROM skill_invocations si JOIN skills k ON k.id = si.skill_id ORDER BY dedupe_key',
                )
              ).map((r) => `${r.k} ${r.s} ${Number(r.completed)} ${Number(r.d)} ${r.e}`),
              costs: (
                await store.query<{ key: string; skill: string; attribution: string; inv: string | null }>(
                  'SELECT key, skill, attribution, invocation_id AS inv FROM skill_cost_calls ORDER BY key',
                )
              ).map((r) => `${r.key} ${r.skill} ${r.attribution} ${r.inv}`),
              cursors: [...cursors.entries()]
                .map(([p, c]) => `${path.relative(d, p)} ${c.offset} ${c.lineCount} ${c.headHash} ${c.tailHash} ${c.state}`)
                .sort(),
            };
          };
          const summary = (s: Awaited<ReturnType<typeof importTranscripts>>) => ({ ...s, malformedAt: [], costs: { ...s.costs, unknownModels: [] } });
          const a1 = await inWorkers();
          const b1 = await here();
          assert.deepEqual(summary(a1), summary(b1));
          assert.deepEqual([a1.files, a1.invocations, a1.pending], [6, 5 * 2 + 121, 1]);
          assert.ok((a1.costs?.inserted ?? 0) > 100);
          // Rows from workers and from this thread are counted per rule, every one once.
          const byRule = a1.costs?.attributedByRule;
          assert.ok(byRule && byRule.stamped > 0 && byRule.bounded > 0);
          assert.equal(byRule.stamped + byRule.bounded, a1.costs?.attributed);
          const first = await snapshot(b, dir);
          assert.deepEqual(first, await snapshot(other, otherDir));
          // Appended: the pending call's result (its state came from a worker) and more of the long file.
          for (const d of [dir, otherDir]) {
            write(files(d).s[4]!, [result('s4', 10, 's4late'), stamped('s4', 11, 's4m5', 'deploy')], 1000, 'a');
            write(files(d).long, [use('L', 400, 'Lm999', 'Lx'), result('L', 401, 'Lx')], 3_600_000, 'a');
          }
          const a2 = await inWorkers();
          const b2 = await here();
          assert.deepEqual(summary(a2), summary(b2));
          assert.deepEqual([a2.appended, a2.invocations, a2.inserted, a2.pending], [2, 2, 2, 0]);
          const second = await snapshot(b, dir);
          assert.deepEqual(second, await snapshot(other, otherDir));
          assert.ok(second.rows.some((r) => r.startsWith('cc:s4late ') && r.endsWith(' 1 1000 null')));
        } finally {
          await other.dispose();
        }
      });
    });
  }
});
