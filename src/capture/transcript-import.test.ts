import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { findTranscriptFiles, importTranscripts } from './transcript-import.js';
import { type PairerState, TranscriptPairer } from './transcript-pairing.js';
import type { CapturedInvocation, RecordBatch } from './types.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-transcripts-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function fakeStore() {
  const rows = new Map<string, CapturedInvocation>();
  const record: RecordBatch = async (inputs) => {
    const bad = inputs.findIndex((i) => i.skill_name.includes('INVALID'));
    if (bad >= 0) throw AppError.invalid(`invocations.${bad}.skill_name`, 'bad');
    let inserted = 0;
    let duplicates = 0;
    for (const i of inputs) {
      if (rows.has(i.dedupe_key)) duplicates++;
      else {
        rows.set(i.dedupe_key, i);
        inserted++;
      }
    }
    return { inserted, duplicates };
  };
  return { rows, record };
}

const SID = '3f2b7c1e-0000-4000-8000-000000000001';
const CWD = '/home/u/shop';
const at = (s: string) => `2026-01-05T10:${s}Z`;
const common = (ts: string, uuid: string) => ({
  parentUuid: null,
  isSidechain: false,
  userType: 'external',
  cwd: CWD,
  sessionId: SID,
  version: '2.1.0',
  gitBranch: 'main',
  uuid,
  timestamp: at(ts),
});
const assistant = (ts: string, uuid: string, msgId: string, content: unknown[]) =>
  JSON.stringify({
    ...common(ts, uuid),
    type: 'assistant',
    requestId: `req_${msgId}`,
    message: { id: msgId, type: 'message', role: 'assistant', model: 'claude-x', content, stop_reason: 'tool_use' },
  });
const user = (ts: string, uuid: string, content: unknown) => JSON.stringify({ ...common(ts, uuid), type: 'user', message: { role: 'user', content } });
const toolUse = (id: string, name: string, input: unknown) => ({ type: 'tool_use', id, name, input });
const toolResult = (id: string, content: unknown, isError?: boolean) => ({
  type: 'tool_result',
  tool_use_id: id,
  content,
  ...(isError === undefined ? {} : { is_error: isError }),
});

const sessionLines = [
  user('00:00.000', 'u1', 'run the tests and review'),
  assistant('00:00.000', 'a1', 'msg_1', [
    { type: 'text', text: 'Running tests.' },
    toolUse('toolu_1', 'Bash', { command: 'npm test', description: 'Run tests' }),
  ]),
  assistant('00:00.000', 'a2', 'msg_1', [toolUse('toolu_2', 'Read', { file_path: '/home/u/shop/src/a.ts' })]),
  user('00:04.500', 'u2', [toolResult('toolu_1', 'Error: Exit code 1\n1 failing', true)]),
  user('00:00.300', 'u3', [toolResult('toolu_2', [{ type: 'text', text: 'export const a = 1;' }], false)]),
  '{{{ not json',
  JSON.stringify({ type: 'file-history-snapshot', messageId: 'a1', snapshot: {}, isSnapshotUpdate: false }),
  assistant('01:00.000', 'a3', 'msg_2', [toolUse('toolu_3', 'Skill', { skill: 'code-review' })]),
  user('01:02.000', 'u4', [toolResult('toolu_3', 'Launching skill: code-review')]),
  assistant('02:00.000', 'a4', 'msg_3', [toolUse('toolu_4', 'Edit', { file_path: '/home/u/shop/src/a.ts', old_string: 'a', new_string: 'b' })]),
  // no result for toolu_4, yet the conversation moved on: it never completed
  assistant('02:05.000', 'a5', 'msg_4', [{ type: 'text', text: 'Let me explore instead.' }]),
  '',
  assistant('03:00.000', 'a6', 'msg_4', [toolUse('toolu_5', 'Task', { subagent_type: 'Explore', prompt: 'find x' })]),
  // toolu_5 is the last call and has no result yet
  'null',
  assistant('03:01.000', 'a7', 'msg_4', [{ type: 'tool_use', name: 'Bash', input: {} }]),
];

function writeFixture(dir: string, mtime: Date): { main: string; sub: string } {
  const proj = path.join(dir, 'projects', '-home-u-shop');
  fs.mkdirSync(path.join(proj, SID, 'subagents'), { recursive: true });
  const main = path.join(proj, `${SID}.jsonl`);
  fs.writeFileSync(main, `${sessionLines.join('\n')}\n`);
  const sub = path.join(proj, SID, 'subagents', 'agent-1.jsonl');
  fs.writeFileSync(
    sub,
    `${[
      JSON.stringify({
        ...JSON.parse(assistant('03:10.000', 's1', 'msg_s1', [toolUse('toolu_6', 'Grep', { pattern: 'x' })])),
        isSidechain: true,
        agentId: 'ag1',
      }),
      JSON.stringify({ ...JSON.parse(user('03:10.120', 's2', [toolResult('toolu_6', 'No matches found')])), isSidechain: true, agentId: 'ag1' }),
    ].join('\n')}\n`,
  );
  fs.writeFileSync(path.join(proj, 'notes.txt'), 'not a transcript');
  for (const f of [main, sub]) fs.utimesSync(f, mtime, mtime);
  return { main, sub };
}

describe('importTranscripts', () => {
  const dir = path.join(root, 'a');
  const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
  writeFixture(dir, new Date(NOW - 60_000)); // modified a minute before "now": not settled

  it('records paired calls, counts malformed lines and leaves the open call pending', async () => {
    const store = fakeStore();
    const progress: Array<[number, number]> = [];
    const sum = await importTranscripts(dir, { userId: 'alice', record: store.record, now: NOW, onProgress: (d, t) => progress.push([d, t]) });
    // 15 fixture lines, 1 blank -> 14 in the main file; 2 in the subagent file
    // malformed: "{{{ not json", "null", tool_use without id = 3
    // invocations: toolu_1, 2, 3, 4 (no_result, superseded), 6 (subagent); toolu_5 pending
    assert.deepEqual(
      { ...sum, bytes: 0, malformedAt: sum.malformedAt.map((m) => path.basename(m)) },
      {
        files: 2,
        unchanged: 0,
        settled: 0,
        appended: 0,
        reread: 0,
        rereadForCosts: 0,
        bytes: 0,
        lines: 16,
        malformed: 3,
        malformedAt: [
          `${SID}.jsonl:6: not a JSON object (truncated?)`,
          `${SID}.jsonl:14: not a JSON object (truncated?)`,
          `${SID}.jsonl:15: tool block without id, name or timestamp`,
        ],
        invocations: 5,
        inserted: 5,
        duplicates: 0,
        rejected: 0,
        pending: 1,
        unreadable: 0,
        unreadableAt: [],
        costs: null,
        scanner: 'native',
      },
    );

    const t1 = store.rows.get(`cc:toolu_1`);
    assert.deepEqual(t1, {
      skill_name: 'Bash',
      session_id: SID,
      user_id: 'alice',
      workflow_phase: 'testing',
      completed: false,
      duration_ms: 4500, // 10:00:04.500 - 10:00:00.000
      error_type: 'nonzero_exit',
      invoked_at: Date.UTC(2026, 0, 5, 10, 0, 0),
      project: 'shop',
      agent: 'claude-code',
      metadata: { source: 'transcript', tool: 'Bash' },
      dedupe_key: `cc:toolu_1`,
    });
    const t2 = store.rows.get(`cc:toolu_2`);
    assert.equal(t2?.completed, true);
    assert.equal(t2?.duration_ms, 300); // 00.300 - 00.000
    assert.equal(t2?.workflow_phase, 'planning');
    const t3 = store.rows.get(`cc:toolu_3`);
    assert.equal(t3?.skill_name, 'skill:code-review');
    assert.equal(t3?.workflow_phase, 'review');
    assert.equal(t3?.duration_ms, 2000); // 01:02 - 01:00
    const t4 = store.rows.get(`cc:toolu_4`);
    assert.equal(t4?.completed, false);
    assert.equal(t4?.error_type, 'no_result');
    assert.equal(t4?.duration_ms, 0);
    const t6 = store.rows.get(`cc:toolu_6`);
    assert.equal(t6?.duration_ms, 120); // 03:10.120 - 03:10.000
    assert.deepEqual(t6?.metadata, { source: 'transcript', tool: 'Grep', sidechain: true });
    assert.equal(store.rows.has(`cc:toolu_5`), false);

    const total =
      fs.statSync(path.join(dir, 'projects', '-home-u-shop', `${SID}.jsonl`)).size +
      fs.statSync(path.join(dir, 'projects', '-home-u-shop', SID, 'subagents', 'agent-1.jsonl')).size;
    assert.deepEqual(progress.at(-1), [total, total]);
    assert.deepEqual(progress[0], [0, total]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]![0] >= progress[i - 1]![0], 'progress never goes back');

    // Importing again adds nothing.
    const again = await importTranscripts(dir, { userId: 'alice', record: store.record, now: NOW });
    assert.equal(again.inserted, 0);
    assert.equal(again.duplicates, 5);
    assert.equal(store.rows.size, 5);

    // Once the transcript is settled, the call left without a result is recorded as no_result.
    const settled = await importTranscripts(dir, { userId: 'alice', record: store.record, now: NOW + 3_600_000 });
    assert.equal(settled.inserted, 1);
    assert.equal(settled.duplicates, 5);
    assert.equal(settled.pending, 0);
    const t5 = store.rows.get(`cc:toolu_5`);
    assert.equal(t5?.skill_name, 'agent:Explore');
    assert.equal(t5?.workflow_phase, 'planning');
    assert.equal(t5?.error_type, 'no_result');
  });

  it('accepts a single file and a list of paths', async () => {
    const store = fakeStore();
    const file = path.join(dir, 'projects', '-home-u-shop', `${SID}.jsonl`);
    const one = await importTranscripts(file, { userId: 'u', record: store.record, now: NOW });
    assert.equal(one.files, 1);
    assert.equal(one.invocations, 4);
    const both = await importTranscripts([file, file], { userId: 'u', record: store.record, now: NOW });
    assert.equal(both.files, 2);
    assert.equal(both.duplicates, 8);
  });

  it('counts invalid invocations as rejected and still records the rest', async () => {
    const d = path.join(root, 'b');
    fs.mkdirSync(d);
    fs.writeFileSync(
      path.join(d, 's.jsonl'),
      `${[
        assistant('00:00.000', 'x1', 'm1', [toolUse('t1', 'INVALID', {}), toolUse('t2', 'Read', {})]),
        user('00:01.000', 'x2', [toolResult('t1', 'ok'), toolResult('t2', 'ok')]),
      ].join('\n')}\n`,
    );
    const store = fakeStore();
    const sum = await importTranscripts(d, { userId: 'u', record: store.record, now: NOW });
    assert.equal(sum.invocations, 2);
    assert.equal(sum.inserted, 1);
    assert.equal(sum.rejected, 1);
  });

  it('writes early toward the end, once what is buffered is as much as what is left to read', async () => {
    // 12 files of 50 calls each, alike in size; the batch size is never reached. The first write is due
    // when half the bytes are read (300 buffered, 300 expected to come), then 150, then 100 (the
    // smallest early write), and the last 50 at the end.
    const d = path.join(root, 'early');
    fs.mkdirSync(d);
    for (let f = 0; f < 12; f++) {
      const lines: string[] = [];
      for (let c = 0; c < 50; c++) {
        const id = `toolu_e${String(f).padStart(2, '0')}_${String(c).padStart(2, '0')}`;
        lines.push(assistant('00:00.000', `a-${id}`, `msg_${id}`, [toolUse(id, 'Read', { file_path: '/a.ts' })]));
        lines.push(user('00:00.100', `u-${id}`, [toolResult(id, 'ok')]));
      }
      fs.writeFileSync(path.join(d, `${String(f).padStart(2, '0')}.jsonl`), `${lines.join('\n')}\n`);
    }
    const store = fakeStore();
    const sizes: number[] = [];
    const record: RecordBatch = (inputs) => {
      sizes.push(inputs.length);
      return store.record(inputs);
    };
    const sum = await importTranscripts(d, { userId: 'u', record, now: NOW, batchSize: 10_000, minEarlyBatch: 100, workers: 0 });
    assert.equal(sum.inserted, 600);
    assert.equal(store.rows.size, 600);
    assert.deepEqual(
      sizes.filter((n) => n > 0),
      [300, 150, 100, 50],
    );
  });

  it('fails on a path that does not exist', async () => {
    await assert.rejects(importTranscripts(path.join(root, 'missing'), { userId: 'u', record: fakeStore().record, now: NOW }), /ENOENT/);
  });
});

describe('findTranscriptFiles', () => {
  it('walks directories for *.jsonl only, in name order', async () => {
    const d = path.join(root, 'c');
    fs.mkdirSync(path.join(d, 'z', 'y'), { recursive: true });
    fs.writeFileSync(path.join(d, 'b.jsonl'), '');
    fs.writeFileSync(path.join(d, 'a.JSONL'), '');
    fs.writeFileSync(path.join(d, 'z', 'y', 'c.jsonl'), '{}');
    fs.writeFileSync(path.join(d, 'z', 'c.json'), '');
    const files = await findTranscriptFiles(d);
    assert.deepEqual(
      files.map((f) => path.relative(d, f.path)),
      ['a.JSONL', 'b.jsonl', path.join('z', 'y', 'c.jsonl')],
    );
    assert.equal(files[2]!.size, 2);
  });

  it('follows symlinked files; reports a symlink to nothing and a directory it cannot list, and the import goes on', async () => {
    const d = path.join(root, 'links');
    fs.mkdirSync(path.join(d, 'p'), { recursive: true });
    const real = path.join(root, 'elsewhere.jsonl');
    fs.writeFileSync(
      real,
      `${[assistant('00:00.000', 'l1', 'ml', [toolUse('tl', 'Read', { file_path: '/a.ts' })]), user('00:01.000', 'l2', [toolResult('tl', 'ok')])].join('\n')}\n`,
    );
    fs.symlinkSync(real, path.join(d, 'p', 'a.jsonl'));
    fs.symlinkSync(path.join(root, 'gone.jsonl'), path.join(d, 'p', 'b.jsonl'));
    fs.symlinkSync('loop.jsonl', path.join(d, 'p', 'loop.jsonl'));
    // A directory it cannot list (not for root, whom permissions do not stop).
    const locked = process.getuid?.() !== 0 ? path.join(d, 'locked') : null;
    if (locked) {
      fs.mkdirSync(locked);
      fs.chmodSync(locked, 0o000);
    }
    try {
      const reported: string[] = [];
      const files = await findTranscriptFiles(d, (p, err) => reported.push(`${path.relative(d, p)}: ${(err as NodeJS.ErrnoException).code}`));
      assert.deepEqual(
        files.map((f) => path.relative(d, f.path)),
        [path.join('p', 'a.jsonl')],
      );
      assert.deepEqual(reported, [...(locked ? ['locked: EACCES'] : []), `${path.join('p', 'b.jsonl')}: ENOENT`, `${path.join('p', 'loop.jsonl')}: ELOOP`]);
      const sum = await importTranscripts(d, { userId: 'u', record: fakeStore().record, now: Date.UTC(2026, 0, 5, 12, 0, 0) });
      assert.deepEqual([sum.files, sum.inserted, sum.unreadable], [1, 1, reported.length]);
      assert.deepEqual(
        sum.unreadableAt,
        reported.map((r) => path.join(d, r)),
      );
    } finally {
      if (locked) fs.chmodSync(locked, 0o700);
    }
  });
});

describe('TranscriptPairer', () => {
  it('takes the session id from the file name when lines have none', () => {
    const p = new TranscriptPairer('u', TranscriptPairer.sessionIdFromPath('/x/abc-123.jsonl'));
    assert.ok(p.addLine({ type: 'assistant', timestamp: at('00:00.000'), message: { id: 'm', content: [toolUse('t', 'Glob', {})] } }));
    assert.ok(p.addLine({ type: 'user', timestamp: at('00:00.050'), message: { content: [toolResult('t', 'a.ts')] } }));
    const out = p.finish(false);
    assert.equal(out.invocations[0]?.session_id, 'abc-123');
    assert.equal(out.invocations[0]?.dedupe_key, 'cc:t');
    assert.equal(out.invocations[0]?.duration_ms, 50);
  });

  it('does not treat subagent messages as the main chain moving on', () => {
    const p = new TranscriptPairer('u', 's');
    p.addLine({ type: 'assistant', timestamp: at('00:00.000'), message: { id: 'm1', content: [toolUse('task', 'Task', { subagent_type: 'x' })] } });
    p.addLine({ type: 'assistant', isSidechain: true, timestamp: at('00:01.000'), message: { id: 'm2', content: [{ type: 'text', text: 'sub' }] } });
    p.addLine({ type: 'assistant', isSidechain: true, timestamp: at('00:02.000'), message: { id: 'm3', content: [{ type: 'text', text: 'sub' }] } });
    assert.deepEqual(p.finish(false), { invocations: [], pending: 1 });
  });

  it('does not end a call of a subagent without agentId when another such subagent moves on (older files: they share one chain)', () => {
    const side = (ts: string, id: string, content: unknown[]) => ({ type: 'assistant', isSidechain: true, timestamp: at(ts), message: { id, content } });
    const sideResult = (ts: string, id: string) => ({ type: 'user', isSidechain: true, timestamp: at(ts), message: { content: [toolResult(id, 'ok')] } });
    const p = new TranscriptPairer('u', 's');
    // Two Task calls in one message: two subagents, both written as sidechain lines without agentId.
    p.addLine({ type: 'assistant', timestamp: at('00:00.000'), message: { id: 'm1', content: [toolUse('p1', 'Task', {}), toolUse('p2', 'Task', {})] } });
    p.addLine(side('00:03.000', 'ms1', [toolUse('g1', 'Glob', { pattern: '*' })]));
    p.addLine(side('00:04.000', 'ms2', [toolUse('g2', 'Grep', { pattern: 'x' })]));
    // The first import stops here: g1 is not superseded by the other subagent's message.
    assert.deepEqual(p.finish(false), { invocations: [], pending: 4 });
    p.addLine(sideResult('00:10.000', 'g1'));
    p.addLine(sideResult('00:11.000', 'g2'));
    const done = p.finish(false);
    assert.deepEqual(
      done.invocations.map((i) => [i.skill_name, i.completed, i.duration_ms, i.error_type]),
      [
        ['Glob', true, 7000, null],
        ['Grep', true, 7000, null],
      ],
    );
    // Once the file is settled, a call in that chain still without a result is recorded as failed.
    p.addLine(side('00:20.000', 'ms3', [toolUse('g3', 'Read', { file_path: '/a' })]));
    p.addLine(side('00:21.000', 'ms4', [{ type: 'text', text: 'done' }]));
    assert.equal(p.finish(false).invocations.filter((i) => i.skill_name === 'Read').length, 0);
    assert.deepEqual(
      p
        .finish(true)
        .invocations.filter((i) => i.skill_name === 'Read')
        .map((i) => i.error_type),
      ['no_result'],
    );
  });

  it('keeps in its state only the chains of pending calls, and a read split there pairs as one read does', () => {
    const side = (agent: string, ts: string, id: string, content: unknown[]) => ({
      type: 'assistant',
      isSidechain: true,
      agentId: agent,
      timestamp: at(ts),
      message: { id, content },
    });
    const sideResult = (agent: string, ts: string, content: unknown[]) => ({
      type: 'user',
      isSidechain: true,
      agentId: agent,
      timestamp: at(ts),
      message: { content },
    });
    const before = [
      { type: 'assistant', timestamp: at('00:00.000'), message: { id: 'm1', content: [toolUse('task', 'Task', { subagent_type: 'x' })] } },
      side('ag1', '00:01.000', 's1', [toolUse('g1', 'Grep', {})]),
      sideResult('ag1', '00:01.500', [toolResult('g1', 'x')]),
      side('ag2', '00:02.000', 's2', [toolUse('g2', 'Glob', {})]),
      side('ag3', '00:02.500', 's5', [toolUse('g4', 'Read', {})]),
    ];
    const after = [
      side('ag1', '00:03.000', 's1', [toolUse('g3', 'Read', {})]), // ag1 goes on with the same response…
      side('ag1', '00:04.000', 's3', [{ type: 'text', text: 'done' }]), // …then a new one: g3 was superseded
      side('ag2', '00:05.000', 's4', [{ type: 'text', text: 'next' }]), // ag2 moves on: g2 was superseded
      side('ag3', '00:05.500', 's5', [{ type: 'text', text: 'same response' }]), // ag3 does not: g4 still pending
      { type: 'user', timestamp: at('00:06.000'), message: { content: [toolResult('task', 'report')] } },
    ];
    const whole = new TranscriptPairer('u', 's');
    for (const l of [...before, ...after]) whole.addLine(l);
    const first = new TranscriptPairer('u', 's');
    for (const l of before) first.addLine(l);
    const a = first.finish(false);
    const state = JSON.parse(JSON.stringify(first.state())) as PairerState;
    // ag1 has no call pending: its chain is not carried.
    assert.deepEqual(state.chains.map(([chain]) => chain).sort(), ['main', 'side:ag2', 'side:ag3']);
    const second = new TranscriptPairer('u', 's', state);
    for (const l of after) second.addLine(l);
    const b = second.finish(false);
    const key = (i: CapturedInvocation) => i.dedupe_key;
    const all = whole.finish(false);
    assert.deepEqual(
      [...a.invocations, ...b.invocations].sort((x, y) => key(x).localeCompare(key(y))),
      all.invocations.sort((x, y) => key(x).localeCompare(key(y))),
    );
    assert.equal(b.pending, all.pending);
    assert.deepEqual(all.invocations.map((i) => [i.dedupe_key, i.error_type]).sort(), [
      ['cc:g1', null],
      ['cc:g2', 'no_result'],
      ['cc:g3', 'no_result'],
      ['cc:task', null],
    ]);
    assert.equal(all.pending, 1);
  });

  it('flags tool blocks without timestamps or ids as malformed', () => {
    const p = new TranscriptPairer('u', 's');
    assert.equal(p.addLine({ type: 'assistant', message: { content: [toolUse('t', 'Read', {})] } }), false);
    assert.equal(p.addLine({ type: 'user', timestamp: at('00:00.000'), message: { content: [{ type: 'tool_result', content: 'x' }] } }), false);
    assert.equal(p.addLine({ type: 'summary', summary: 'x' }), true);
    assert.equal(p.addLine('str'), false);
  });
});

describe('TranscriptPairer typed skills', () => {
  const typedLine = (ts: string, uuid: string, name: string) =>
    user(ts, uuid, `<command-message>${name}</command-message>\n<command-name>/${name}</command-name>\n<command-args></command-args>`);

  it('numbers typed activations per session and skill across imports, and marks slashes after a miss', () => {
    const first = new TranscriptPairer('alice', SID);
    first.addLine(JSON.parse(user('00:00.000', 'p1', 'fix the login bug'))); // prompt 1: no review
    first.addLine(JSON.parse(typedLine('01:00.000', 'p2', 'code-review'))); // prompt 2: /review after a miss
    first.addLine({ ...JSON.parse(user('01:00.001', 'm1', [{ type: 'text', text: 'Base directory for this skill' }])), isMeta: true }); // the expansion: not a prompt
    first.addLine(JSON.parse(assistant('02:00.000', 'a1', 'msg_9', [toolUse('toolu_r', 'Skill', { skill: 'code-review' })]))); // model review, prompt 2
    const a = first.finish(false).invocations;
    assert.deepEqual(
      a.map((i) => [i.dedupe_key, i.trigger, i.slash_after_miss]),
      [[`cc-typed:${SID}:skill:code-review:1`, 'typed', true]],
    );
    // The next import resumes from the saved state: the next /code-review is the second of the session. It is
    // prompt 3; the window (K = 3) covers prompts 1 and 2, and prompt 1 did not use it: still a candidate.
    const second = new TranscriptPairer('alice', SID, JSON.parse(JSON.stringify(first.state())));
    second.addLine(JSON.parse(typedLine('03:00.000', 'p3', 'code-review')));
    const b = second.finish(true).invocations;
    const typed = b.find((i) => i.trigger === 'typed');
    assert.equal(typed?.dedupe_key, `cc-typed:${SID}:skill:code-review:2`);
    assert.equal(typed?.slash_after_miss, true);
    assert.equal(b.find((i) => i.dedupe_key === 'cc:toolu_r')?.trigger, 'model');
  });

  it('does not take built-in commands, command output or interruptions for prompts', () => {
    const p = new TranscriptPairer('alice', SID);
    p.addLine(JSON.parse(typedLine('00:00.000', 'q1', 'code-review'))); // prompt 1
    p.addLine(JSON.parse(user('00:10.000', 'q2', '<command-name>/model</command-name>\n<command-message>model</command-message>')));
    p.addLine(JSON.parse(user('00:10.001', 'q3', '<local-command-stdout>Set model to opus</local-command-stdout>')));
    p.addLine(JSON.parse(user('00:20.000', 'q4', [{ type: 'text', text: '[Request interrupted by user]' }])));
    p.addLine(JSON.parse(typedLine('00:30.000', 'q5', 'code-review'))); // prompt 2: prompt 1 used review -> no miss
    const out = p.finish(true).invocations;
    assert.deepEqual(
      out.map((i) => [i.skill_name, i.slash_after_miss]),
      [
        ['skill:code-review', false],
        ['skill:code-review', false],
      ],
    );
  });
});
