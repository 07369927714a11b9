/**
 * A few worker threads that run `scanRange` (transcript-scan.ts), so that
 * JSON decoding of large imports uses every core. Requests are queued and
 * handed to whichever worker is free; a failed scan rejects with the worker's
 * error (its `code`, e.g. ENOENT or EACCES, kept).
 */
import { Worker } from 'node:worker_threads';
import type { ScanRequest, ScanResult } from './transcript-scan.js';

interface Job {
  id: number;
  req: ScanRequest;
  resolve: (r: ScanResult) => void;
  reject: (e: Error) => void;
}

type Reply = { id: number; result: ScanResult } | { id: number; error: { message: string; code: string | null } };

export class ScanPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = startWorker();
      w.on('message', (reply: Reply) => this.done(w, reply));
      w.on('error', (err) => this.lost(w, err));
      w.on('exit', (code) => this.lost(w, new Error(`transcript scan worker exited with code ${code}`)));
      this.idle.push(w);
    }
  }

  run(req: ScanRequest): Promise<ScanResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('the scan pool is closed'));
      this.queue.push({ id: this.nextId++, req, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage({ id: job.id, req: job.req });
    }
  }

  private done(w: Worker, reply: Reply): void {
    const job = this.busy.get(w);
    this.busy.delete(w);
    this.idle.push(w);
    if (job && job.id === reply.id) {
      if ('result' in reply) job.resolve(reply.result);
      else job.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}));
    }
    this.pump();
  }

  private lost(w: Worker, err: Error): void {
    if (this.closed) return;
    const job = this.busy.get(w);
    this.busy.delete(w);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    job?.reject(err);
    if (this.idle.length === 0 && this.busy.size === 0) {
      for (const j of this.queue.splice(0)) j.reject(err);
    }
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
