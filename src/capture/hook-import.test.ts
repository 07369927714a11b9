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
import { processAlive } from '../process-alive.js';
import { openSqliteStores } from '../store/open-stores.js';
import { entryPoint } from './entry-command.js';
import { HOOK_IMPORT_PID_FILE, startTranscriptImport } from './hook-import.js';

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
    const opts = { dataDir, entry, userId: 'dev', transcriptPath: transcript };

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
});
