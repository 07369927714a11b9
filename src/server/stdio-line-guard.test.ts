import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { mulberry32 } from '../analytics/prng.js';
import { type OversizeLine, StdioLineGuard } from './stdio-line-guard.js';

/** `input` cut at random places (pieces of 1 byte up to `maxPiece` bytes; sometimes one byte, to split characters and `\r\n`). */
function chunked(input: Buffer, random: () => number, maxPiece: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; ) {
    const n = random() < 0.2 ? 1 : 1 + Math.floor(random() * maxPiece);
    out.push(input.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** Runs chunks through a guard; resolves to what it passed on (one entry per push) and what it dropped. */
async function guard(chunks: Buffer[], maxLineBytes: number, keepBytes?: number): Promise<{ out: Buffer[]; dropped: OversizeLine[] }> {
  const dropped: OversizeLine[] = [];
  const g = new StdioLineGuard({ maxLineBytes, keepBytes, onOversize: (line) => dropped.push(line) });
  const out: Buffer[] = [];
  g.on('data', (b: Buffer) => out.push(b));
  const ended = new Promise((resolve) => g.on('end', resolve));
  for (const c of chunks) g.write(c);
  g.end();
  await ended;
  return { out, dropped };
}

/** JSON-RPC lines of assorted sizes, multi-byte characters and CRLF endings included, each `max` bytes at most. */
function lines(count: number, random: () => number, max: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const text = `{"jsonrpc":"2.0","id":${i},"method":"ping","params":{"note":"ünïcødé ✓ 🎉 ${'x'.repeat(Math.floor(random() * max))}"}}`;
    let line = `${text}${random() < 0.3 ? '\r\n' : '\n'}`;
    while (Buffer.byteLength(line) > max) line = `{"jsonrpc":"2.0","id":${i},"method":"ping"}\n`;
    return line;
  });
}

describe('StdioLineGuard', () => {
  it('passes lines within the limit through unchanged, whole and one by one, however the input is cut', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = mulberry32(seed);
      const max = 200;
      const input = lines(60, random, max);
      // Lines of exactly the limit too (newline included).
      const edge = '{"jsonrpc":"2.0","id":"edge","method":"ping","params":{"p":""}}\n';
      input.push(edge.replace('"p":""', `"p":"${'z'.repeat(max - edge.length)}"`));
      assert.equal(Buffer.byteLength(input.at(-1)!), max);
      const bytes = Buffer.from(input.join(''));
      const { out, dropped } = await guard(chunked(bytes, random, 3 * max), max);
      assert.deepEqual(dropped, [], `seed ${seed}`);
      assert.deepEqual(
        out.map((b) => b.toString()),
        input,
        `seed ${seed}`,
      );
    }
  });

  it('keeps a view of the chunk for a line that arrived in one piece (no copy)', async () => {
    const chunk = Buffer.from('{"a":1}\n{"b":2}\n');
    const { out } = await guard([chunk], 100);
    assert.equal(out.length, 2);
    assert.equal(out[0]!.buffer, chunk.buffer);
    assert.equal(out[1]!.byteOffset, chunk.byteOffset + 8);
  });

  it('drops a longer line, keeping only its first and last bytes, and passes the lines around it', async () => {
    const max = 1000;
    const keep = 64;
    const big = `{"method":"tools/call","params":{"pad":"${'x'.repeat(50_000)}"},"jsonrpc":"2.0","id":7}`;
    const before = '{"jsonrpc":"2.0","id":1,"method":"ping"}\n';
    const after = '{"jsonrpc":"2.0","id":2,"method":"ping"}\n';
    const justOver = `{"p":"${'q'.repeat(max - 8)}"}\n`; // the limit plus one byte, newline included
    assert.equal(Buffer.byteLength(justOver), max + 1);
    const input = Buffer.from(`${before}${big}\r\n${after}${justOver}${after}`);
    for (let seed = 1; seed <= 20; seed++) {
      const random = mulberry32(seed);
      const pieces = seed === 1 ? [input] : chunked(input, random, seed % 2 ? 300 : 20_000);
      const { out, dropped } = await guard(pieces, max, keep);
      assert.deepEqual(
        out.map((b) => b.toString()),
        [before, after, after],
        `seed ${seed}`,
      );
      assert.equal(dropped.length, 2);
      assert.deepEqual(dropped[0], {
        bytes: Buffer.byteLength(big) + 1, // its \r counts, its \n does not
        head: Buffer.from(big.slice(0, keep)),
        tail: Buffer.from(`${big.slice(-(keep - 1))}\r`),
        terminated: true,
      });
      assert.equal(dropped[1]!.bytes, max);
      // What is kept is a copy: the dropped line's chunks are not retained.
      for (const d of dropped) for (const b of [d.head, d.tail]) assert.ok(b.buffer.byteLength <= 16 * 1024 && b.buffer !== input.buffer);
    }
  });

  it('reports a line the input ends inside as unterminated, and passes an unterminated short one as it is', async () => {
    const cut = await guard([Buffer.from('{"a":1}\n'), Buffer.from('y'.repeat(500))], 100, 16);
    assert.deepEqual(
      cut.out.map((b) => b.toString()),
      ['{"a":1}\n'],
    );
    assert.deepEqual(cut.dropped, [{ bytes: 500, head: Buffer.from('y'.repeat(16)), tail: Buffer.from('y'.repeat(16)), terminated: false }]);
    const short = await guard([Buffer.from('{"a":1}\n{"b"'), Buffer.from(':2}')], 100);
    assert.deepEqual(
      short.out.map((b) => b.toString()),
      ['{"a":1}\n', '{"b":2}'],
    );
  });

  it('lets a transport with the same maxBufferSize read lines up to the limit from chunks that hold several', async () => {
    const max = 300;
    const random = mulberry32(99);
    const input = lines(200, random, max);
    const bytes = Buffer.from(input.join(''));
    const read = async (through: boolean) => {
      const source = new PassThrough();
      let stdin: NodeJS.ReadableStream = source;
      if (through) stdin = source.pipe(new StdioLineGuard({ maxLineBytes: max, onOversize: () => assert.fail('nothing is over the limit') }));
      const transport = new StdioServerTransport(stdin as never, new PassThrough(), { maxBufferSize: max });
      const messages: JSONRPCMessage[] = [];
      const errors: Error[] = [];
      transport.onmessage = (m) => messages.push(m);
      transport.onerror = (e) => errors.push(e);
      await transport.start();
      for (const c of chunked(bytes, mulberry32(5), 4 * max)) source.write(c);
      source.end();
      await new Promise((resolve) => setImmediate(resolve));
      return { messages, errors };
    };
    // The bare transport counts the whole chunk against its buffer and gives up.
    assert.match(String((await read(false)).errors[0]), /ReadBuffer exceeded maximum size of 300 bytes/);
    const guarded = await read(true);
    assert.deepEqual(guarded.errors, []);
    assert.deepEqual(
      guarded.messages,
      input.map((l) => JSON.parse(l)),
    );
  });
});
