/**
 * The scan pool: the workers claim ranges themselves, the importing thread takes the results in
 * order and scans whatever is not in yet itself. Every range's result must be its own, whoever
 * scanned it, however tight the limit on scanning ahead; a file's error keeps its code; a
 * worker that dies leaves its ranges to the importing thread; and the pool tells when every range
 * not taken yet is in (the import then writes the rest at once).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { after, describe, it } from 'node:test';
import { ScanBuffer, scanRange, type ScanRequest, type ScanResult } from './transcript-scan.js';
import { type PoolRange, ScanPool, startScanWorker } from './transcript-scan-pool.js';
import { type PairedScanResult, scanAndPair } from './transcript-scan-pair.js';

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

const PAIR = { userId: 'u', settled: true, from: 0, fingerprint: true } as const;

/** Files of very different sizes (the big ones take longer, so later small ones finish first), the big ones in two ranges. */
function ranges(prefix: string): PoolRange[] {
  const out: PoolRange[] = [];
  for (let n = 0; n < 24; n++) {
    const file = path.join(root, `${prefix}${n}.jsonl`);
    const count = n % 4 === 0 ? 400 : 3;
    fs.writeFileSync(file, Array.from({ length: count }, (_, i) => `${line(`${prefix}${n}`, i, n % 4 === 0 ? 2000 : 10)}\n`).join(''));
    const size = fs.statSync(file).size;
    if (size > 100_000) out.push({ req: request(file, 0, Math.floor(size / 2)), pair: null }, { req: request(file, Math.floor(size / 2)), pair: null });
    else out.push({ req: request(file), pair: n % 2 === 1 ? PAIR : null });
  }
  return out;
}

const expected = (r: PoolRange): ScanResult => (r.pair ? scanAndPair(r.req, r.pair, new ScanBuffer()) : scanRange(r.req));

/** A stand-in scan worker: given its init, it runs `body` with `init`, `claims` (the pool's Claims) and `scanRange`. */
function standInWorker(body: string): Worker {
  const loader = import.meta.resolve('tsx/esm/api');
  const claimsModule = new URL('./scan-claims.ts', import.meta.url).href;
  const scanModule = new URL('./transcript-scan.ts', import.meta.url).href;
  return new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.once('message', async (init) => {
       (await import(${JSON.stringify(loader)})).register();
       const { Claims } = await import(${JSON.stringify(claimsModule)});
       const { scanRange } = await import(${JSON.stringify(scanModule)});
       const claims = new Claims(init.board);
       ${body}
     });`,
    { eval: true },
  );
}

/** Takes every result in order, as the import does; counts the ranges scanned here. */
async function takeAll(pool: ScanPool, all: readonly PoolRange[]): Promise<{ results: Array<ScanResult | Error>; here: number[] }> {
  const scratch = new ScanBuffer();
  const here: number[] = [];
  const scanHere = (i: number): ScanResult | Error => {
    here.push(i);
    try {
      return all[i]!.pair ? scanAndPair(all[i]!.req, all[i]!.pair!, scratch) : scanRange(all[i]!.req, scratch);
    } catch (err) {
      return err as Error;
    }
  };
  const results: Array<ScanResult | Error> = [];
  try {
    for (let i = 0; i < all.length; i++) results.push(await pool.result(i, scanHere));
  } finally {
    await pool.close();
  }
  return { results, here };
}

describe('ScanPool', () => {
  for (const [name, workers, limits] of [
    ['two workers, far ahead', 2, { aheadRanges: 512, aheadBytes: 1 << 30 }],
    ['one worker, at most one range ahead', 1, { aheadRanges: 1, aheadBytes: 1 }],
    ['two workers, a few hundred bytes ahead', 2, { aheadRanges: 64, aheadBytes: 300 }],
  ] as const) {
    it(`gives every range its own result, whoever scanned it (${name})`, async () => {
      const all = ranges(`r${workers}${limits.aheadRanges}-`);
      // The results are taken once a worker has answered (started from sources, a worker takes far
      // longer to start than this thread to scan every range; with a tight limit, only one can answer).
      const answered: Array<Promise<unknown>> = [];
      const pool = new ScanPool(workers, all, limits, () => {
        const w = startScanWorker();
        answered.push(new Promise((resolve) => w.once('message', resolve)));
        return w;
      });
      await Promise.race(answered);
      const { results, here } = await takeAll(pool, all);
      results.forEach((r, i) => assert.deepEqual(r, expected(all[i]!), `range ${i}`));
      assert.ok(here.length < all.length, 'the workers scanned some ranges');
      // A file read in one range was paired where it was scanned (file 1: range 2, after file 0's two).
      const paired = results[2] as PairedScanResult;
      assert.deepEqual(
        paired.paired.invocations.map((inv) => inv.dedupe_key),
        [`cc:r${workers}${limits.aheadRanges}-1-0`, `cc:r${workers}${limits.aheadRanges}-1-1`, `cc:r${workers}${limits.aheadRanges}-1-2`],
      );
      assert.equal(paired.events.length, 0);
      assert.ok(paired.paired.fingerprint?.headHash);
    });
  }

  it('tells when every range not taken yet is in: not while one is left to scan, then yes, whoever takes them', async () => {
    // One range ahead at most: the worker can scan range 0 only, so one range is in at most.
    const held = ranges('h-');
    const tight = new ScanPool(1, held, { aheadRanges: 1, aheadBytes: 1 });
    try {
      assert.equal(tight.allIn(), false);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(tight.allIn(), false);
    } finally {
      await tight.close();
    }
    // Every range claimed by a worker that answers all but the last: claimed is not in, nor all but one.
    let posted!: () => void;
    const allPosted = new Promise<void>((resolve) => {
      posted = resolve;
    });
    const holding = new ScanPool(1, ranges('m-'), { aheadRanges: 512, aheadBytes: 1 << 30 }, () => {
      const w = standInWorker(
        `const mine = [];
         for (let i = claims.claim(init.owner); i >= 0; i = claims.claim(init.owner)) mine.push(i);
         for (const i of mine.slice(0, -1)) parentPort.postMessage({ i, result: scanRange(init.ranges[i].req) });
         parentPort.postMessage('posted');
         setInterval(() => {}, 1000);`,
      );
      w.on('message', (m) => m === 'posted' && posted());
      return w;
    });
    try {
      await allPosted;
      assert.equal(holding.allIn(), false);
    } finally {
      await holding.close();
    }
    // No limit: once the worker has scanned everything, every result is in and taking them scans nothing here.
    const all = ranges('i-');
    const pool = new ScanPool(1, all, { aheadRanges: 512, aheadBytes: 1 << 30 });
    assert.equal(pool.allIn(), false);
    const deadline = Date.now() + 120_000;
    while (!pool.allIn()) {
      assert.ok(Date.now() < deadline, 'the worker scanned every range within two minutes');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const scratch = new ScanBuffer();
    const here: number[] = [];
    try {
      for (let i = 0; i < all.length; i++) {
        const r = await pool.result(i, (j) => {
          here.push(j);
          return scanRange(all[j]!.req, scratch);
        });
        assert.deepEqual(r, expected(all[i]!), `range ${i}`);
        assert.equal(pool.allIn(), true, `still all in after taking range ${i}`);
      }
    } finally {
      await pool.close();
    }
    assert.deepEqual(here, []);
  });

  it("keeps a file's error code; the other ranges still succeed", async () => {
    const all = ranges('e-');
    all.splice(3, 0, { req: { ...all[3]!.req, path: path.join(root, 'gone.jsonl') }, pair: null });
    const { results } = await takeAll(new ScanPool(2, all, { aheadRanges: 8, aheadBytes: 1 << 20 }), all);
    assert.equal((results[3] as NodeJS.ErrnoException).code, 'ENOENT');
    results.forEach((r, i) => i !== 3 && assert.deepEqual(r, expected(all[i]!), `range ${i}`));
  });

  it('scans here the ranges of a worker that died after claiming them', async () => {
    const all = ranges('d-');
    // A stand-in worker that claims one range and exits without answering.
    let dying: Worker | null = null;
    const pool = new ScanPool(1, all, { aheadRanges: 512, aheadBytes: 1 << 30 }, () => {
      dying = standInWorker('claims.claim(init.owner); process.exit(3);');
      return dying;
    });
    const exited = await new Promise<number>((resolve) => dying!.once('exit', resolve));
    assert.equal(exited, 3);
    const { results, here } = await takeAll(pool, all);
    results.forEach((r, i) => assert.deepEqual(r, expected(all[i]!), `range ${i}`));
    // Every range, the one the worker claimed too.
    assert.deepEqual(
      here,
      all.map((_, i) => i),
    );
  });
});
