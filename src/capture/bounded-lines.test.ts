import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundedLines, type BoundedLine } from './bounded-lines.js';

async function split(chunks: (string | Buffer)[], max: number): Promise<BoundedLine[]> {
  const out: BoundedLine[] = [];
  for await (const l of boundedLines(chunks, max)) out.push(l);
  return out;
}
const line = (text: string): BoundedLine => ({ kind: 'line', text });

describe('boundedLines', () => {
  it('splits lines across chunk boundaries, drops a trailing \\r, keeps a last line without newline', async () => {
    assert.deepEqual(await split(['ab', 'c\nde', 'f\r\n', '\n', 'gh'], 100), [line('abc'), line('def'), line(''), line('gh')]);
    assert.deepEqual(await split(['x\n'], 100), [line('x')]);
    assert.deepEqual(await split([], 100), []);
  });

  it('keeps a multi-byte character whole when a chunk boundary cuts it', async () => {
    const bytes = Buffer.from('é☃😀\n', 'utf8'); // 2 + 3 + 4 bytes + newline
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    assert.deepEqual(await split(chunks, 100), [line('é☃😀')]);
  });

  it('reports a line over the cap as oversize with its byte count and head, and goes on', async () => {
    const long = 'y'.repeat(300);
    const out = await split(['ok1\n', long.slice(0, 120), long.slice(120), '\nok2\n'], 200);
    assert.deepEqual(out, [line('ok1'), { kind: 'oversize', bytes: 300, head: 'y'.repeat(256) }, line('ok2')]);
    // exactly at the cap is accepted; one byte more is not
    assert.deepEqual(await split(['abcd\nabcde\n'], 4), [line('abcd'), { kind: 'oversize', bytes: 5, head: 'abcde' }]);
  });

  it('holds at most the cap of a 64 MiB line (fed in 64 KiB chunks) and reports its full length', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'z');
    async function* source() {
      for (let i = 0; i < 1024; i++) yield chunk;
      yield Buffer.from('\nafter\n');
    }
    const out: BoundedLine[] = [];
    for await (const l of boundedLines(source(), 1024 * 1024)) out.push(l);
    assert.equal(out.length, 2);
    assert.equal(out[0]!.kind, 'oversize');
    assert.equal((out[0] as { bytes: number }).bytes, 64 * 1024 * 1024);
    assert.deepEqual(out[1], line('after'));
  });
});
