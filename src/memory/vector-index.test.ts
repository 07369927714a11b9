/**
 * The worker's vector index on the real TensorFlow.js WASM backend, checked
 * against the plain-JavaScript scan (nearestByDot) on seeded random unit
 * vectors: across block boundaries, while growing, after replacing vectors.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { mulberry32 } from '../analytics/prng.js';
import { l2Normalise, nearestByDot } from '../analytics/rank-fusion.js';
import { loadTensorOps, type TensorOps, VectorIndex } from './vector-index.js';

const DIMS = 24;
const rnd = mulberry32(7);
const unit = () => l2Normalise(Float32Array.from({ length: DIMS }, () => rnd() - 0.5));

let tf: TensorOps;

/** The index's answer equals the reference: same ids in the same order, same similarities to float32 precision. */
function sameAsReference(index: VectorIndex, rows: Map<number, Float32Array>, query: Float32Array, n: number): void {
  const ids = [...rows.keys()];
  const matrix = new Float32Array(ids.length * DIMS);
  ids.forEach((id, r) => matrix.set(rows.get(id)!, r * DIMS));
  const want = nearestByDot(matrix, DIMS, ids, query, n);
  const got = index.nearest(query, n);
  assert.deepEqual(
    got.map((g) => g.id),
    want.map((w) => w.id),
  );
  got.forEach((g, i) => assert.ok(Math.abs(g.similarity - want[i]!.similarity) < 1e-5, `${g.similarity} vs ${want[i]!.similarity}`));
}

describe('VectorIndex (WASM backend)', () => {
  before(async () => {
    tf = await loadTensorOps();
  });

  it('finds what the JavaScript scan finds, across blocks and while growing', () => {
    const index = new VectorIndex(tf, DIMS, 16); // small blocks: 100 rows span 7 of them
    const rows = new Map<number, Float32Array>();
    assert.deepEqual(index.nearest(unit(), 5), []);
    for (let i = 0; i < 100; i++) {
      const id = 1_000 + i * 3;
      const v = unit();
      assert.equal(index.add(id, v), true);
      rows.set(id, v);
      if (i % 9 === 0) sameAsReference(index, rows, unit(), 10); // searches between additions re-upload the growing block
    }
    assert.equal(index.size, 100);
    for (let k = 0; k < 5; k++) sameAsReference(index, rows, unit(), 25);
    assert.equal(index.nearest(unit(), 500).length, 100);
    assert.deepEqual(index.nearest(unit(), 0), []);
    // A stored vector is its own best match.
    assert.equal(index.nearest(rows.get(1_000 + 42 * 3)!, 1)[0]!.id, 1_000 + 42 * 3);
    index.dispose();
  });

  it('replaces a vector in a full block and in the growing one; ignores other dimensions', () => {
    const index = new VectorIndex(tf, DIMS, 8);
    const rows = new Map<number, Float32Array>();
    for (let id = 1; id <= 20; id++) {
      const v = unit();
      index.add(id, v);
      rows.set(id, v);
    }
    sameAsReference(index, rows, unit(), 20); // uploads the two full blocks
    for (const id of [3, 18]) {
      const v = unit();
      index.add(id, v);
      rows.set(id, v);
      assert.equal(index.nearest(v, 1)[0]!.id, id);
    }
    assert.equal(index.size, 20);
    sameAsReference(index, rows, unit(), 20);
    assert.equal(index.add(99, new Float32Array(DIMS + 1)), false);
    assert.equal(index.size, 20);
    assert.throws(() => index.nearest(new Float32Array(3), 1), RangeError);
    index.dispose();
  });
});
