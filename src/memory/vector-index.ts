/**
 * The embedding worker's in-memory vector index: every known reflection
 * vector (L2-normalised, so a dot product is the cosine similarity) and a
 * brute-force nearest-neighbour scan computed on TensorFlow.js's WASM SIMD
 * backend, the one the embedding model already runs on.
 *
 * - Vectors live in blocks of BLOCK_ROWS vectors, each block stored
 *   transposed (dims × BLOCK_ROWS, one vector per column): the search is then
 *   the product of the query as a 1 × dims row with each block, which the
 *   backend (XNNPACK, SIMD) computes about six times faster than the same
 *   product with vectors as rows (0.65 against 3.9 ms of CPU for 10,000 × 512,
 *   measured on 2026-11-30). Unused columns of the last block are zero and
 *   their scores are not read.
 * - A full block is one tensor in the backend's memory; the last, growing
 *   block is kept in a JavaScript array and copied into a tensor when a
 *   search finds it changed. So adding a vector costs 512 writes, and a
 *   search after additions re-uploads at most one block.
 * - The top n of the scores are picked in JavaScript (analytics/rank-fusion.ts
 *   topByScore). nearestByDot there is the plain-JavaScript reference of the
 *   same computation (the test compares the two).
 * - Replacing a vector of a full block (rare: reflections are immutable)
 *   copies the block back out of the backend, changes it and re-uploads it.
 */
import { topByScore } from '../analytics/rank-fusion.js';

/** The few tensor calls the index needs (as @energetic-ai/core, i.e. TensorFlow.js, provides them). */
export interface TensorOps {
  tensor2d(values: Float32Array, shape: [number, number], dtype: 'float32'): TensorLike;
  matMul(a: TensorLike, b: TensorLike): TensorLike;
}

/**
 * TensorFlow.js as @energetic-ai/core ships it (typed here by the calls used:
 * the package's type declarations point at packages it does not install),
 * with its WASM backend initialised.
 */
export async function loadTensorOps(): Promise<TensorOps> {
  const core = (await import('@energetic-ai/core')) as unknown as TensorOps & { ready(): Promise<void> };
  await core.ready();
  return core;
}

interface TensorLike {
  dataSync(): Float32Array | Int32Array | Uint8Array;
  dispose(): void;
}

/** Vectors per block: 2,048 × 512 float32 = 4 MiB, the most a search re-uploads after additions. */
const BLOCK_ROWS = 2_048;

interface Block {
  /** Vectors held (columns in use). */
  rows: number;
  /** The block (dims × blockRows, row-major) in JavaScript memory while it can still change (the growing last block); null once uploaded and full. */
  host: Float32Array | null;
  /** The block in the backend; null when `host` has changed since the last upload. */
  tensor: TensorLike | null;
}

export class VectorIndex {
  private readonly ids: number[] = [];
  private readonly rowOf = new Map<number, number>();
  private readonly blocks: Block[] = [];

  constructor(
    private readonly tf: TensorOps,
    readonly dims: number,
    private readonly blockRows: number = BLOCK_ROWS,
  ) {
    if (!(Number.isInteger(dims) && dims > 0)) throw new RangeError('dims must be a positive integer');
    if (!(Number.isInteger(blockRows) && blockRows > 0)) throw new RangeError('blockRows must be a positive integer');
  }

  get size(): number {
    return this.ids.length;
  }

  /** Adds `vector` under `id`, or replaces the vector already held for `id`. A vector of other dimensions is ignored (returns false). */
  add(id: number, vector: Float32Array): boolean {
    if (vector.length !== this.dims) return false;
    let row = this.rowOf.get(id);
    if (row === undefined) {
      row = this.ids.length;
      this.ids.push(id);
      this.rowOf.set(id, row);
      if (row % this.blockRows === 0) this.blocks.push({ rows: 0, host: new Float32Array(this.blockRows * this.dims), tensor: null });
    }
    const block = this.blocks[Math.floor(row / this.blockRows)]!;
    const col = row % this.blockRows;
    if (!block.host) block.host = Float32Array.from(block.tensor!.dataSync());
    const host = block.host;
    for (let d = 0, at = col; d < this.dims; d++, at += this.blockRows) host[at] = vector[d]!;
    block.rows = Math.max(block.rows, col + 1);
    block.tensor?.dispose();
    block.tensor = null;
    return true;
  }

  /** The `n` ids whose vectors have the highest dot product with `query` (unit length: cosine similarity), best first. */
  nearest(query: Float32Array, n: number): { id: number; similarity: number }[] {
    if (query.length !== this.dims) throw new RangeError(`query has ${query.length} dimensions, expected ${this.dims}`);
    if (n <= 0 || this.ids.length === 0) return [];
    const scores = new Float32Array(this.ids.length);
    const q = this.tf.tensor2d(query, [1, this.dims], 'float32');
    try {
      this.blocks.forEach((block, b) => {
        const product = this.tf.matMul(q, this.upload(block));
        try {
          const all = product.dataSync() as Float32Array;
          scores.set(block.rows === all.length ? all : all.subarray(0, block.rows), b * this.blockRows);
        } finally {
          product.dispose();
        }
      });
    } finally {
      q.dispose();
    }
    return topByScore(scores, this.ids, n);
  }

  /** Frees the backend memory; the index is empty afterwards. */
  dispose(): void {
    for (const block of this.blocks) block.tensor?.dispose();
    this.blocks.length = 0;
    this.ids.length = 0;
    this.rowOf.clear();
  }

  private upload(block: Block): TensorLike {
    if (block.tensor) return block.tensor;
    const host = block.host!;
    block.tensor = this.tf.tensor2d(host, [this.dims, this.blockRows], 'float32'); // copied into the backend's memory
    if (block.rows === this.blockRows) block.host = null; // full: from now on only the backend holds it
    return block.tensor;
  }
}
