/**
 * A few worker threads that run `scanRange` (transcript-scan.ts), or for a
 * file read in one range `scanAndPair` (transcript-scan-pair.ts), so that
 * JSON decoding and pairing of large imports use every core. Requests are queued and
 * handed out ahead (several per worker, QUEUED_BYTES_PER_WORKER) to the least
 * loaded worker; a failed scan rejects with the worker's error (its `code`,
 * e.g. ENOENT or EACCES, kept).
 */
import { Worker } from 'node:worker_threads';
import type { ScanRequest, ScanResult } from './transcript-scan.js';
import type { PairRequest } from './transcript-scan-pair.js';

interface Job {
  id: number;
  req: ScanRequest;
  pair: PairRequest | undefined;
  resolve: (r: ScanResult) => void;
  reject: (e: Error) => void;
}

/** A request taken from the queue by the caller (ScanPool.takeNewest). */
export interface TakenScan {
  req: ScanRequest;
  pair: PairRequest | undefined;
  /** Settles the request's promise with what `run` returns (or throws). */
  settle(run: () => ScanResult): void;
}

/** A paired result comes as JSON text (transcript-scan-worker.ts). */
type Reply = { id: number; result: ScanResult } | { id: number; json: string } | { id: number; error: { message: string; code: string | null } };

/**
 * Work handed to a worker ahead of time, so that it keeps scanning while the
 * importing thread is busy writing (its replies, and the next hand-outs, wait
 * for that thread): up to this many bytes of ranges, or this many ranges. A
 * write of 32,000 invocations takes about half a second, several times what a
 * worker scans of 32 MiB.
 */
const QUEUED_BYTES_PER_WORKER = 128 * 1024 * 1024;
const QUEUED_JOBS_PER_WORKER = 256;

interface PoolWorker {
  w: Worker;
  /** Jobs handed to it and not answered yet, by id (answered in any order). */
  jobs: Map<number, Job>;
  bytes: number;
}

const jobBytes = (job: Job): number => Math.max(1, job.req.end - job.req.start);

export class ScanPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  /** `queuedJobsPerWorker`: at most this many requests handed to one worker ahead (tests: fewer, to keep some queued). */
  constructor(
    size: number,
    private readonly queuedJobsPerWorker = QUEUED_JOBS_PER_WORKER,
  ) {
    for (let i = 0; i < size; i++) {
      const pw: PoolWorker = { w: startWorker(), jobs: new Map(), bytes: 0 };
      pw.w.on('message', (reply: Reply) => this.done(pw, reply));
      pw.w.on('error', (err) => this.lost(pw, err));
      pw.w.on('exit', (code) => this.lost(pw, new Error(`transcript scan worker exited with code ${code}`)));
      this.workers.push(pw);
    }
  }

  /** Scans `req`; with `pair`, pairs it too (the result is then a PairedScanResult). */
  run(req: ScanRequest, pair?: PairRequest): Promise<ScanResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('the scan pool is closed'));
      if (this.workers.length === 0) return reject(new Error('no transcript scan worker left'));
      this.queue.push({ id: this.nextId++, req, pair, resolve, reject });
      this.pump();
    });
  }

  /**
   * The newest request not yet handed to a worker, taken out of the queue for
   * the caller to run itself (it must settle it with `settle`); null when every
   * request has been handed out. The importing thread takes work this way
   * instead of waiting for a worker.
   */
  takeNewest(): TakenScan | null {
    const job = this.queue.pop();
    if (!job) return null;
    return {
      req: job.req,
      pair: job.pair,
      settle: (run) => {
        try {
          job.resolve(run());
        } catch (err) {
          job.reject(err as Error);
        }
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.workers.splice(0).map((pw) => pw.w);
    await Promise.all(all.map((w) => w.terminate()));
  }

  /** Hands queued jobs, in order, to the least loaded worker that has room. */
  private pump(): void {
    while (this.queue.length > 0) {
      let best: PoolWorker | null = null;
      for (const pw of this.workers) {
        const room = pw.jobs.size === 0 || (pw.bytes < QUEUED_BYTES_PER_WORKER && pw.jobs.size < this.queuedJobsPerWorker);
        if (room && (best === null || pw.bytes < best.bytes)) best = pw;
      }
      if (best === null) return;
      const job = this.queue.shift()!;
      best.jobs.set(job.id, job);
      best.bytes += jobBytes(job);
      best.w.postMessage({ id: job.id, req: job.req, pair: job.pair });
    }
  }

  private done(pw: PoolWorker, reply: Reply): void {
    const job = pw.jobs.get(reply.id);
    if (job) {
      pw.jobs.delete(reply.id);
      pw.bytes -= jobBytes(job);
      if ('result' in reply) job.resolve(reply.result);
      else if ('json' in reply) job.resolve(JSON.parse(reply.json) as ScanResult);
      else job.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}));
    }
    this.pump();
  }

  /** A worker that died: its jobs fail (the importer scans them itself), the others carry on. */
  private lost(pw: PoolWorker, err: Error): void {
    if (this.closed) return;
    const i = this.workers.indexOf(pw);
    if (i < 0) return;
    this.workers.splice(i, 1);
    for (const job of pw.jobs.values()) job.reject(err);
    pw.jobs.clear();
    if (this.workers.length === 0) {
      for (const j of this.queue.splice(0)) j.reject(err);
    }
    this.pump();
  }
}

/**
 * From TypeScript sources the worker first registers the tsx loader (on
 * Node 20 an `--import` in execArgv does not reach a worker's entry module).
 */
function startWorker(): Worker {
  const self = import.meta.url;
  const ts = self.endsWith('.ts');
  const entry = new URL(ts ? './transcript-scan-worker.ts' : './transcript-scan-worker.js', self);
  // Small heaps: a worker holds one range's events and one line at a time (lines are Buffers, outside the heap).
  const resourceLimits = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 };
  if (!ts) return new Worker(entry, { execArgv: [], resourceLimits });
  const loader = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(loader)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, execArgv: [], resourceLimits });
}
