/**
 * A few worker threads that scan an import's ranges (`scanRange`,
 * transcript-scan.ts; for a file read in one range `scanAndPair`,
 * transcript-scan-pair.ts), so that JSON decoding and pairing of large
 * imports use every core. Every worker gets the whole list of ranges once and
 * claims its next range itself (scan-claims.ts), so it keeps scanning while
 * the importing thread is busy writing; the importing thread claims ranges
 * from the same list whenever the one it needs next is not in yet. A failed
 * scan answers with the worker's error (its `code`, e.g. ENOENT or EACCES,
 * kept); the ranges of a worker that died are the importing thread's to scan.
 */
import { Worker } from 'node:worker_threads';
import { type ClaimBoard, type ClaimLimits, Claims, IMPORTER } from './scan-claims.js';
import type { ScanRequest, ScanResult } from './transcript-scan.js';
import type { PairRequest } from './transcript-scan-pair.js';

/** One range of the import: with `pair`, a whole file's read, paired where it is scanned. */
export interface PoolRange {
  req: ScanRequest;
  pair: PairRequest | null;
}

/** What is known of a range: its result, or its error. */
type Outcome = { result: ScanResult } | { error: Error };

/** What a worker is sent once (transcript-scan-worker.ts). */
export interface WorkerInit {
  board: ClaimBoard;
  ranges: readonly PoolRange[];
  /** The worker's owner number in the claims (from 1). */
  owner: number;
}

/** A paired result comes as JSON text (transcript-scan-worker.ts). */
export type Reply = { i: number; result: ScanResult } | { i: number; json: string } | { i: number; error: { message: string; code: string | null } };

/** Starts one worker (tests: a stand-in). */
export type StartWorker = () => Worker;

export class ScanPool {
  private readonly claims: Claims;
  private readonly workers = new Map<number, Worker>();
  /** Outcomes in, not taken yet. */
  private readonly arrived = new Map<number, Outcome>();
  /** Ranges before this were handed over (a late reply for one is dropped). */
  private taken = 0;
  private wake: { i: number; resolve: () => void } | null = null;

  constructor(size: number, ranges: readonly PoolRange[], limits: ClaimLimits, start: StartWorker = startScanWorker) {
    const board = Claims.board(
      ranges.map((r) => Math.max(1, r.req.end - r.req.start)),
      limits,
    );
    this.claims = new Claims(board);
    for (let owner = 1; owner <= size; owner++) {
      const w = start();
      w.on('message', (reply: Reply) => this.reply(reply));
      w.on('error', () => this.lost(owner));
      w.on('exit', () => this.lost(owner));
      const init: WorkerInit = { board, ranges, owner };
      w.postMessage(init);
      this.workers.set(owner, w);
    }
  }

  /**
   * Range i's result, or its error; ranges are asked for in order, each once. While a worker still
   * has it, this thread scans the next range no one has claimed yet (`scanHere`) instead of waiting
   * (that result waits for its turn), so it is one more scanner rather than an idle one, and one
   * worker fewer than cores keeps every core busy. A range whose worker died, or failed other than
   * on the file (e.g. out of memory), is scanned here too; a file's error (ENOENT, EACCES…) stands.
   */
  async result(i: number, scanHere: (i: number) => ScanResult | Error): Promise<ScanResult | Error> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve)); // the workers' replies come in
      const o = this.arrived.get(i);
      if (o) {
        this.arrived.delete(i);
        this.handedOver(i);
        if ('result' in o) return o.result;
        return (o.error as NodeJS.ErrnoException).code ? o.error : scanHere(i);
      }
      const owner = this.claims.owner(i);
      if (owner > 0 && !this.workers.has(owner)) {
        this.handedOver(i);
        return scanHere(i);
      }
      const mine = this.claims.claim(IMPORTER);
      if (mine >= 0) {
        const r = scanHere(mine);
        this.arrived.set(mine, r instanceof Error ? { error: r } : { result: r });
      } else {
        await new Promise<void>((resolve) => {
          this.wake = { i, resolve };
        });
      }
    }
  }

  /** Whether every range not taken yet has been scanned (its outcome is in): nothing is left to overlap a write with. */
  allIn(): boolean {
    return this.arrived.size >= this.claims.count - this.taken;
  }

  async close(): Promise<void> {
    this.claims.stop();
    const all = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }

  /** Range i is the importing thread's now: the workers may claim past it. */
  private handedOver(i: number): void {
    this.taken = i + 1;
    this.claims.consumed(i + 1);
  }

  private reply(reply: Reply): void {
    if (reply.i >= this.taken && !this.arrived.has(reply.i)) {
      this.arrived.set(
        reply.i,
        'result' in reply
          ? { result: reply.result }
          : 'json' in reply
            ? { result: JSON.parse(reply.json) as ScanResult }
            : { error: Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}) },
      );
    }
    if (this.wake?.i === reply.i) this.wakeUp();
  }

  /**
   * A worker that died: the ranges it claimed and did not answer are scanned by the importing thread.
   * After `close` no worker is listed any more, so their exits come here and change nothing.
   */
  private lost(owner: number): void {
    if (!this.workers.delete(owner)) return;
    this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.resolve();
  }
}

/**
 * From TypeScript sources the worker first registers the tsx loader (on
 * Node 20 an `--import` in execArgv does not reach a worker's entry module).
 */
export function startScanWorker(): Worker {
  const self = import.meta.url;
  const ts = self.endsWith('.ts');
  const entry = new URL(ts ? './transcript-scan-worker.ts' : './transcript-scan-worker.js', self);
  // Small heaps: a worker holds one range's events and one line at a time (lines are Buffers, outside
  // the heap). The young generation is not the smallest, though: with 8 MiB, the worker spent more of
  // its time collecting the events of a range than with 32 MiB (BENCHMARKS.md).
  const resourceLimits = { maxYoungGenerationSizeMb: 32, maxOldGenerationSizeMb: 128 };
  if (!ts) return new Worker(entry, { execArgv: [], resourceLimits });
  const loader = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(loader)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, execArgv: [], resourceLimits });
}
