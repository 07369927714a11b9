import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { scanRange, type ScanRequest } from './transcript-scan.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-scan-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const ts = (s: number) => new Date(Date.UTC(2026, 0, 5, 10) + s * 1000).toISOString();
const lines = [
  JSON.stringify({ type: 'assistant', timestamp: ts(0), message: { id: 'm1', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: {} }] } }),
  '',
  JSON.stringify({ type: 'user', timestamp: ts(1), message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: 'x'.repeat(5000) }] } }),
  '{"type":"user","message":{"content":[{"type":"tool_result"', // truncated
  JSON.stringify({ type: 'summary', summary: 'no tool here' }),
  JSON.stringify({
    type: 'assistant',
    timestamp: ts(2),
    message: { id: 'm2', content: [{ type: 'tool_use', id: 't2', name: 'Bash', input: { command: 'ls' } }] },
  }),
];
const file = path.join(dir, 's.jsonl');
const text = `${lines.join('\n')}\n`;
fs.writeFileSync(file, text);
const size = fs.statSync(file).size;

const req = (start: number, end: number, extra: Partial<ScanRequest> = {}): ScanRequest => ({
  path: file,
  start,
  end,
  fileEnd: size,
  atLineStart: start === 0,
  takeUnterminated: true,
  maxLineBytes: 64 * 1024 * 1024,
  fallbackSessionId: 'fb',
  ...extra,
});

describe('scanRange', () => {
  it('reads the whole file: events, non-blank lines, malformed with its line number', () => {
    const r = scanRange(req(0, size));
    assert.deepEqual(
      r.events.map((e) => `${e.k}:${'id' in e ? e.id : ''}`),
      ['msg:', 'use:t1', 'result:t1', 'msg:', 'use:t2'],
    );
    assert.deepEqual([r.lines, r.lineBreaks, r.malformed, r.consumedEnd, r.bytes], [5, 6, 1, size, size]);
    assert.deepEqual(r.malformedAt, [{ line: 4, reason: 'not a JSON object (truncated?)' }]);
  });

  it('split at any byte into two ranges, gives the same lines and events as one read', () => {
    const whole = scanRange(req(0, size));
    for (let cut = 1; cut < size; cut += 7) {
      const a = scanRange(req(0, cut));
      const b = scanRange(req(cut, size));
      assert.equal(a.lines + b.lines, whole.lines, `cut ${cut}`);
      assert.equal(a.lineBreaks + b.lineBreaks, whole.lineBreaks, `cut ${cut}`);
      assert.deepEqual([...a.events, ...b.events], whole.events, `cut ${cut}`);
      assert.equal(b.consumedEnd, size);
      assert.equal(a.consumedEnd, b.consumedEnd - b.bytes, `cut ${cut}: the ranges meet`);
    }
  });

  it('leaves an unterminated last line unless the file is finished', () => {
    const f2 = path.join(dir, 'u.jsonl');
    fs.writeFileSync(f2, `${lines[0]}\n${lines[5]}`);
    const s2 = fs.statSync(f2).size;
    const open = scanRange({ ...req(0, s2), path: f2, fileEnd: s2, takeUnterminated: false });
    assert.deepEqual([open.lines, open.events.length, open.consumedEnd], [1, 2, lines[0]!.length + 1]);
    // Split inside that last line: the second range owns no line and must not move the cursor.
    const inside = scanRange({ ...req(lines[0]!.length + 10, s2), path: f2, fileEnd: s2, takeUnterminated: false });
    assert.deepEqual([inside.lines, inside.consumedEnd, inside.bytes], [0, -1, 0]);
    const done = scanRange({ ...req(0, s2), path: f2, fileEnd: s2 });
    assert.deepEqual([done.lines, done.events.length, done.consumedEnd], [2, 4, s2]);
  });

  it('counts a line over the cap once, as oversize, and goes on', () => {
    const r = scanRange(req(0, size, { maxLineBytes: 1000 }));
    assert.deepEqual(r.malformedAt, [
      { line: 3, reason: 'oversize' },
      { line: 4, reason: 'not a JSON object (truncated?)' },
    ]);
    assert.deepEqual(
      r.events.map((e) => e.k),
      ['msg', 'use', 'msg', 'use'],
    );
    assert.equal(r.lines, 5);
  });

  it('reads lines longer than its read buffer, which grows for them, in both decoders and in any range', () => {
    const f4 = path.join(dir, 'long.jsonl');
    // Tool results of 0.6 and 2.5 MB between short lines: longer than one read (256 KiB) and than twice it.
    const long = (id: string, n: number, s: number) =>
      JSON.stringify({ type: 'user', timestamp: ts(s), message: { content: [{ type: 'tool_result', tool_use_id: id, content: 'y'.repeat(n) }] } });
    const use = (id: string, s: number) =>
      JSON.stringify({ type: 'assistant', timestamp: ts(s), message: { id: `m-${id}`, content: [{ type: 'tool_use', id, name: 'Read', input: {} }] } });
    const body = [use('a', 0), long('a', 600_000, 1), use('b', 2), long('b', 2_500_000, 3), use('c', 4), long('c', 10, 5)];
    fs.writeFileSync(f4, `${body.join('\n')}\n`);
    const s4 = fs.statSync(f4).size;
    const expected = ['msg:', 'use:a', 'result:a', 'msg:', 'use:b', 'result:b', 'msg:', 'use:c', 'result:c'];
    for (const native of [true, false]) {
      const whole = scanRange({ ...req(0, s4), path: f4, fileEnd: s4, native });
      assert.deepEqual(
        whole.events.map((e) => `${e.k}:${'id' in e ? e.id : ''}`),
        expected,
        `native ${native}`,
      );
      assert.deepEqual([whole.lines, whole.malformed, whole.consumedEnd], [6, 0, s4]);
      // Cut inside each long line: the range before owns it, whole.
      for (const cut of [body[0]!.length + 300_000, body[0]!.length + body[1]!.length + body[2]!.length + 1_000_000]) {
        const a = scanRange({ ...req(0, cut), path: f4, fileEnd: s4, native });
        const b = scanRange({ ...req(cut, s4), path: f4, fileEnd: s4, native });
        assert.deepEqual([...a.events, ...b.events], whole.events, `native ${native}, cut ${cut}`);
        assert.equal(a.consumedEnd, b.consumedEnd - b.bytes);
      }
    }
  });

  it('sends one msg event per message and chain: the lines of one response share message.id', () => {
    const f3 = path.join(dir, 'm.jsonl');
    const asst = (msgId: string | undefined, block: object, side = false) =>
      JSON.stringify({ type: 'assistant', timestamp: ts(0), isSidechain: side, agentId: 'a', message: { id: msgId, content: [block] } });
    const text = { type: 'text', text: 'hi' };
    const use = (id: string) => ({ type: 'tool_use', id, name: 'Read', input: {} });
    const body = [
      asst('m1', text),
      asst('m1', use('u1')),
      asst('s1', text, true), // another chain in between
      asst('m1', use('u2')),
      asst('m2', text),
      asst(undefined, text), // no id: always moves its chain on
      asst(undefined, text),
      asst('m2', text),
    ];
    fs.writeFileSync(f3, `${body.join('\n')}\n`);
    const s3 = fs.statSync(f3).size;
    const r = scanRange({ ...req(0, s3), path: f3, fileEnd: s3 });
    assert.deepEqual(
      r.events.map((e) => (e.k === 'msg' ? `msg:${e.chain}:${e.messageId}` : `${e.k}:${'id' in e ? e.id : ''}`)),
      ['msg:main:m1', 'use:u1', 'msg:side:a:s1', 'use:u2', 'msg:main:m2', 'msg:main:null', 'msg:main:null', 'msg:main:m2'],
    );
  });
});
