import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { appendToSpool, REJECTED_FILE, spoolPath, drainSpool } from './spool.js';
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

  it('flush waits for the drain in progress, then drains what was spooled meanwhile', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'flush-'));
    const keys: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let first = true;
    const record: RecordBatch = async (inputs) => {
      if (first) {
        first = false;
        await gate; // the start-up drain is held until the test releases it
      }
      for (const i of inputs) keys.push(i.dedupe_key);
      return { inserted: inputs.length, duplicates: 0 };
    };
    appendToSpool(d, [inv(1)]);
    const drainer = startSpoolDrainer({ dataDir: d, record, logger: createLogger('silent'), intervalMs: 3_600_000 });
    try {
      appendToSpool(d, [inv(2)]); // spooled while the start-up drain runs: not in the file it took
      const flushed = drainer.flush();
      release();
      await flushed;
      assert.deepEqual(keys.sort(), ['k1', 'k2']);
      assert.equal(fs.existsSync(spoolPath(d)), false);
    } finally {
      drainer.stop();
    }
  });
});

describe('spool drain against hostile lines', () => {
  let n = 0;
  const fresh = () => {
    const d = path.join(dir, `hostile-${n++}`);
    fs.mkdirSync(d);
    return d;
  };
  const rejectedLines = (d: string) =>
    fs
      .readFileSync(path.join(d, REJECTED_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; line: string });

  /** Records lines; throws what `poison` says for a line whose metadata has `poison`. */
  function recorder(poison: () => Error) {
    const keys: string[] = [];
    const record: RecordBatch = async (inputs) => {
      if (inputs.some((i) => i.metadata?.poison)) throw poison();
      keys.push(...inputs.map((i) => i.dedupe_key));
      return { inserted: inputs.length, duplicates: 0 };
    };
    return { keys, record };
  }

  it('quarantines a line that fails alone for a non-transient reason and records every line after it', async () => {
    const d = fresh();
    appendToSpool(d, [inv(1), { ...inv(2), metadata: { poison: true } }, inv(3), inv(4)]);
    const r = recorder(() => new RangeError('Maximum call stack size exceeded'));
    const sum = await drainSpool(d, r.record);
    assert.deepEqual(sum, { files: 1, lines: 4, inserted: 3, duplicates: 0, rejected: 1 });
    assert.deepEqual(r.keys.sort(), ['k1', 'k3', 'k4']);
    assert.equal(fs.existsSync(spoolPath(d)), false);
    const rej = rejectedLines(d);
    assert.equal(rej.length, 1);
    assert.equal(rej[0]!.reason, 'quarantined: Maximum call stack size exceeded');
    assert.equal((JSON.parse(rej[0]!.line) as { dedupe_key: string }).dedupe_key, 'k2');
  });

  it('keeps the whole spool on a transient failure (store unavailable, disk full): nothing quarantined', async () => {
    for (const err of [
      new AppError('STORE_UNAVAILABLE', 'locked'),
      new AppError('DISK_FULL', 'disk full'),
      Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
    ]) {
      const d = fresh();
      appendToSpool(d, [inv(1), { ...inv(2), metadata: { poison: true } }, inv(3)]);
      const r = recorder(() => err);
      await assert.rejects(drainSpool(d, r.record), (e) => e === err);
      assert.equal(fs.existsSync(path.join(d, REJECTED_FILE)), false);
      assert.equal(fs.readFileSync(spoolPath(d), 'utf8').trim().split('\n').length, 3);
    }
  });

  it('stops quarantining after 10 lines in a row fail with nothing recorded (a broken store, not bad lines) and keeps the rest', async () => {
    const d = fresh();
    appendToSpool(
      d,
      Array.from({ length: 30 }, (_, i) => inv(i)),
    );
    const record: RecordBatch = async () => {
      throw new AppError('INTERNAL', 'broken');
    };
    await assert.rejects(drainSpool(d, record), /broken/);
    assert.equal(rejectedLines(d).length, 10);
    assert.equal(fs.readFileSync(spoolPath(d), 'utf8').trim().split('\n').length, 30); // the file is given back whole; dedupe keys make re-reads harmless
  });

  it('counts a line over the byte cap as rejected (its length and head kept, not the line) and records the lines around it', async () => {
    const d = fresh();
    appendToSpool(d, [inv(1)]);
    fs.appendFileSync(spoolPath(d), `{"skill_name":"${'x'.repeat(3 * 1024 * 1024)}"}\n`);
    appendToSpool(d, [inv(2)]);
    const r = recorder(() => new Error('unused'));
    const sum = await drainSpool(d, r.record);
    assert.deepEqual(sum, { files: 1, lines: 3, inserted: 2, duplicates: 0, rejected: 1 });
    const rej = rejectedLines(d);
    assert.equal(rej[0]!.reason, `line of ${3 * 1024 * 1024 + 17} bytes is longer than the 1048576-byte cap`);
    assert.equal(rej[0]!.line, `{"skill_name":"${'x'.repeat(256 - 15)}`);
  });
});

describe('spool drain into the real tracker', () => {
  it('a line with metadata nested 10,000 deep is rejected and every good line after it lands', async () => {
    const { createTestApp } = await import('../testing/harness.js');
    const app = createTestApp();
    try {
      const d = path.join(dir, 'real-tracker');
      fs.mkdirSync(d);
      const at = Date.now() - 60_000;
      const line = (i: number) => JSON.stringify({ ...inv(i), invoked_at: at });
      const deep = `${line(99).slice(0, -1).replace('"metadata":{},', '')},"metadata":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
      fs.writeFileSync(spoolPath(d), `${line(1)}\n${deep}\n${line(2)}\n${line(3)}\n`);
      const sum = await drainSpool(d, (inputs) => app.tracker.trackBatch(inputs));
      assert.deepEqual(sum, { files: 1, lines: 4, inserted: 3, duplicates: 0, rejected: 1 });
      assert.deepEqual(app.db.prepare('SELECT dedupe_key FROM skill_invocations ORDER BY dedupe_key').pluck().all(), ['k1', 'k2', 'k3']);
      const rej = JSON.parse(fs.readFileSync(path.join(d, REJECTED_FILE), 'utf8').trim()) as { reason: string };
      assert.equal(rej.reason, 'invocations.0.metadata: must not nest deeper than 16 levels');
    } finally {
      await app.dispose();
    }
  });
});
