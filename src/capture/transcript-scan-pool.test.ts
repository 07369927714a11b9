/**
 * The scan pool hands several ranges to each worker ahead of time and takes
 * their answers in any order: every answer must reach its own request.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { scanRange, type ScanRequest } from './transcript-scan.js';
import { ScanPool } from './transcript-scan-pool.js';
import type { PairedScanResult } from './transcript-scan-pair.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-pool-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const line = (session: string, i: number, pad: number) =>
  JSON.stringify({
    type: 'assistant',
    sessionId: session,
    timestamp: new Date(Date.UTC(2026, 0, 5, 10, 0, i)).toISOString(),
    message: { id: `m${i}`, content: [{ type: 'tool_use', id: `${session}-${i}`, name: 'Read', input: { file_path: 'x'.repeat(pad) } }] },
  });

const request = (file: string, start = 0, end = fs.statSync(file).size): ScanRequest => ({
  path: file,
  start,
  end,
  fileEnd: fs.statSync(file).size,
  atLineStart: start === 0,
  takeUnterminated: true,
  maxLineBytes: 1 << 20,
  fallbackSessionId: path.basename(file, '.jsonl'),
});

describe('ScanPool', () => {
  it('answers every request with its own result, whatever order the workers finish in', async () => {
    // Files of very different sizes: the big ones take longer, so later small ones finish first.
    const files: string[] = [];
    for (let n = 0; n < 24; n++) {
      const file = path.join(root, `f${n}.jsonl`);
      const count = n % 4 === 0 ? 400 : 3;
      fs.writeFileSync(file, Array.from({ length: count }, (_, i) => `${line(`f${n}`, i, n % 4 === 0 ? 2000 : 10)}\n`).join(''));
      files.push(file);
    }
    const reqs = files.flatMap((f) => {
      const size = fs.statSync(f).size;
      return size > 100_000 ? [request(f, 0, Math.floor(size / 2)), request(f, Math.floor(size / 2))] : [request(f)];
    });
    const pool = new ScanPool(2);
    try {
      const results = await Promise.all(reqs.map((r) => pool.run(r)));
      results.forEach((r, i) => assert.deepEqual(r, scanRange(reqs[i]!)));
      // A file read in one step: paired in the worker, with the file's calls.
      const paired = (await pool.run(request(files[1]!), { userId: 'u', settled: true, from: 0, fingerprint: true })) as PairedScanResult;
      assert.deepEqual(
        paired.paired.invocations.map((inv) => inv.dedupe_key),
        ['cc:f1-0', 'cc:f1-1', 'cc:f1-2'],
      );
      assert.equal(paired.events.length, 0);
      assert.equal(paired.paired.offset, fs.statSync(files[1]!).size);
      assert.ok(paired.paired.fingerprint?.headHash);
      // A failed request keeps its error code; the others still succeed.
      const missing = pool.run({ ...request(files[2]!), path: path.join(root, 'gone.jsonl') });
      await assert.rejects(missing, (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
      assert.deepEqual(await pool.run(request(files[3]!)), scanRange(request(files[3]!)));
    } finally {
      await pool.close();
    }
  });

  it('gives the caller the newest request no worker has taken, to run and settle itself', async () => {
    const files = [0, 1, 2, 3].map((n) => {
      const file = path.join(root, `t${n}.jsonl`);
      fs.writeFileSync(file, `${line(`t${n}`, n, 10)}\n`);
      return file;
    });
    // One request handed to the worker at a time: the others wait in the queue.
    const pool = new ScanPool(1, 1);
    try {
      const pending = files.map((f) => pool.run(request(f)));
      const taken = pool.takeNewest();
      assert.equal(taken?.req.path, files[3]);
      taken!.settle(() => scanRange(taken!.req));
      const second = pool.takeNewest();
      assert.equal(second?.req.path, files[2]);
      second!.settle(() => {
        throw Object.assign(new Error('gone'), { code: 'ENOENT' });
      });
      await assert.rejects(pending[2]!, (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
      const results = await Promise.all([pending[0]!, pending[1]!, pending[3]!]);
      assert.deepEqual(
        results,
        [files[0]!, files[1]!, files[3]!].map((f) => scanRange(request(f))),
      );
      assert.equal(pool.takeNewest(), null);
    } finally {
      await pool.close();
    }
  });
});
