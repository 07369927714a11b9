import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { mulberry32 } from '../analytics/prng.js';
import { loadNativeScanner } from './native-scan.js';
import { ScanBuffer, type ScanRequest, scanRange } from './transcript-scan.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-native-scan-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const ts = (s: number) => new Date(Date.UTC(2026, 0, 5, 10) + s * 1000).toISOString();
const j = (v: unknown) => JSON.stringify(v);
/** Text with escapes, multi-byte characters and a surrogate pair every few bytes, so that cuts land on each. */
const mixed = (n: number) => 'a"b\\c\nd\té€😀x '.repeat(Math.ceil(n / 14)).slice(0, n);
const use = (id: string, name: string, input: unknown, s = 0) =>
  j({ type: 'assistant', timestamp: ts(s), sessionId: 'S', cwd: '/home/ü/p', message: { id: `m-${id}`, content: [{ type: 'tool_use', id, name, input }] } });
const result = (id: string, content: unknown, isError?: boolean, s = 1) =>
  j({
    type: 'user',
    timestamp: ts(s),
    sessionId: 'S',
    message: { content: [{ type: 'tool_result', tool_use_id: id, content, ...(isError === undefined ? {} : { is_error: isError }) }] },
    toolUseResult: { stdout: mixed(6000) },
  });

/** Every kind of line the scanner decides on, valid and not. */
const CORPUS: Array<string | Buffer> = [
  use('t1', 'Read', { file_path: '/a.ts', limit: 5 }),
  use('t2', 'Skill', { skill: 'pdf', extra: { deep: [1, 2, { x: 'y' }] } }),
  use('t3', 'Task', { subagent_type: 'explorer', prompt: mixed(9000) }),
  use('t4', 'mcp__srv__tool', 'not an object'),
  use('t5', 'Bash', { command: 'npm test', command2: 'x' }),
  j({
    type: 'assistant',
    timestamp: ts(2),
    sessionId: 'S',
    attributionSkill: 'pdf',
    message: {
      id: 'm9',
      model: 'claude-sonnet-4-5',
      usage: {
        input_tokens: 3,
        output_tokens: 9,
        cache_creation_input_tokens: 4,
        cache_creation: { ephemeral_1h_input_tokens: 2 },
        cache_read_input_tokens: 7,
      },
      content: [{ type: 'text', text: mixed(5000) }],
    },
  }),
  result('t1', 'ok'),
  result('t2', mixed(30000), true),
  result('t3', [{ type: 'text', text: mixed(20000) }], true),
  result('t5', [{ type: 'text', text: 'Error: exit 1' }], true),
  result('t4', mixed(100), false),
  j({ type: 'user', timestamp: ts(3), sessionId: 'S', message: { content: '<command-name>/review</command-name> please' } }),
  j({ type: 'user', timestamp: ts(4), sessionId: 'S', message: { content: `<command-name>/long</command-name>${mixed(8000)}` } }),
  j({ type: 'user', timestamp: ts(5), sessionId: 'S', message: { content: [{ type: 'text', text: mixed(4100) }, { type: 'image' }] } }),
  j({ type: 'user', timestamp: ts(6), sessionId: 'S', isMeta: true, message: { content: 'meta' } }),
  j({ type: 'summary', summary: 'no tool here' }),
  j({ type: 'assistant', timestamp: ts(7), message: 'a string message' }),
  j({ type: 'assistant', timestamp: ts(7), message: { id: 'm10', content: 42 } }),
  j({ type: 'assistant', timestamp: ts(7), message: { id: 'm11', content: [1, 'two', null, { type: 'tool_use', name: 'NoId' }] } }),
  '{"ty\\u0070e":"assistant","timestamp":"2026-01-05T10:00:09.000Z","message":{"id":"m12","content":[{"type":"tool\\u005fuse","id":"t6","name":"Grep","input":{}}]}}',
  '{"type":"user","type":"assistant","timestamp":"2026-01-05T10:00:10.000Z","message":{"id":"m13","content":[{"type":"tool_use","id":"t7","name":"Edit","input":{"file_path":"/b"},"id":"t8"}]}}',
  `  ${use('t9', 'Write', { file_path: '/c' })}  `,
  `${use('t10', 'Glob', {})}\r`,
  '',
  '   ',
  '{"type":"user","message":{"content":[{"type":"tool_result"',
  '[1,2,3]',
  '{"type":"user",}',
  '{"type":"user","n":01}',
  '{"type":"user","s":"bad \\x escape"}',
  '{"type":"user","s":"raw \t tab"}',
  `{"type":"user","timestamp":tru,"pad":"${'p'.repeat(5000)}"}`,
  `{"type":"user","pad":"${'p'.repeat(5000)}","skipped":"bad \\x escape"}`,
  `{"type":"assistant","timestamp":"${ts(11)}","toolUseResult":${'['.repeat(3000)}${']'.repeat(3000)},"message":{"id":"m14","content":[]}}`,
  `{ "type" : "user" , "timestamp" : "${ts(12)}" , "message" : { "content" : [ { "type" : "tool_result" , "tool_use_id" : "t1" , "is_error" : true , "content" : [ { "type" : "text" , "text" : "Error: x" } ] } ] } , "pad" : "${'p'.repeat(5000)}" }`,
  Buffer.concat([Buffer.from('{"type":"user","message":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
  Buffer.concat([Buffer.from(`{"type":"user","pad":"${'p'.repeat(5000)}`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
];

/** Corpus lines in random order, some cut short, with a byte changed or whitespace added. */
function randomFile(seed: number, count: number): Buffer {
  const r = mulberry32(seed);
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    let line = Buffer.from(CORPUS[Math.floor(r() * CORPUS.length)]!);
    const roll = r();
    if (roll < 0.1 && line.length > 2) line = line.subarray(0, 1 + Math.floor(r() * (line.length - 1)));
    else if (roll < 0.2 && line.length > 0) {
      line = Buffer.from(line);
      line[Math.floor(r() * line.length)] = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x80, 0x20][Math.floor(r() * 10)]!;
    } else if (roll < 0.25) line = Buffer.concat([Buffer.from(' \t'), line, Buffer.from(' ')]);
    parts.push(line, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

function both(file: string, start: number, end: number, extra: Partial<ScanRequest> = {}) {
  const fileEnd = fs.statSync(file).size;
  const req: ScanRequest = {
    path: file,
    start,
    end,
    fileEnd,
    atLineStart: start === 0,
    takeUnterminated: true,
    maxLineBytes: 64 * 1024 * 1024,
    fallbackSessionId: 'fb',
    costs: true,
    ...extra,
  };
  return { js: scanRange({ ...req, native: false }, new ScanBuffer()), native: scanRange({ ...req, native: true }, new ScanBuffer()) };
}

describe('native transcript scanner', () => {
  it('is built by npm install', () => {
    assert.ok(loadNativeScanner(), 'native/build/Release/transcript_scan.node is missing: run `npm run build:native` and read its error');
  });

  it('decodes every corpus line as the JavaScript path does: events, counts and malformed lines', () => {
    const file = path.join(dir, 'corpus.jsonl');
    fs.writeFileSync(file, Buffer.concat(CORPUS.flatMap((l) => [Buffer.from(l), Buffer.from('\n')])));
    const { js, native } = both(file, 0, fs.statSync(file).size);
    assert.ok(js.events.length > 20 && js.malformed >= 10, 'the corpus exercises events and malformed lines');
    assert.deepEqual(native, js);
  });

  it('ends strings right after runs of backslashes, wherever they fall in a 64-byte block', () => {
    // A string ending in r backslashes is written with 2r of them before its closing quote; an
    // escaped quote inside is an odd run then a quote. Both at every offset of a block, before the
    // fields pairing reads, in long lines (skipped lazily) and short ones (validated).
    const lines: string[] = [];
    for (let r = 1; r <= 4; r++) {
      for (let k = 0; k < 70; k++) {
        const tricky = `${'x'.repeat(k)}${'\\'.repeat(r)}"q${'\\'.repeat(r)}`;
        for (const pad of [0, 4200]) {
          const id = `t-${r}-${k}-${pad}`;
          lines.push(use(id, 'Bash', { command: tricky, pad: 'p'.repeat(pad) }, k));
          lines.push(
            j({
              pad: tricky,
              type: 'user',
              timestamp: ts(k + 1),
              sessionId: 'S',
              message: { content: [{ content: `${tricky}${'y'.repeat(pad)}`, type: 'tool_result', tool_use_id: id, is_error: r % 2 === 0 }] },
            }),
          );
        }
      }
    }
    const file = path.join(dir, 'backslashes.jsonl');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const { js, native } = both(file, 0, fs.statSync(file).size);
    assert.equal(js.malformed, 0);
    assert.equal(js.events.filter((e) => e.k === 'result').length, lines.length / 2);
    assert.deepEqual(native, js);
  });

  it('validates short lines as JSON.parse does, whatever the offset of an escape or control character in a 16-byte block', () => {
    // Short lines are validated strictly, 16 bytes at a time up to the next quote, backslash or
    // control character: each kind of character at each offset of a block, valid and not.
    const inserts = ['\\n', '\\u00e9', '\\"', '\\\\', '\u007f', 'é', '\\x', '\u0001', '\u001f', '\t', '\\u12g4'];
    const lines: string[] = [];
    const valid: boolean[] = [];
    for (let k = 0; k < 40; k++) {
      for (const [n, ins] of inserts.entries()) {
        const text = `{"type":"assistant","timestamp":"${ts(k)}","message":{"id":"m-${k}-${n}","content":[{"type":"tool_use","id":"t-${k}-${n}","name":"Bash","input":{"command":"${'c'.repeat(k)}${ins}${'d'.repeat(k % 7)}"}}]}}`;
        lines.push(text);
        valid.push(
          (() => {
            try {
              JSON.parse(text);
              return true;
            } catch {
              return false;
            }
          })(),
        );
      }
    }
    const file = path.join(dir, 'strict-strings.jsonl');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const { js, native } = both(file, 0, fs.statSync(file).size);
    assert.equal(js.malformed, valid.filter((v) => !v).length);
    assert.ok(js.malformed >= 40 * 5 && js.malformed < lines.length, 'valid and invalid lines at every offset');
    assert.deepEqual(native, js);
  });

  it('agrees with the JavaScript path on random files, cut into random ranges, with a small line cap', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const file = path.join(dir, `random-${seed}.jsonl`);
      const bytes = randomFile(seed, 150);
      // Half of the files end without a newline (a transcript being written).
      fs.writeFileSync(file, seed % 2 === 0 ? bytes.subarray(0, bytes.length - 1 - (seed % 7)) : bytes);
      const size = fs.statSync(file).size;
      const r = mulberry32(seed * 31);
      const cuts = [0, ...Array.from({ length: 3 }, () => Math.floor(r() * size)).sort((a, b) => a - b), size];
      for (let i = 0; i + 1 < cuts.length; i++) {
        for (const extra of [{}, { maxLineBytes: 3000 }, { costs: false }]) {
          const { js, native } = both(file, cuts[i]!, cuts[i + 1]!, extra);
          assert.deepEqual(native, js, `seed ${seed}, range ${cuts[i]}-${cuts[i + 1]}, ${JSON.stringify(extra)}`);
        }
      }
    }
  });
});
