import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it, mock } from 'node:test';
import { readDrops } from './drop-counter.js';
import { createHttpRecorder, invocationsUrl, readAccessToken, readStdin, runHook, type FetchLike } from './hook-runner.js';
import { hooksStateDir } from './hook-event.js';
import { drainSpool, REJECTED_FILE, spoolPath } from './spool.js';
import type { CapturedInvocation } from './types.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-hook-runner-'));
let n = 0;
const freshDir = () => path.join(root, `d${n++}`);

/** A stand-in ingest endpoint: stores by dedupe_key; answers 400 for empty skill names. */
const received = new Map<string, CapturedInvocation>();
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const items = JSON.parse(body) as CapturedInvocation[];
    res.setHeader('content-type', 'application/json');
    if (req.url !== '/api/invocations' || req.method !== 'POST') {
      res.statusCode = 404;
      return res.end('{}');
    }
    if (items.some((i) => i.skill_name.startsWith('bad'))) {
      res.statusCode = 400;
      return res.end(JSON.stringify({ error: { code: 'INVALID_INPUT', message: 'x', details: { field: 'invocations.0.skill_name', rule: 'bad' } } }));
    }
    let inserted = 0;
    let duplicates = 0;
    for (const i of items) {
      if (received.has(i.dedupe_key)) duplicates++;
      else {
        received.set(i.dedupe_key, i);
        inserted++;
      }
    }
    res.end(JSON.stringify({ inserted, duplicates }));
  });
});
let url = '';
let deadUrl = '';

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = invocationsUrl('127.0.0.1', (server.address() as AddressInfo).port);
  // A port that was just free: nothing listens there.
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadUrl = invocationsUrl('127.0.0.1', (probe.address() as AddressInfo).port);
  await new Promise<void>((r) => probe.close(() => r()));
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  fs.rmSync(root, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const stdinOf = (value: unknown) => Readable.from([Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))]);
const event = (name: string, id: string, extra: Record<string, unknown> = {}) => ({
  session_id: 'sess-r',
  transcript_path: '/t.jsonl',
  cwd: '/home/u/app',
  hook_event_name: name,
  tool_name: 'Edit',
  tool_input: { file_path: '/home/u/app/src/x.ts', old_string: 'a', new_string: 'b' },
  tool_use_id: id,
  ...extra,
});

describe('readStdin', () => {
  it('returns as soon as a complete JSON object arrived, even if stdin stays open', async () => {
    const s = new PassThrough();
    s.write('{"a":');
    setImmediate(() => s.write('1}'));
    assert.equal(await readStdin(s, { timeoutMs: 60_000 }), '{"a":1}');
    s.destroy();
  });

  it('returns null past the size cap and for empty input', async () => {
    let tooLarge = 0;
    assert.equal(await readStdin(Readable.from([Buffer.from('x'.repeat(100))]), { maxBytes: 10, onTooLarge: () => tooLarge++ }), null);
    assert.equal(tooLarge, 1);
    assert.equal(await readStdin(Readable.from([])), null);
  });

  it('reads a payload of several MiB (an Edit carries the whole file) in chunks, parsed once complete', async () => {
    const big = JSON.stringify({ hook_event_name: 'PostToolUse', tool_response: { originalFile: `{${'}'.repeat(64)}\n`.repeat(100_000) } });
    assert.ok(big.length > 5 * 1024 * 1024);
    const chunks: Buffer[] = [];
    for (let i = 0; i < big.length; i += 65_536) chunks.push(Buffer.from(big.slice(i, i + 65_536)));
    const s = new PassThrough();
    const read = readStdin(s, { timeoutMs: 60_000 });
    for (const c of chunks) s.write(c);
    assert.equal(await read, big);
    s.destroy();
  });

  it('gives up after the timeout with what it has', async () => {
    const s = new PassThrough();
    s.write('{"partial"');
    assert.equal(await readStdin(s, { timeoutMs: 20 }), '{"partial"');
    s.destroy();
  });
});

describe('runHook', () => {
  it('posts a Pre/Post pair to the server', async () => {
    const dataDir = freshDir();
    const pre = await runHook({ stdin: stdinOf(event('PreToolUse', 'toolu_r1')), dataDir, userId: 'u', url, now: () => T0 });
    assert.deepEqual(pre, { outcome: 'pending', event: 'PreToolUse', invocations: 0 });
    const post = await runHook({
      stdin: stdinOf(event('PostToolUse', 'toolu_r1', { tool_response: { filePath: '/home/u/app/src/x.ts' } })),
      dataDir,
      userId: 'u',
      url,
      now: () => T0 + 250,
      postTimeoutMs: 30_000,
    });
    assert.deepEqual(post, { outcome: 'posted', event: 'PostToolUse', invocations: 1 });
    const got = received.get('cc:toolu_r1');
    assert.equal(got?.duration_ms, 250); // T0+250 - T0
    assert.equal(got?.workflow_phase, 'implementation');
    assert.equal(got?.project, 'app');
    assert.equal(fs.existsSync(spoolPath(dataDir)), false);
    // Delivered: the pair's state files are gone (they stay only when a hook dies before delivering).
    const stateDir = path.join(hooksStateDir(dataDir), 'sess-r');
    assert.deepEqual(
      fs.readdirSync(stateDir).filter((f) => /\.(pre|post)\.json$/.test(f)),
      [],
    );
  });

  it('spools while the server is down, and a later successful hook drains the spool exactly once', async () => {
    const dataDir = freshDir();
    for (const id of ['toolu_s1', 'toolu_s2']) {
      await runHook({ stdin: stdinOf(event('PreToolUse', id)), dataDir, userId: 'u', url: deadUrl, now: () => T0 });
      const r = await runHook({ stdin: stdinOf(event('PostToolUse', id, { tool_response: {} })), dataDir, userId: 'u', url: deadUrl, now: () => T0 + 5 });
      assert.equal(r.outcome, 'spooled');
    }
    assert.equal(fs.readFileSync(spoolPath(dataDir), 'utf8').trim().split('\n').length, 2);
    assert.equal(received.has('cc:toolu_s1'), false);

    await runHook({ stdin: stdinOf(event('PreToolUse', 'toolu_s3')), dataDir, userId: 'u', url, now: () => T0 });
    const r = await runHook({
      stdin: stdinOf(event('PostToolUse', 'toolu_s3', { tool_response: {} })),
      dataDir,
      userId: 'u',
      url,
      now: () => T0 + 5,
      postTimeoutMs: 30_000,
    });
    assert.equal(r.outcome, 'posted');
    for (const id of ['toolu_s1', 'toolu_s2', 'toolu_s3']) assert.ok(received.has(`cc:${id}`), id);
    assert.equal(fs.existsSync(spoolPath(dataDir)), false);
  });

  it('counts what it cannot keep, durably, and says why', async () => {
    // The spool cannot be written (a directory sits where the file goes): the finished call is counted as dropped.
    const dataDir = freshDir();
    fs.mkdirSync(path.join(dataDir, 'spool.jsonl'), { recursive: true });
    await runHook({ stdin: stdinOf(event('PreToolUse', 'toolu_x1')), dataDir, userId: 'u', url: null, now: () => T0 });
    const r = await runHook({ stdin: stdinOf(event('PostToolUse', 'toolu_x1', { tool_response: {} })), dataDir, userId: 'u', url: null, now: () => T0 + 7 });
    assert.equal(r.outcome, 'dropped');
    const d = readDrops(dataDir);
    assert.equal(d.count, 1);
    assert.equal(d.lastAt, T0 + 7);
    assert.match(d.lastReason ?? '', /cannot write the spool: EISDIR/);
    // The data directory itself is unusable (a file): counted in the fallback file, still found by readDrops.
    const file = path.join(root, `file-${n++}`);
    fs.writeFileSync(file, '');
    const f = await runHook({ stdin: stdinOf(event('PostToolUse', 'toolu_x2', { tool_response: {} })), dataDir: file, userId: 'u', url: null, now: () => T0 });
    assert.equal(f.outcome, 'failed');
    assert.equal(readDrops(file).count, 1);
    for (const p of readDrops(file).files) fs.rmSync(p, { force: true });
  });

  it('counts a call cut short by a full disk as a drop, and the next call still lands whole', async () => {
    const dataDir = freshDir();
    await runHook({ stdin: stdinOf(event('PreToolUse', 'toolu_sw')), dataDir, userId: 'u', url: null, now: () => T0 });
    const real = fs.writeSync;
    const short = mock.method(fs, 'writeSync', (fd: number, buf: unknown, ...rest: unknown[]) => {
      // Half of a spool line is written, then the disk is full; other writes go through.
      if (Buffer.isBuffer(buf) && buf.includes('"dedupe_key"')) {
        if (rest[0] === 0) return real(fd, buf, 0, Math.floor(buf.length / 2));
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }
      return (real as (...a: unknown[]) => number)(fd, buf, ...rest);
    });
    let r: Awaited<ReturnType<typeof runHook>>;
    try {
      r = await runHook({ stdin: stdinOf(event('PostToolUse', 'toolu_sw', { tool_response: {} })), dataDir, userId: 'u', url: null, now: () => T0 + 5 });
    } finally {
      short.mock.restore();
    }
    assert.equal(r.outcome, 'dropped');
    assert.equal(readDrops(dataDir).count, 1);
    assert.equal(readDrops(dataDir).lastReason, 'disk full');
    await runHook({ stdin: stdinOf(event('PreToolUse', 'toolu_sw2')), dataDir, userId: 'u', url: null, now: () => T0 + 10 });
    await runHook({ stdin: stdinOf(event('PostToolUse', 'toolu_sw2', { tool_response: {} })), dataDir, userId: 'u', url: null, now: () => T0 + 15 });
    const keys: string[] = [];
    const sum = await drainSpool(dataDir, async (inputs) => {
      keys.push(...inputs.map((i) => i.dedupe_key));
      return { inserted: inputs.length, duplicates: 0 };
    });
    assert.deepEqual(keys, ['cc:toolu_sw2']);
    assert.equal(sum.rejected, 1); // the cut half line, alone
  });

  it('counts a call as dropped, creating no salt, when the salt file is missing beside a database', async () => {
    const dataDir = freshDir();
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'session-buddy.db'), '');
    await runHook({ stdin: stdinOf(event('PreToolUse', 'toolu_ns')), dataDir, userId: 'u', url: null, now: () => T0 });
    const r = await runHook({ stdin: stdinOf(event('PostToolUse', 'toolu_ns', { tool_response: {} })), dataDir, userId: 'u', url: null, now: () => T0 + 5 });
    assert.equal(r.outcome, 'dropped');
    assert.equal(fs.existsSync(path.join(dataDir, 'salt')), false);
    assert.equal(fs.existsSync(spoolPath(dataDir)), false);
    assert.equal(readDrops(dataDir).count, 1);
    assert.match(readDrops(dataDir).lastReason ?? '', /salt is missing beside a database: not spooled/);
  });

  it('counts a typed skill it cannot keep (disk full) as a drop and leaves no temp file', async () => {
    const dataDir = freshDir();
    const real = fs.writeFileSync;
    const full = mock.method(fs, 'writeFileSync', (file: fs.PathOrFileDescriptor, data: string, opts?: fs.WriteFileOptions) => {
      if (typeof file === 'string' && /activations\.json\.\d+\.tmp$/.test(file)) {
        real(file, ''); // created, then the disk is full
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }
      return real(file, data, opts);
    });
    let r: Awaited<ReturnType<typeof runHook>>;
    try {
      const typed = {
        session_id: 'sess-typed',
        cwd: '/home/u/app',
        hook_event_name: 'UserPromptExpansion',
        expansion_type: 'slash_command',
        command_name: 'deploy-docs',
        command_source: 'skill',
      };
      r = await runHook({ stdin: stdinOf(typed), dataDir, userId: 'u', url: null, now: () => T0 });
    } finally {
      full.mock.restore();
    }
    assert.equal(r.outcome, 'failed');
    assert.equal(readDrops(dataDir).count, 1);
    assert.match(readDrops(dataDir).lastReason ?? '', /ENOSPC/);
    const dir = path.join(dataDir, 'hooks', 'sess-typed');
    assert.deepEqual(fs.existsSync(dir) ? fs.readdirSync(dir) : [], []);
  });

  it('counts an input over the size cap as a drop (it cannot tell which call it was)', async () => {
    const dataDir = freshDir();
    fs.mkdirSync(dataDir, { recursive: true });
    const body = JSON.stringify(event('PostToolUse', 'toolu_big', { tool_response: { originalFile: 'x'.repeat(4096) } }));
    const r = await runHook({ stdin: stdinOf(JSON.parse(body)), dataDir, userId: 'u', url: null, now: () => T0, maxStdinBytes: 1024 });
    assert.equal(r.outcome, 'dropped');
    assert.equal(readDrops(dataDir).count, 1);
    assert.match(readDrops(dataDir).lastReason ?? '', /hook input larger than/);
  });

  it('sends the access token when the data directory has one', async () => {
    const dataDir = freshDir();
    fs.mkdirSync(dataDir, { recursive: true });
    assert.equal(readAccessToken(dataDir), null);
    fs.writeFileSync(path.join(dataDir, 'token'), 'abcdefghijklmnopqrstuvwxyz012345\n');
    let seen: Record<string, string> = {};
    const fetchImpl: FetchLike = async (_url, init) => {
      seen = init.headers;
      return { ok: true, status: 200, json: async () => ({ inserted: 1, duplicates: 0 }) };
    };
    await createHttpRecorder(url, { fetchImpl, token: readAccessToken(dataDir) })([]);
    assert.equal(seen.authorization, 'Bearer abcdefghijklmnopqrstuvwxyz012345');
  });

  it('spools without trying the network when no server runs (url null)', async () => {
    const dataDir = freshDir();
    await runHook({ stdin: stdinOf(event('PreToolUse', 'toolu_n')), dataDir, userId: 'u', url: null, now: () => T0 });
    const r = await runHook({ stdin: stdinOf(event('PostToolUse', 'toolu_n', { tool_response: {} })), dataDir, userId: 'u', url: null, now: () => T0 + 7 });
    assert.deepEqual(r, { outcome: 'spooled', reason: 'no server running', event: 'PostToolUse', invocations: 1 });
    const spooled = JSON.parse(fs.readFileSync(spoolPath(dataDir), 'utf8')) as CapturedInvocation;
    assert.equal(spooled.duration_ms, 7); // (T0 + 7) - T0
  });

  it('keeps input the server calls invalid in the rejected file instead of retrying it', async () => {
    const dataDir = freshDir();
    await runHook({ stdin: stdinOf(event('PreToolUse', 'toolu_bad', { tool_name: 'bad-tool' })), dataDir, userId: 'u', url, now: () => T0 });
    const r = await runHook({
      stdin: stdinOf(event('PostToolUse', 'toolu_bad', { tool_name: 'bad-tool', tool_response: {} })),
      dataDir,
      userId: 'u',
      url,
      now: () => T0,
    });
    assert.equal(r.outcome, 'dropped');
    assert.match(r.reason ?? '', /invocations.0.skill_name: bad/);
    assert.equal(fs.existsSync(spoolPath(dataDir)), false);
    assert.equal(fs.readFileSync(path.join(dataDir, REJECTED_FILE), 'utf8').trim().split('\n').length, 1);
  });

  it('ignores garbage, unknown events and empty input without throwing', async () => {
    const dataDir = freshDir();
    const base = { dataDir, userId: 'u', url };
    assert.equal((await runHook({ ...base, stdin: stdinOf('not json at all') })).outcome, 'ignored');
    assert.equal((await runHook({ ...base, stdin: stdinOf({ hook_event_name: 'Notification', session_id: 's' }) })).outcome, 'ignored');
    assert.equal((await runHook({ ...base, stdin: Readable.from([]) })).outcome, 'ignored');
    assert.equal((await runHook({ ...base, stdin: stdinOf({ hook_event_name: 'SessionStart', session_id: 's' }) })).outcome, 'nothing');
  });

  describe('SessionEnd without a Stop before it', () => {
    const pairingFiles = (dataDir: string, sid: string) => {
      const dir = path.join(dataDir, 'hooks', sid);
      return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.(pre|post)\.json$/.test(f)) : [];
    };

    it('records a Post whose Pre never came, with its duration_ms, and leaves no pairing state', async () => {
      const dataDir = freshDir();
      const sid = 'sess-end-post-only';
      const base = { dataDir, userId: 'u', url, postTimeoutMs: 30_000 };
      const common = { session_id: sid, transcript_path: '/home/u/.claude/projects/-home-u-app/s.jsonl', cwd: '/home/u/app' };
      await runHook({ ...base, stdin: stdinOf({ ...common, hook_event_name: 'SessionStart', source: 'startup' }), now: () => T0 });
      const post = await runHook({
        ...base,
        stdin: stdinOf({ ...event('PostToolUse', 'toolu_04', { tool_response: { filePath: '/home/u/app/src/x.ts' }, duration_ms: 42 }), ...common }),
        now: () => T0 + 1000,
      });
      assert.equal(post.outcome, 'nothing'); // waits for its Pre
      assert.deepEqual(pairingFiles(dataDir, sid), ['toolu_04.post.json']);
      const end = await runHook({ ...base, stdin: stdinOf({ ...common, hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' }), now: () => T0 + 2000 });
      assert.equal(end.outcome, 'posted');
      assert.equal(end.invocations, 1);
      const got = received.get('cc:toolu_04');
      assert.equal(got?.session_id, sid);
      assert.equal(got?.completed, true);
      assert.equal(got?.duration_ms, 42);
      assert.equal(got?.metadata.duration_source, 'claude_code');
      assert.equal(got?.invoked_at, T0 + 1000 - 42);
      assert.deepEqual(pairingFiles(dataDir, sid), []);
      // A second SessionEnd (or one after a Stop) has nothing left to do.
      const again = await runHook({ ...base, stdin: stdinOf({ ...common, hook_event_name: 'SessionEnd', reason: 'other' }), now: () => T0 + 3000 });
      assert.deepEqual([again.outcome, again.invocations], ['nothing', 0]);
    });

    it("keeps the last turn's Pre for a Post that starts after SessionEnd (async hooks), then pairs them", async () => {
      const dataDir = freshDir();
      const sid = 'sess-end-late-post';
      const base = { dataDir, userId: 'u', url, postTimeoutMs: 30_000 };
      const common = { session_id: sid, cwd: '/home/u/app' };
      await runHook({ ...base, stdin: stdinOf({ ...event('PreToolUse', 'toolu_05'), ...common }), now: () => T0 });
      const end = await runHook({ ...base, stdin: stdinOf({ ...common, hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' }), now: () => T0 + 60_000 });
      assert.deepEqual([end.outcome, end.invocations], ['nothing', 0]); // not settled as no_result
      assert.equal(received.has('cc:toolu_05'), false);
      const late = await runHook({
        ...base,
        stdin: stdinOf({ ...event('PostToolUseFailure', 'toolu_05', { error: 'Interrupted by user', is_interrupt: true, duration_ms: 59_000 }), ...common }),
        now: () => T0 + 60_100,
      });
      assert.equal(late.outcome, 'posted');
      const got = received.get('cc:toolu_05');
      assert.equal(got?.completed, false);
      assert.notEqual(got?.error_type, 'no_result');
      assert.equal(got?.duration_ms, 59_000);
      assert.deepEqual(pairingFiles(dataDir, sid), []);
    });

    it('Stop then SessionEnd records each unmatched call once', async () => {
      const dataDir = freshDir();
      const sid = 'sess-stop-end';
      const base = { dataDir, userId: 'u', url, postTimeoutMs: 30_000 };
      const common = { session_id: sid, cwd: '/home/u/app' };
      await runHook({ ...base, stdin: stdinOf({ ...event('PostToolUse', 'toolu_06', { tool_response: {}, duration_ms: 7 }), ...common }), now: () => T0 });
      await runHook({ ...base, stdin: stdinOf({ ...event('PreToolUse', 'toolu_07'), ...common }), now: () => T0 + 10 });
      const stop = await runHook({ ...base, stdin: stdinOf({ ...common, hook_event_name: 'Stop' }), now: () => T0 + 1000 });
      assert.deepEqual([stop.outcome, stop.invocations], ['nothing', 0]); // the first Stop waits one turn
      const end = await runHook({ ...base, stdin: stdinOf({ ...common, hook_event_name: 'SessionEnd', reason: 'other' }), now: () => T0 + 2000 });
      assert.equal(end.invocations, 2); // both predate the Stop
      assert.equal(received.get('cc:toolu_06')?.duration_ms, 7);
      assert.equal(received.get('cc:toolu_07')?.error_type, 'no_result');
      assert.deepEqual(pairingFiles(dataDir, sid), []);
      const again = await runHook({ ...base, stdin: stdinOf({ ...common, hook_event_name: 'SessionEnd', reason: 'other' }), now: () => T0 + 3000 });
      assert.equal(again.invocations, 0);
    });
  });

  it('reports (never throws) when even spooling fails', async () => {
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, '');
    // dataDir below a regular file cannot be created
    const r = await runHook({ stdin: stdinOf(event('PreToolUse', 'toolu_f')), dataDir: path.join(file, 'x'), userId: 'u', url: deadUrl });
    assert.equal(r.outcome, 'failed');
  });
});

describe('createHttpRecorder', () => {
  const captured = (i: number, skill = 'Edit'): CapturedInvocation => ({
    skill_name: skill,
    session_id: 'sess-batch',
    user_id: 'u',
    workflow_phase: 'implementation',
    completed: true,
    duration_ms: 1,
    error_type: null,
    invoked_at: T0,
    project: null,
    agent: 'claude-code',
    metadata: {},
    dedupe_key: `cc:batch_${i}`,
  });

  it('posts at most 1,000 invocations per request, in order, and adds up the answers', async () => {
    const sizes: number[] = [];
    const fetchImpl: FetchLike = async (_url, init) => {
      sizes.push((JSON.parse(init.body) as unknown[]).length);
      return { ok: true, status: 200, json: async () => ({ inserted: sizes.at(-1)! - 1, duplicates: 1 }) };
    };
    const r = await createHttpRecorder(url, { fetchImpl })(Array.from({ length: 2500 }, (_, i) => captured(i)));
    assert.deepEqual(sizes, [1000, 1000, 500]);
    assert.deepEqual(r, { inserted: 2497, duplicates: 3 });
    sizes.length = 0;
    await createHttpRecorder(url, { fetchImpl })(Array.from({ length: 1000 }, (_, i) => captured(i)));
    assert.deepEqual(sizes, [1000]);
  });

  it('names a refused invocation by its index in the whole delivery, not in its request', async () => {
    const items = Array.from({ length: 1500 }, (_, i) => captured(i, i === 1200 ? 'bad-tool' : 'Edit'));
    // The stand-in server names invocations.0 of the request that holds the bad one (the second).
    await assert.rejects(createHttpRecorder(url)(items), (err: { code?: string; message?: string }) => {
      assert.equal(err.code, 'INVALID_INPUT');
      assert.equal(err.message, 'invocations.1000.skill_name: bad');
      return true;
    });
  });

  it('rejects answers without counts', async () => {
    const rec = createHttpRecorder('http://x/api/invocations', {
      fetchImpl: async () => ({ ok: true, status: 200, json: async () => ({}) }),
    });
    await assert.rejects(rec([]), /without \{ inserted, duplicates \}/);
  });

  it('maps HTTP 5xx to STORE_UNAVAILABLE', async () => {
    const rec = createHttpRecorder('http://x/api/invocations', {
      fetchImpl: async () => ({ ok: false, status: 503, json: async () => ({}) }),
    });
    await assert.rejects(rec([]), (err: { code?: string }) => err.code === 'STORE_UNAVAILABLE');
  });
});
