/**
 * The detached transcript import a Stop / SessionEnd hook starts: it runs the
 * real `import` command on the transcript (tool calls and skill costs land in
 * the data directory's store), and none starts while one is still running.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { processAlive } from '../process-alive.js';
import { openSqliteStores } from '../store/open-stores.js';
import { entryPoint } from './entry-command.js';
import { HOOK_IMPORT_PID_FILE, startTranscriptImport } from './hook-import.js';
import { appendToSpool } from './spool.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-hook-import-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const at = (s: number) => new Date(Date.now() - 3_600_000 + s * 1000).toISOString();
const lines = [
  { type: 'user', sessionId: 'S', timestamp: at(0), message: { role: 'user', content: 'review it' } },
  {
    type: 'assistant',
    sessionId: 'S',
    timestamp: at(1),
    message: {
      id: 'm1',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'tool_use', id: 's1', name: 'Skill', input: { skill: 'review' } }],
      usage: { input_tokens: 10, output_tokens: 1 },
    },
  },
  {
    type: 'user',
    sessionId: 'S',
    timestamp: at(2),
    message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 's1', content: 'Launching skill: review' }] },
  },
  {
    type: 'assistant',
    sessionId: 'S',
    timestamp: at(3),
    attributionSkill: 'review',
    message: { id: 'm2', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: 1000, output_tokens: 100 } },
  },
];

describe('transcript import started by a hook', () => {
  it('imports the transcript in a detached process, one at a time', async () => {
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    const transcript = path.join(root, 'projects', 'p', 'S.jsonl');
    fs.mkdirSync(path.dirname(transcript), { recursive: true });
    fs.writeFileSync(transcript, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    const entry = entryPoint(process.execPath, BIN);
    const opts = { dataDir, store: null, entry, userId: 'dev', transcriptPath: transcript };

    assert.deepEqual(startTranscriptImport({ ...opts, transcriptPath: path.join(root, 'missing.jsonl') }), { skipped: 'no transcript' });
    // An import still running (this process stands in for it): none is started.
    fs.writeFileSync(path.join(dataDir, HOOK_IMPORT_PID_FILE), `${process.pid}\n`);
    assert.deepEqual(startTranscriptImport(opts), { skipped: 'import running' });

    fs.rmSync(path.join(dataDir, HOOK_IMPORT_PID_FILE));
    const started = startTranscriptImport(opts);
    assert.ok('started' in started);
    assert.equal(fs.readFileSync(path.join(dataDir, HOOK_IMPORT_PID_FILE), 'utf8').trim(), String(started.started));
    while (processAlive(started.started)) await sleep(100);

    const stores = openSqliteStores(path.join(dataDir, 'session-buddy.db'));
    try {
      const totals = await stores.skillCosts.totals();
      // 1000 × 3 + 100 × 15 = 4500 µ$ (Sonnet 4.5 in the shipped table)
      assert.deepEqual(
        totals.map((t) => [t.skill, t.attribution, t.apiCalls, t.inputTokens, t.outputTokens, t.costUsd]),
        [
          ['skill:review', 'bounded', 1, 1000, 100, 0.0045],
          ['skill:review', 'stamped', 1, 1000, 100, 0.0045],
        ],
      );
    } finally {
      await stores.close();
    }
  });

  it("imports into the store the hook was given, not the data directory's default database", async () => {
    const dataDir = path.join(root, 'data-store');
    fs.mkdirSync(dataDir, { recursive: true });
    const transcript = path.join(root, 'projects', 'p', 'T.jsonl');
    fs.mkdirSync(path.dirname(transcript), { recursive: true });
    fs.writeFileSync(transcript, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    const team = path.join(root, 'team.db');
    const started = startTranscriptImport({
      dataDir,
      store: `sqlite:${team}`,
      entry: entryPoint(process.execPath, BIN),
      userId: 'dev',
      transcriptPath: transcript,
    });
    assert.ok('started' in started);
    while (processAlive(started.started)) await sleep(100);
    assert.equal(fs.existsSync(path.join(dataDir, 'session-buddy.db')), false);
    const stores = openSqliteStores(team);
    try {
      assert.equal((await stores.skillCosts.totals()).length, 2);
    } finally {
      await stores.close();
    }
  });

  it("stores the hook's spooled rows before the transcript's, and at SessionEnd records a call left without a result", async () => {
    const dataDir = path.join(root, 'data-end');
    fs.mkdirSync(dataDir, { recursive: true });
    const transcript = path.join(root, 'projects', 'p', 'E.jsonl');
    const t = (s: number) => new Date(Date.now() - 120_000 + s * 1000).toISOString();
    const use = (id: string, name: string, s: number) => ({
      type: 'assistant',
      sessionId: 'E',
      timestamp: t(s),
      message: {
        id: `m-${id}`,
        model: 'claude-sonnet-4-5',
        content: [{ type: 'tool_use', id, name, input: {} }],
        usage: { input_tokens: 10, output_tokens: 5 },
      },
    });
    fs.writeFileSync(
      transcript,
      [
        use('toolu_bash', 'Bash', 0),
        // The result 30.5 s later: the user sat on a permission prompt; Claude Code measured 1.2 s of execution.
        {
          type: 'user',
          sessionId: 'E',
          timestamp: t(30.5),
          message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_bash', content: 'ok' }] },
        },
        // The session ended while this call ran: no result ever.
        use('toolu_fetch', 'WebFetch', 31),
      ]
        .map((l) => `${JSON.stringify(l)}\n`)
        .join(''),
    );
    // No server ran: the Post hook spooled its row, with Claude Code's duration_ms.
    appendToSpool(dataDir, [
      {
        skill_name: 'Bash',
        session_id: 'E',
        user_id: 'dev',
        workflow_phase: 'implementation',
        completed: true,
        duration_ms: 1200,
        error_type: null,
        invoked_at: Date.parse(t(0)),
        project: 'p',
        agent: 'claude-code',
        metadata: { source: 'hook', tool: 'Bash', duration_source: 'claude_code' },
        dedupe_key: 'cc:toolu_bash',
      },
    ]);
    const started = startTranscriptImport({
      dataDir,
      store: null,
      entry: entryPoint(process.execPath, BIN),
      userId: 'dev',
      transcriptPath: transcript,
      sessionEnded: true,
    });
    assert.ok('started' in started);
    while (processAlive(started.started)) await sleep(100);

    const db = new Database(path.join(dataDir, 'session-buddy.db'), { readonly: true });
    try {
      const rows = db
        .prepare(
          "SELECT dedupe_key AS key, duration_ms AS ms, duration_known AS known, completed, error_type AS error, json_extract(metadata, '$.source') AS source FROM skill_invocations ORDER BY key",
        )
        .all();
      // The call that never got a result has no duration: 0 ms stored, not measured.
      assert.deepEqual(rows, [
        { key: 'cc:toolu_bash', ms: 1200, known: 1, completed: 1, error: null, source: 'hook' },
        { key: 'cc:toolu_fetch', ms: 0, known: 0, completed: 0, error: 'no_result', source: 'transcript' },
      ]);
    } finally {
      db.close();
    }
    assert.equal(fs.existsSync(path.join(dataDir, 'spool.jsonl')), false);
  });
});
