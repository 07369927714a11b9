import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { l2Normalise, nearestByDot, reciprocalRankFusion, relativeToBest, RRF_K, topByScore } from './rank-fusion.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≉ ${b}`);

describe('relativeToBest', () => {
  it('divides by the best (which scores 1), keeps the order, rounds to 3 significant digits', () => {
    // SQLite's BM25 on a small collection: every raw score near 10⁻⁶.
    assert.deepEqual(relativeToBest([0.00000512, 0.00000256, 0.0000017]), [1, 0.5, 0.332]);
    // ts_rank_cd, hand-computed: 2.5 / 3 = 0.8333…, 1 / 3 = 0.3333…
    assert.deepEqual(relativeToBest([3, 2.5, 1]), [1, 0.833, 0.333]);
    // A hit far below the best stays above 0.
    assert.deepEqual(relativeToBest([0.98, 0.000002]), [1, 0.00000204]);
  });

  it('is all 0 without relevance (filters only) and counts negative scores as 0', () => {
    assert.deepEqual(relativeToBest([0, 0]), [0, 0]);
    assert.deepEqual(relativeToBest([]), []);
    assert.deepEqual(relativeToBest([2, -1]), [1, 0]);
  });
});

describe('reciprocalRankFusion', () => {
  it('sums 1/(k + rank) over the lists (k = 60), hand-computed', () => {
    // keyword: 1, 2, 3   meaning: 3, 4, 1
    const fused = reciprocalRankFusion([
      [1, 2, 3],
      [3, 4, 1],
    ]);
    assert.equal(RRF_K, 60);
    // 1: 1/61 + 1/63 = 0.032266...; 3: 1/63 + 1/61 (same); 2: 1/62; 4: 1/62
    assert.deepEqual(
      fused.map((f) => f.id),
      [1, 3, 2, 4],
    );
    close(fused[0]!.score, 1 / 61 + 1 / 63);
    close(fused[1]!.score, 1 / 63 + 1 / 61);
    close(fused[2]!.score, 1 / 62);
    close(fused[3]!.score, 1 / 62);
    assert.deepEqual(fused[0]!.ranks, [1, 3]);
    assert.deepEqual(fused[3]!.ranks, [null, 2]);
  });

  it('an item in both lists beats one ranked first by a single list', () => {
    // 7 is first only in list A (1/61 = 0.01639); 9 is 2nd in both (2/62 = 0.03226).
    const fused = reciprocalRankFusion([
      [7, 9],
      [8, 9],
    ]);
    assert.equal(fused[0]!.id, 9);
    close(fused[0]!.score, 2 / 62);
  });

  it('with k = 0 the head dominates: 1/1 beats 1/2 + 1/3', () => {
    const fused = reciprocalRankFusion(
      [
        [5, 6],
        [4, 6],
      ],
      0,
    );
    // 5: 1, 4: 1, 6: 1/2 + 1/2 = 1 -> a three-way tie broken by first appearance
    assert.deepEqual(
      fused.map((f) => [f.id, f.score]),
      [
        [5, 1],
        [6, 1],
        [4, 1],
      ],
    );
  });

  it('empty lists fuse to nothing; a repeated id keeps its first rank', () => {
    assert.deepEqual(reciprocalRankFusion([[], []]), []);
    const fused = reciprocalRankFusion([[3, 3, 2]]);
    assert.deepEqual(
      fused.map((f) => f.id),
      [3, 2],
    );
    close(fused[1]!.score, 1 / 63);
    assert.throws(() => reciprocalRankFusion([[1]], -1), RangeError);
  });
});

describe('nearestByDot', () => {
  it('returns the n rows with the highest dot product, best first', () => {
    // rows: (1,0) (0,1) (0.6,0.8) (-1,0); query (0.8,0.6)
    const m = new Float32Array([1, 0, 0, 1, 0.6, 0.8, -1, 0]);
    const q = new Float32Array([0.8, 0.6]);
    const got = nearestByDot(m, 2, [10, 11, 12, 13], q, 3);
    assert.deepEqual(
      got.map((g) => g.id),
      [12, 10, 11],
    ); // 0.96, 0.8, 0.6
    assert.ok(Math.abs(got[0]!.similarity - 0.96) < 1e-6);
    assert.deepEqual(nearestByDot(m, 2, [10, 11, 12, 13], q, 0), []);
    assert.equal(nearestByDot(m, 2, [10, 11, 12, 13], q, 10).length, 4);
    assert.throws(() => nearestByDot(m, 2, [10], new Float32Array(3), 1), RangeError);
  });

  it('sums all dimensions when they are not a multiple of four (9 here)', () => {
    const m = new Float32Array(18);
    m.fill(1, 0, 9); // row 0: all ones
    m[9 + 8] = 5; // row 1: only the last dimension
    const q = new Float32Array(9).fill(1);
    assert.deepEqual(
      nearestByDot(m, 9, [1, 2], q, 2).map((g) => [g.id, g.similarity]),
      [
        [1, 9],
        [2, 5],
      ],
    );
  });

  it('topByScore: best first, ties to the lower index, only the first `rows` scores read', () => {
    const scores = new Float32Array([0.5, 0.9, 0.5, 0.1, 0.9, 2]);
    assert.deepEqual(
      topByScore(scores, [10, 11, 12, 13, 14, 15], 4, 5).map((g) => g.id),
      [11, 14, 10, 12],
    );
    assert.deepEqual(
      topByScore(scores, [10, 11], 5).map((g) => g.id),
      [11, 10],
    );
    assert.deepEqual(topByScore(scores, [10, 11, 12], 0), []);
  });

  it('l2Normalise scales to unit length', () => {
    assert.deepEqual([...l2Normalise(new Float32Array([3, 4]))], [0.6000000238418579, 0.800000011920929]);
    assert.deepEqual([...l2Normalise(new Float32Array([0, 0]))], [0, 0]);
  });
});
