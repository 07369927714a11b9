import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { appendToSpool, spoolPath } from './spool.js';
import { startSpoolDrainer } from './spool-drainer.js';
import type { CapturedInvocation, RecordBatch } from './types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-drainer-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const inv = (i: number): CapturedInvocation => ({
  skill_name: 'Read',
  session_id: 's',
  user_id: 'u',
  workflow_phase: 'planning',
  completed: true,
  duration_ms: 1,
  error_type: null,
  invoked_at: 1_767_600_000_000,
  project: null,
  agent: 'claude-code',
  metadata: {},
  dedupe_key: `k${i}`,
});

describe('startSpoolDrainer', () => {
  it('drains at start, logs, retries after a failure', async () => {
    const logs: string[] = [];
    const logger = createLogger('info', { write: (s: string) => logs.push(s) });
    let fail = true;
    const keys = new Set<string>();
    const record: RecordBatch = async (inputs) => {
      if (fail) throw new AppError('STORE_UNAVAILABLE', 'locked');
      for (const i of inputs) keys.add(i.dedupe_key);
      return { inserted: inputs.length, duplicates: 0 };
    };
    appendToSpool(dir, [inv(1), inv(2)]);
    const drainer = startSpoolDrainer({ dataDir: dir, record, logger, intervalMs: 3_600_000 });
    try {
      // the start-up drain is running: a second call is skipped
      assert.equal(await drainer.drainNow(), null);
      await new Promise((r) => setImmediate(r));
      while (!logs.some((l) => l.includes('spool drain failed'))) await new Promise((r) => setTimeout(r, 5));
      assert.ok(fs.existsSync(spoolPath(dir)), 'spool kept after the failure');
      fail = false;
      const sum = await drainer.drainNow();
      assert.deepEqual(sum, { files: 1, lines: 2, inserted: 2, duplicates: 0, rejected: 0 });
      assert.deepEqual([...keys].sort(), ['k1', 'k2']);
      assert.ok(logs.some((l) => l.includes('ingested spooled hook invocations')));
    } finally {
      drainer.stop();
    }
  });
});
