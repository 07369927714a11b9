import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from './prng.js';
import { RandomForestClassifier, type RandomForestJson } from './random-forest.js';

/** One exact tree over all rows, trying every feature at every node. */
const exact = { nEstimators: 1, bootstrap: false, maxFeatures: 'all' } as const;

/** 40 rows: feature 0 = i mod 2 decides the label; feature 1 = i mod 5 is noise. */
function decisive(): { rows: number[][]; labels: number[] } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 40; i++) {
    rows.push([i % 2, i % 5]);
    labels.push(i % 2);
  }
  return { rows, labels };
}

/** 10 copies of each (a, b) in {0,1}², label a XOR b. */
function xor(): { rows: number[][]; labels: number[] } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let k = 0; k < 10; k++) {
    for (const [a, b] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ] as const) {
      rows.push([a, b]);
      labels.push(a ^ b);
    }
  }
  return { rows, labels };
}

function noisy(n: number, seed: number): { rows: number[][]; labels: number[] } {
  const r = mulberry32(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [Math.floor(r() * 10), Math.floor(r() * 24), Math.round(r() * 100) / 100, Math.floor(r() * 40)];
    rows.push(row);
    labels.push(r() < (row[0]! < 5 ? 0.8 : 0.3) ? 1 : 0);
  }
  return { rows, labels };
}

describe('RandomForestClassifier', () => {
  it('finds a single decisive feature exactly', () => {
    const { rows, labels } = decisive();
    const rf = RandomForestClassifier.fit(rows, labels, exact);
    // Root: 20 ones / 20 zeros. Splitting feature 0 at (0 + 1) / 2 = 0.5 gives two pure children:
    // gain = (20² / 20 + 20² / 20) − (20² + 20²) / 40 = 40 − 20 = 20 (= 40 rows × Gini 0.5).
    // Feature 1 (i mod 5) is independent of i mod 2 over 0..39 (each pair occurs 4 times), so it gains 0.
    assert.deepEqual(rf.toJSON().trees, [{ feature: [0, -1, -1], value: [0.5, 0, 1] }]);
    assert.deepEqual(rf.featureImportance(), [1, 0]);
    assert.equal(rf.predictProbability([0, 3]), 0);
    assert.equal(rf.predictProbability([1, 3]), 1);
  });

  it('finds the decisive feature with bootstrap and feature subsampling too', () => {
    const { rows, labels } = decisive();
    const rf = RandomForestClassifier.fit(rows, labels, { nEstimators: 30, seed: 5 });
    const imp = rf.featureImportance();
    assert.ok(imp[0]! > 0.9, `importance ${imp}`);
    assert.ok(Math.abs(imp[0]! + imp[1]! - 1) < 1e-12);
    rows.forEach((row, i) => assert.equal(rf.predictProbability(row) >= 0.5 ? 1 : 0, labels[i]));
  });

  it('needs depth 2 for XOR', () => {
    const { rows, labels } = xor();
    // Depth 1: each split of the root leaves 10 ones and 10 zeros on both sides (gain 0), so every leaf says 0.5.
    const shallow = RandomForestClassifier.fit(rows, labels, { ...exact, maxDepth: 1 });
    for (const row of rows) assert.equal(shallow.predictProbability(row), 0.5);
    assert.deepEqual(shallow.featureImportance(), [0, 0]);
    // Depth 2: the root takes a zero-gain split, each child then splits on the other feature into pure leaves
    // (gain 20 × 0.5 = 10 each), so all importance goes to that other feature.
    const deep = RandomForestClassifier.fit(rows, labels, { ...exact, maxDepth: 2 });
    rows.forEach((row, i) => assert.equal(deep.predictProbability(row), labels[i]));
    const tree = deep.toJSON().trees[0]!;
    const root = tree.feature[0]!;
    const other = 1 - root;
    assert.deepEqual(tree.feature, [root, other, -1, -1, other, -1, -1]);
    assert.deepEqual(tree.value, [0.5, 0.5, 0, 1, 0.5, 1, 0]);
    const expected = [0, 0];
    expected[other] = 1;
    assert.deepEqual(deep.featureImportance(), expected);
    // A forest with one feature per node gets it right as well.
    const forest = RandomForestClassifier.fit(rows, labels, { nEstimators: 20, maxDepth: 3, seed: 9 });
    rows.forEach((row, i) => assert.equal(forest.predictProbability(row) >= 0.5 ? 1 : 0, labels[i]));
  });

  it('respects minSamplesLeaf', () => {
    const rows = [[0], [1], [2], [3]];
    const labels = [1, 0, 0, 0];
    // minSamplesLeaf 1: x <= 0.5 isolates the only 1: gain = 1²/1 + 3²/3 − (1² + 3²)/4 = 4 − 2.5 = 1.5.
    assert.deepEqual(RandomForestClassifier.fit(rows, labels, exact).toJSON().trees[0], { feature: [0, -1, -1], value: [0.5, 1, 0] });
    // minSamplesLeaf 2: only x <= 1.5 is allowed (left {1, 0}: p = 0.5; right {0, 0}: p = 0); the left
    // child has 2 rows, fewer than 2 × 2, so it stays a leaf.
    const tree = RandomForestClassifier.fit(rows, labels, { ...exact, minSamplesLeaf: 2 }).toJSON().trees[0];
    assert.deepEqual(tree, { feature: [0, -1, -1], value: [1.5, 0.5, 0] });
  });

  it('bins many distinct values into at most maxBins bins', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i]);
    const labels = rows.map(([x]) => (x! >= 50 ? 1 : 0));
    // 4 bins of 25 rows: [0..24] [25..49] [50..74] [75..99]; the boundary between 49 and 50 gives 49.5.
    const rf = RandomForestClassifier.fit(rows, labels, { ...exact, maxBins: 4 });
    assert.deepEqual(rf.toJSON().trees[0], { feature: [0, -1, -1], value: [49.5, 0, 1] });
    // Values never seen in training fall on the side of the threshold.
    assert.equal(rf.predictProbability([49.4]), 0);
    assert.equal(rf.predictProbability([1000]), 1);
  });

  it('is deterministic for a seed and survives a JSON round trip', () => {
    const { rows, labels } = noisy(2000, 1);
    const opts = { nEstimators: 10, maxDepth: 6, seed: 123 };
    const a = RandomForestClassifier.fit(rows, labels, opts);
    const b = RandomForestClassifier.fit(rows, labels, opts);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    const c = RandomForestClassifier.fit(rows, labels, { ...opts, seed: 124 });
    assert.notEqual(JSON.stringify(a), JSON.stringify(c));

    const loaded = RandomForestClassifier.fromJSON(JSON.parse(JSON.stringify(a)) as RandomForestJson);
    assert.equal(loaded.nTrees, 10);
    assert.equal(loaded.nFeatures, 4);
    for (const row of rows.slice(0, 200)) assert.equal(loaded.predictProbability(row), a.predictProbability(row));
    const imp = a.featureImportance();
    assert.ok(Math.abs(imp.reduce((x, y) => x + y, 0) - 1) < 1e-9);
    // Feature 0 shifts P(label 1) from 0.8 to 0.3; the others are noise.
    assert.equal(imp.indexOf(Math.max(...imp)), 0);
  });

  it('rejects bad input and malformed models', () => {
    assert.throws(() => RandomForestClassifier.fit([], []), { code: 'INVALID_INPUT', details: { field: 'rows', rule: 'must not be empty' } });
    assert.throws(() => RandomForestClassifier.fit([[1], [2]], [0, 2]), { code: 'INVALID_INPUT', details: { field: 'labels.1', rule: 'must be 0 or 1' } });
    assert.throws(() => RandomForestClassifier.fit([[1], [2, 3]], [0, 1]), {
      code: 'INVALID_INPUT',
      details: { field: 'rows.1', rule: 'must have 1 features' },
    });
    assert.throws(() => RandomForestClassifier.fit([[1], [Number.NaN]], [0, 1]), {
      code: 'INVALID_INPUT',
      details: { field: 'rows.1.0', rule: 'must be a finite number' },
    });
    assert.throws(() => RandomForestClassifier.fit([[1]], [0], { maxDepth: 0 }), {
      code: 'INVALID_INPUT',
      details: { field: 'max_depth', rule: 'must be an integer in [1, 32]' },
    });
    const good = RandomForestClassifier.fit([[0], [1]], [0, 1], exact).toJSON();
    assert.throws(() => RandomForestClassifier.fromJSON({ ...good, format: 'other' }), { code: 'INVALID_INPUT' });
    // A split node with no right subtree.
    assert.throws(() => RandomForestClassifier.fromJSON({ ...good, trees: [{ feature: [0, -1], value: [0.5, 0] }] }), { code: 'INVALID_INPUT' });
    assert.throws(() => RandomForestClassifier.fromJSON({ ...good, trees: [{ feature: [0, -1, -1, -1], value: [0.5, 0, 1, 1] }] }), { code: 'INVALID_INPUT' });
    assert.throws(() => RandomForestClassifier.fromJSON({ ...good, trees: [{ feature: [3, -1, -1], value: [0.5, 0, 1] }] }), { code: 'INVALID_INPUT' });
  });
});
