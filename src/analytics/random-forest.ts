/**
 * Why our own: ml-random-forest (the npm option) trains 50 trees on 1,500 rows in ~6 s and throws
 * on small out-of-bag sets; this one bins once, is seeded (reproducible) and trains off the event loop.
 *
 * A small, deterministic random-forest classifier for binary labels over
 * numeric features of small cardinality (codes, hours, rates rounded to 0.01,
 * duration buckets).
 *
 * Training bins every feature once: each distinct value is a bin (values are
 * grouped into at most `maxBins` quantile bins when there are more). A node's
 * split search then counts labels per bin for each candidate feature and scans
 * the cumulative counts for the best Gini split, so one tree level costs
 * O(rows × features tried) instead of sorting. Trees are grown depth-first on a
 * bootstrap sample; each node tries `maxFeatures` randomly chosen features
 * (features that are constant in the node do not count, as in scikit-learn).
 * A node is split whenever a valid split exists (also one with zero gain, so
 * XOR-like interactions are found) until it is pure, `maxDepth` is reached or
 * a child would get fewer than `minSamplesLeaf` rows.
 *
 * Splits are `x <= threshold` (left) with the threshold halfway between the
 * largest value going left and the smallest going right. Probabilities are the
 * mean of the trees' leaf probabilities (soft voting). Feature importance is
 * the mean decrease in Gini impurity (weighted by rows), normalised per tree,
 * averaged over the trees that split at all, and normalised to sum 1.
 *
 * Everything random comes from a seeded PRNG (one stream per tree), so the
 * same data, options and seed give the same model, byte for byte.
 *
 * Serialised form: per tree two flat arrays in pre-order, `feature` (-1 for a
 * leaf) and `value` (the threshold of a split, or the leaf's probability of
 * label 1, rounded to 6 decimals); the tree shape follows from the pre-order.
 */
import { AppError } from '../errors.js';
import { mulberry32 } from './prng.js';

const RANDOM_FOREST_FORMAT = 'session-buddy-random-forest/v1';

export interface RandomForestOptions {
  /** Number of trees; default 50. */
  nEstimators?: number;
  /** Maximum depth (the root has depth 0); default 10. */
  maxDepth?: number;
  /** Minimum rows in each leaf; default 1. */
  minSamplesLeaf?: number;
  /** Features tried per node: 'sqrt' (default), 'all', or a count. */
  maxFeatures?: 'sqrt' | 'all' | number;
  /** Train each tree on a bootstrap sample (default true) or on all rows. */
  bootstrap?: boolean;
  /** Bootstrap sample size as a fraction of the rows; default 1. */
  maxSamples?: number;
  /** At most this many bins per feature; default 256. */
  maxBins?: number;
  /** 32-bit integer seed; default 42. */
  seed?: number;
}

export interface RandomForestJson {
  format: string;
  n_features: number;
  params: Required<Omit<RandomForestOptions, 'maxFeatures'>> & { maxFeatures: number };
  /** Normalised mean decrease in impurity per feature (sums to 1, or all 0 when no tree split). */
  feature_importance: number[];
  trees: { feature: number[]; value: number[] }[];
}

interface Tree {
  feature: Int32Array;
  /** Threshold for a split node, probability of label 1 for a leaf. */
  value: Float64Array;
  /** Index of the right child (the left child is the next node). */
  right: Int32Array;
}

/** A well-mixed 32-bit seed for tree `i` of a forest seeded with `seed`. */
function treeSeed(seed: number, i: number): number {
  let z = (Math.imul(seed | 0, 0x9e3779b1) + Math.imul(i + 1, 0x85ebca6b)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d);
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b);
  return (z ^ (z >>> 16)) >>> 0;
}

function roundProb(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}

interface Binned {
  /** Column-major bin codes: bins[f * n + i]. */
  bins: Uint16Array;
  nBins: Int32Array;
  /** Per feature: smallest and largest raw value in each bin. */
  lower: Float64Array[];
  upper: Float64Array[];
}

function binFeatures(rows: readonly (readonly number[])[], nFeatures: number, maxBins: number): Binned {
  const n = rows.length;
  const bins = new Uint16Array(n * nFeatures);
  const nBins = new Int32Array(nFeatures);
  const lower: Float64Array[] = [];
  const upper: Float64Array[] = [];
  for (let f = 0; f < nFeatures; f++) {
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const v = rows[i]![f]!;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const distinct = [...counts.keys()].sort((a, b) => a - b);
    // Group consecutive distinct values so that each bin holds about n / maxBins rows.
    const binOf = new Map<number, number>();
    const lo: number[] = [];
    const hi: number[] = [];
    const target = n / maxBins;
    let filled = 0;
    for (const v of distinct) {
      if (lo.length === 0 || (filled >= target && lo.length < maxBins)) {
        lo.push(v);
        hi.push(v);
        filled = 0;
      }
      binOf.set(v, lo.length - 1);
      hi[hi.length - 1] = v;
      filled += counts.get(v)!;
    }
    const base = f * n;
    for (let i = 0; i < n; i++) bins[base + i] = binOf.get(rows[i]![f]!)!;
    nBins[f] = lo.length;
    lower.push(Float64Array.from(lo));
    upper.push(Float64Array.from(hi));
  }
  return { bins, nBins, lower, upper };
}

interface ResolvedParams {
  nEstimators: number;
  maxDepth: number;
  minSamplesLeaf: number;
  maxFeatures: number;
  bootstrap: boolean;
  maxSamples: number;
  maxBins: number;
  seed: number;
}

function resolveParams(options: RandomForestOptions, nFeatures: number): ResolvedParams {
  const nEstimators = options.nEstimators ?? 50;
  const maxDepth = options.maxDepth ?? 10;
  const minSamplesLeaf = options.minSamplesLeaf ?? 1;
  const bootstrap = options.bootstrap ?? true;
  const maxSamples = options.maxSamples ?? 1;
  const maxBins = options.maxBins ?? 256;
  const seed = options.seed ?? 42;
  const mf = options.maxFeatures ?? 'sqrt';
  if (!Number.isInteger(nEstimators) || nEstimators < 1 || nEstimators > 1000) {
    throw AppError.invalid('n_estimators', 'must be an integer in [1, 1000]');
  }
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 32) throw AppError.invalid('max_depth', 'must be an integer in [1, 32]');
  if (!Number.isInteger(minSamplesLeaf) || minSamplesLeaf < 1) throw AppError.invalid('min_samples_leaf', 'must be an integer >= 1');
  if (!(maxSamples > 0 && maxSamples <= 1)) throw AppError.invalid('max_samples', 'must be in (0, 1]');
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 65535) throw AppError.invalid('max_bins', 'must be an integer in [2, 65535]');
  if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32) throw AppError.invalid('seed', 'must be a 32-bit integer');
  let maxFeatures: number;
  if (mf === 'sqrt') maxFeatures = Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  else if (mf === 'all') maxFeatures = nFeatures;
  else if (Number.isInteger(mf) && mf >= 1) maxFeatures = Math.min(mf, nFeatures);
  else throw AppError.invalid('max_features', "must be 'sqrt', 'all' or an integer >= 1");
  return { nEstimators, maxDepth, minSamplesLeaf, maxFeatures, bootstrap, maxSamples, maxBins, seed };
}

/** Reusable per-forest buffers for the split search. */
interface Scratch {
  total: Float64Array;
  ones: Float64Array;
  touched: Int32Array;
  order: Int32Array;
}

class TreeBuilder {
  readonly feature: number[] = [];
  readonly value: number[] = [];
  readonly importance: Float64Array;

  constructor(
    private readonly data: Binned,
    private readonly labels: Uint8Array,
    private readonly n: number,
    private readonly nFeatures: number,
    private readonly p: ResolvedParams,
    private readonly random: () => number,
    private readonly idx: Int32Array,
    private readonly s: Scratch,
  ) {
    this.importance = new Float64Array(nFeatures);
  }

  build(start: number, end: number, depth: number): void {
    const { idx, labels } = this;
    let ones = 0;
    for (let k = start; k < end; k++) ones += labels[idx[k]!]!;
    const count = end - start;
    const node = this.feature.length;
    this.feature.push(-1);
    this.value.push(roundProb(ones / count));
    if (depth >= this.p.maxDepth || ones === 0 || ones === count || count < 2 * this.p.minSamplesLeaf) return;

    const best = this.findSplit(start, end, count, ones);
    if (best === null) return;
    const { bins } = this.data;
    const base = best.feature * this.n;
    // Partition [start, end): bins <= best.bin to the left.
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if (bins[base + idx[i]!]! <= best.bin) i++;
      else {
        const t = idx[i]!;
        idx[i] = idx[j]!;
        idx[j] = t;
        j--;
      }
    }
    this.feature[node] = best.feature;
    this.value[node] = best.threshold;
    this.importance[best.feature] = this.importance[best.feature]! + best.gain;
    this.build(start, i, depth + 1);
    this.build(i, end, depth + 1);
  }

  private findSplit(start: number, end: number, count: number, ones: number): { feature: number; bin: number; threshold: number; gain: number } | null {
    const { idx, labels, data, s, nFeatures } = this;
    const minLeaf = this.p.minSamplesLeaf;
    // Random feature order (Fisher-Yates).
    const order = s.order;
    for (let f = 0; f < nFeatures; f++) order[f] = f;
    for (let f = nFeatures - 1; f > 0; f--) {
      const r = Math.floor(this.random() * (f + 1));
      const t = order[f]!;
      order[f] = order[r]!;
      order[r] = t;
    }
    const zeros = count - ones;
    const parentScore = (ones * ones + zeros * zeros) / count;
    let bestGain = -1;
    let bestFeature = -1;
    let bestBin = -1;
    let bestThreshold = 0;
    let tried = 0;
    for (let o = 0; o < nFeatures && tried < this.p.maxFeatures; o++) {
      const f = order[o]!;
      const base = f * this.n;
      const { total, ones: one, touched } = s;
      let nTouched = 0;
      for (let k = start; k < end; k++) {
        const row = idx[k]!;
        const b = data.bins[base + row]!;
        if (total[b] === 0) touched[nTouched++] = b;
        total[b] = total[b]! + 1;
        one[b] = one[b]! + labels[row]!;
      }
      if (nTouched > 1) {
        tried++;
        const used = touched.subarray(0, nTouched).sort();
        let left = 0;
        let leftOnes = 0;
        for (let u = 0; u < nTouched - 1; u++) {
          const b = used[u]!;
          left += total[b]!;
          leftOnes += one[b]!;
          const right = count - left;
          if (left < minLeaf) continue;
          if (right < minLeaf) break;
          const leftZeros = left - leftOnes;
          const rightOnes = ones - leftOnes;
          const rightZeros = right - rightOnes;
          // Decrease of rows × Gini impurity: Σ child (a² + b²) / m − parent (a² + b²) / m.
          const gain = (leftOnes * leftOnes + leftZeros * leftZeros) / left + (rightOnes * rightOnes + rightZeros * rightZeros) / right - parentScore;
          if (gain > bestGain + 1e-12) {
            bestGain = gain;
            bestFeature = f;
            bestBin = b;
            bestThreshold = (data.upper[f]![b]! + data.lower[f]![used[u + 1]!]!) / 2;
          }
        }
      }
      for (let t = 0; t < nTouched; t++) {
        const b = touched[t]!;
        total[b] = 0;
        one[b] = 0;
      }
    }
    if (bestFeature < 0) return null;
    return { feature: bestFeature, bin: bestBin, threshold: bestThreshold, gain: Math.max(0, bestGain) };
  }
}

function linkTree(feature: readonly number[], value: readonly number[]): Tree {
  const size = feature.length;
  const right = new Int32Array(size);
  // Pre-order: a split node's left child follows it; its right child follows the left subtree.
  const pending: number[] = [];
  for (let i = 0; i < size; i++) {
    // After a split node comes its left child; after a leaf, the right child of the
    // innermost split whose left subtree just ended.
    if (i > 0 && feature[i - 1]! < 0) {
      const parent = pending.pop();
      if (parent === undefined) throw AppError.invalid('model', 'malformed tree');
      right[parent] = i;
    }
    if (feature[i]! >= 0) pending.push(i);
  }
  if (pending.length > 0 || (size > 0 && feature[size - 1]! >= 0)) throw AppError.invalid('model', 'malformed tree');
  return { feature: Int32Array.from(feature), value: Float64Array.from(value), right };
}

export class RandomForestClassifier {
  private constructor(
    private readonly trees: Tree[],
    private readonly json: RandomForestJson,
  ) {}

  /** Trains on `rows` (one number per feature, all rows the same length) and labels 0/1. */
  static fit(rows: readonly (readonly number[])[], labels: readonly number[], options: RandomForestOptions = {}): RandomForestClassifier {
    const n = rows.length;
    if (n === 0) throw AppError.invalid('rows', 'must not be empty');
    if (labels.length !== n) throw AppError.invalid('labels', `must have one label per row (${n} rows, ${labels.length} labels)`);
    const nFeatures = rows[0]!.length;
    if (nFeatures < 1) throw AppError.invalid('rows', 'must have at least one feature');
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      if (row.length !== nFeatures) throw AppError.invalid(`rows.${i}`, `must have ${nFeatures} features`);
      for (let f = 0; f < nFeatures; f++) {
        if (!Number.isFinite(row[f])) throw AppError.invalid(`rows.${i}.${f}`, 'must be a finite number');
      }
      const l = labels[i];
      if (l !== 0 && l !== 1) throw AppError.invalid(`labels.${i}`, 'must be 0 or 1');
      y[i] = l;
    }
    const p = resolveParams(options, nFeatures);
    const data = binFeatures(rows, nFeatures, p.maxBins);
    const maxBin = Math.max(...data.nBins);
    const scratch: Scratch = {
      total: new Float64Array(maxBin),
      ones: new Float64Array(maxBin),
      touched: new Int32Array(maxBin),
      order: new Int32Array(nFeatures),
    };
    const sampleSize = p.bootstrap ? Math.max(1, Math.round(n * p.maxSamples)) : n;
    const idx = new Int32Array(sampleSize);
    const trees: Tree[] = [];
    const treesJson: RandomForestJson['trees'] = [];
    const importance = new Float64Array(nFeatures);
    let splitTrees = 0;
    for (let t = 0; t < p.nEstimators; t++) {
      const random = mulberry32(treeSeed(p.seed, t));
      if (p.bootstrap) for (let k = 0; k < sampleSize; k++) idx[k] = Math.floor(random() * n);
      else for (let k = 0; k < n; k++) idx[k] = k;
      const builder = new TreeBuilder(data, y, n, nFeatures, p, random, idx, scratch);
      builder.build(0, sampleSize, 0);
      trees.push(linkTree(builder.feature, builder.value));
      treesJson.push({ feature: builder.feature, value: builder.value });
      let sum = 0;
      for (const v of builder.importance) sum += v;
      if (sum > 0) {
        splitTrees++;
        for (let f = 0; f < nFeatures; f++) importance[f] = importance[f]! + builder.importance[f]! / sum;
      }
    }
    let total = 0;
    for (const v of importance) total += v;
    const featureImportance = Array.from(importance, (v) => (total > 0 && splitTrees > 0 ? v / total : 0));
    const json: RandomForestJson = {
      format: RANDOM_FOREST_FORMAT,
      n_features: nFeatures,
      params: { ...p },
      feature_importance: featureImportance,
      trees: treesJson,
    };
    return new RandomForestClassifier(trees, json);
  }

  /** Loads a model produced by `toJSON` (after a JSON round trip). */
  static fromJSON(json: RandomForestJson): RandomForestClassifier {
    if (!json || typeof json !== 'object' || json.format !== RANDOM_FOREST_FORMAT) {
      throw AppError.invalid('model', `must be a ${RANDOM_FOREST_FORMAT} model`);
    }
    if (!Number.isInteger(json.n_features) || json.n_features < 1 || !Array.isArray(json.trees) || json.trees.length === 0) {
      throw AppError.invalid('model', 'malformed forest');
    }
    const trees = json.trees.map((t) => {
      if (!Array.isArray(t.feature) || !Array.isArray(t.value) || t.feature.length !== t.value.length || t.feature.length === 0) {
        throw AppError.invalid('model', 'malformed tree');
      }
      for (const f of t.feature) {
        if (!Number.isInteger(f) || f < -1 || f >= json.n_features) throw AppError.invalid('model', 'malformed tree');
      }
      return linkTree(t.feature, t.value);
    });
    return new RandomForestClassifier(trees, json);
  }

  get nFeatures(): number {
    return this.json.n_features;
  }

  get nTrees(): number {
    return this.trees.length;
  }

  /** Normalised mean decrease in Gini impurity per feature, in feature order. */
  featureImportance(): number[] {
    return [...this.json.feature_importance];
  }

  /** Probability of label 1: the mean of the trees' leaf probabilities. */
  predictProbability(row: readonly number[]): number {
    if (row.length !== this.json.n_features) throw AppError.invalid('row', `must have ${this.json.n_features} features`);
    let sum = 0;
    for (const tree of this.trees) {
      let node = 0;
      let f = tree.feature[0]!;
      while (f >= 0) {
        node = row[f]! <= tree.value[node]! ? node + 1 : tree.right[node]!;
        f = tree.feature[node]!;
      }
      sum += tree.value[node]!;
    }
    return sum / this.trees.length;
  }

  predictProbabilities(rows: readonly (readonly number[])[]): number[] {
    return rows.map((r) => this.predictProbability(r));
  }

  /** Plain JSON (flat arrays per tree); `fromJSON` restores an identical model. */
  toJSON(): RandomForestJson {
    return this.json;
  }
}
