/**
 * A worker thread that reads training samples and trains success models
 * (train-worker.ts), so that neither blocks the event loop. Started on
 * first use and kept while training requests keep coming: a fresh worker
 * costs ~0.4 s to start and runs the forest code un-optimised at first. It
 * is terminated after `idleMs` without requests and never keeps the process
 * alive. One request at a time (the caller serialises).
 */
import { Worker } from 'node:worker_threads';
import type { TrainOptions } from '../analytics/prediction.js';
import { AppError, type ErrorCode, type ErrorDetails } from '../errors.js';
import type { SampleQuery, TrainingSamples } from '../store/model-types.js';
import type { SampledTraining } from './sample-and-train.js';

/** Where the worker gets its sample: a SQLite file it reads itself, or a sample already read. */
export type TrainingSource = { dbFile: string } | { samples: TrainingSamples; queryMs: number };

/** The worker could not be started or died: the request may be retried on the main thread. */
export class WorkerFailure extends Error {}

interface Reply {
  id: number;
  ok: boolean;
  run?: SampledTraining;
  error?: { code: ErrorCode; message: string; details: ErrorDetails };
}

interface Pending {
  id: number;
  resolve: (r: SampledTraining) => void;
  reject: (err: Error) => void;
}

export class TrainingWorker {
  private worker: Worker | null = null;
  private pending: Pending | null = null;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Number of workers started so far. */
  starts = 0;

  /** `entry`: the worker module (default train-worker next to this file). */
  constructor(
    private readonly idleMs = 60_000,
    private readonly entry?: URL,
  ) {}

  /** Trains on the sample of `source` (reading it from the database file first, through the worker's own read-only connection). */
  train(source: TrainingSource, query: SampleQuery, options: TrainOptions): Promise<SampledTraining> {
    if (this.closed) return Promise.reject(new AppError('INTERNAL', 'the training worker was shut down'));
    if (this.pending) return Promise.reject(new AppError('INTERNAL', 'the training worker is busy'));
    this.clearIdle();
    let worker: Worker;
    try {
      worker = this.worker ?? this.start();
    } catch (err) {
      return Promise.reject(new WorkerFailure(`cannot start the training worker: ${(err as Error).message}`));
    }
    worker.ref(); // keep the process alive while a request runs
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject };
      worker.postMessage({ id, source, query, options });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clearIdle();
    const w = this.worker;
    this.worker = null;
    this.fail(new WorkerFailure('the training worker was shut down'));
    if (w) await w.terminate();
  }

  private start(): Worker {
    const w = startWorker(this.entry);
    this.starts += 1;
    w.on('message', (reply: Reply) => {
      const p = this.pending;
      if (!p || p.id !== reply.id) return;
      this.pending = null;
      w.unref();
      this.scheduleIdle();
      if (reply.ok && reply.run) p.resolve(reply.run);
      else if (reply.error) p.reject(new AppError(reply.error.code, reply.error.message, reply.error.details));
      else p.reject(new WorkerFailure('malformed reply from the training worker'));
    });
    w.on('error', (err) => this.lost(w, new WorkerFailure(`training worker failed: ${err.message}`)));
    w.on('exit', (code) => this.lost(w, new WorkerFailure(`training worker exited with code ${code}`)));
    this.worker = w;
    return w;
  }

  /** The current worker died; a worker terminated on purpose (idle, close) was detached first and is ignored. */
  private lost(w: Worker, err: Error): void {
    if (this.worker !== w) return;
    this.worker = null;
    this.fail(err);
  }

  private fail(err: Error): void {
    const p = this.pending;
    this.pending = null;
    p?.reject(err);
  }

  private scheduleIdle(): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      const w = this.worker;
      this.worker = null;
      void w?.terminate();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

/**
 * Running from TypeScript sources, the worker first registers the tsx loader
 * (on Node 20 an `--import` in execArgv does not reach a worker's entry
 * module), then imports the .ts entry.
 */
function startWorker(entryUrl?: URL): Worker {
  const self = import.meta.url;
  const ts = self.endsWith('.ts');
  const entry = entryUrl ?? new URL(ts ? './train-worker.ts' : './train-worker.js', self);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { execArgv: [] });
  const loader = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(loader)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, execArgv: [] });
}
