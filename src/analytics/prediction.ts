/**
 * Success prediction: a random forest over per-invocation features.
 *
 * Features (in this order):
 *   skill                     integer code (index into encodings.skills)
 *   workflow_phase            integer code (index into encodings.phases)
 *   hour_of_day               0-23, UTC
 *   user_prior_success_rate   (s + 1) / (n + 2) over the user's EARLIER invocations, rounded to 0.01
 *   skill_prior_success_rate  (s + 1) / (n + 2) over the skill's EARLIER invocations, rounded to 0.01
 *   duration_bucket           log2 bucket of duration_ms (see durationLog2Bucket); for an invocation
 *                             whose duration was not measured, the skill's median measured bucket
 *                             (see imputedDurationBuckets)
 * The prior rates are built from running counts over samples sorted by time;
 * samples sharing a timestamp do not see each other, so no label leaks into
 * its own features. The holdout is the most recent part of the window, never
 * a random sample, so the reported accuracy is that of predicting the future.
 * The classifier is the histogram-based forest of random-forest.ts.
 */
import { AppError } from '../errors.js';
import { RandomForestClassifier, type RandomForestJson } from './random-forest.js';
import type { InvocationSample } from './types.js';

export const FEATURE_NAMES = ['skill', 'workflow_phase', 'hour_of_day', 'user_prior_success_rate', 'skill_prior_success_rate', 'duration_bucket'] as const;

const MAX_DURATION_BUCKET = 40;
const MODEL_FORMAT = 'success-random-forest/v2';

/** Success rate with a uniform prior: (successes + 1) / (invocations + 2). Use it for predictSuccess inputs too. */
export function priorSuccessRate(successes: number, invocations: number): number {
  return (successes + 1) / (invocations + 2);
}

/**
 * Rates are rounded to 0.01: finer steps add nothing to a tree but multiply
 * the split candidates it has to try.
 */
function roundRate(rate: number): number {
  return Math.round(rate * 100) / 100;
}

/** 0 for durations under 1 ms, else floor(log2(ms)) + 1, capped at 40. */
export function durationLog2Bucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(MAX_DURATION_BUCKET, Math.floor(Math.log2(ms)) + 1);
}

export interface FeatureEncodings {
  feature_names: string[];
  /** Skill code = index in this (sorted) list. */
  skills: string[];
  /** Workflow phase code = index in this (sorted) list. */
  phases: string[];
  /**
   * Median bucket of the measured durations (all skills): the bucket of an unmeasured duration of a skill with no
   * measured one, and of a prediction that gives none for such a skill. (Models trained before unmeasured durations
   * were left out hold the median over all rows, those read as 0 ms included.)
   */
  default_duration_bucket: number;
  /**
   * Per skill, the median bucket of its measured durations (skills with none are absent): the bucket of its
   * unmeasured durations in training, and of a prediction for it that gives none. Absent in older models.
   */
  skill_duration_buckets?: Record<string, number>;
  rate_prior: string;
}

export interface FeatureSet {
  /** One row per sample, in time order. */
  matrix: number[][];
  /** 1 = completed, 0 = failed; aligned with `matrix`. */
  labels: number[];
  /** invoked_at of each row, ascending. */
  invokedAt: number[];
  encodings: FeatureEncodings;
}

export function buildFeatures(samples: readonly InvocationSample[]): FeatureSet {
  // Ties are ordered by content so that the row order does not depend on the input order.
  const sorted = [...samples].sort(
    (a, b) =>
      a.invokedAt - b.invokedAt ||
      compareStrings(a.skill, b.skill) ||
      compareStrings(a.user, b.user) ||
      compareStrings(a.workflowPhase, b.workflowPhase) ||
      a.durationMs - b.durationMs ||
      Number(a.durationKnown !== false) - Number(b.durationKnown !== false) ||
      Number(a.completed) - Number(b.completed),
  );
  const skills = [...new Set(sorted.map((s) => s.skill))].sort();
  const phases = [...new Set(sorted.map((s) => s.workflowPhase))].sort();
  const skillCode = new Map(skills.map((s, i) => [s, i]));
  const phaseCode = new Map(phases.map((p, i) => [p, i]));
  const durations = imputedDurationBuckets(sorted);

  const userCounts = new Map<string, { s: number; n: number }>();
  const skillCounts = new Map<string, { s: number; n: number }>();
  const bump = (m: Map<string, { s: number; n: number }>, key: string, ok: boolean): void => {
    const c = m.get(key) ?? { s: 0, n: 0 };
    c.n += 1;
    if (ok) c.s += 1;
    m.set(key, c);
  };

  const matrix: number[][] = [];
  const labels: number[] = [];
  const invokedAt: number[] = [];
  let i = 0;
  while (i < sorted.length) {
    // Rows with the same timestamp get features from strictly earlier rows only.
    let j = i;
    while (j < sorted.length && sorted[j]!.invokedAt === sorted[i]!.invokedAt) j++;
    for (let k = i; k < j; k++) {
      const s = sorted[k]!;
      const u = userCounts.get(s.user);
      const sk = skillCounts.get(s.skill);
      matrix.push([
        skillCode.get(s.skill)!,
        phaseCode.get(s.workflowPhase)!,
        new Date(s.invokedAt).getUTCHours(),
        roundRate(priorSuccessRate(u?.s ?? 0, u?.n ?? 0)),
        roundRate(priorSuccessRate(sk?.s ?? 0, sk?.n ?? 0)),
        s.durationKnown === false ? (durations.bySkill.get(s.skill) ?? durations.overall) : durationLog2Bucket(s.durationMs),
      ]);
      labels.push(s.completed ? 1 : 0);
      invokedAt.push(s.invokedAt);
    }
    for (let k = i; k < j; k++) {
      const s = sorted[k]!;
      bump(userCounts, s.user, s.completed);
      bump(skillCounts, s.skill, s.completed);
    }
    i = j;
  }

  return {
    matrix,
    labels,
    invokedAt,
    encodings: {
      feature_names: [...FEATURE_NAMES],
      skills,
      phases,
      default_duration_bucket: durations.overall,
      skill_duration_buckets: Object.fromEntries(durations.bySkill),
      rate_prior: '(successes + 1) / (invocations + 2) over earlier invocations, rounded to 0.01',
    },
  };
}

/**
 * The buckets an unmeasured duration is read as. A row whose duration was not measured (a typed activation, a call
 * whose Pre/Post hooks never matched, an OTLP event without one: stored as 0 ms with duration_known = 0) has no
 * duration: reading it as 0 ms would make a skill mostly typed look instant and tie "not measured" to "fast".
 * It is given its skill's typical duration instead, the median bucket of the skill's measured durations (the
 * median over every measured duration for a skill with none; 0 when nothing was measured at all). This is also
 * what a prediction uses, since the duration of a planned invocation is never known: for the same skill,
 * training and prediction see the same value. Imputation rather than a sentinel value or an extra indicator
 * feature: a sentinel sits next to the real buckets, where the forest's threshold splits lump it with the
 * fastest or slowest durations, and an indicator would be one more feature with no value to give at prediction
 * time. The medians are taken over the whole sample (durations are features, not labels: no outcome leaks).
 */
function imputedDurationBuckets(samples: readonly InvocationSample[]): { overall: number; bySkill: Map<string, number> } {
  const all: number[] = [];
  const perSkill = new Map<string, number[]>();
  for (const s of samples) {
    if (s.durationKnown === false) continue;
    const b = durationLog2Bucket(s.durationMs);
    all.push(b);
    const list = perSkill.get(s.skill);
    if (list) list.push(b);
    else perSkill.set(s.skill, [b]);
  }
  const bySkill = new Map([...perSkill].sort(([a], [b]) => compareStrings(a, b)).map(([skill, list]) => [skill, lowerMedian(list)]));
  return { overall: all.length > 0 ? lowerMedian(all) : 0, bySkill };
}

function lowerMedian(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[Math.floor((values.length - 1) / 2)]!;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface TrainOptions {
  /** 32-bit integer; the same seed and data give the same model. Default 42. */
  seed?: number;
  /** Default 50. */
  nEstimators?: number;
  /** Default 10. */
  maxDepth?: number;
  /** Minimum training rows per leaf; default 5. */
  minSamplesLeaf?: number;
  /** Most recent fraction held out for evaluation; default 0.2. */
  holdoutFraction?: number;
  /** Default 200. */
  minSamples?: number;
  /**
   * Cap on training rows (most recent per class, class shares kept); default 20,000.
   * The histogram-based forest (random-forest.ts) trains 20,000 rows × 50 trees
   * of depth 10 in about 0.4 s on one core; cost is linear in rows × trees × depth.
   * Training is synchronous: run it off the event loop where that matters.
   */
  maxTrainSamples?: number;
}

/** Serialised forest: plain JSON, safe to store and to load with predictSuccess. */
export interface SuccessModelJson {
  format: string;
  forest: unknown;
}

export interface InsufficientData {
  status: 'insufficient_data';
  /** Why no model was trained, with the sample's size or its one outcome where that is why. */
  reason: string;
  /**
   * The same without the sample's size or which outcome it lacks, for a reader from whom the
   * figures of a sample of fewer than k users are withheld (see `users`).
   */
  withheld_reason: string;
  samples: number;
  /**
   * Distinct users in the sample: the people `samples` (and the window's count) describe, to be
   * weighed against k. The sample is every invocation of the window unless the window held more
   * than the read cap, so this is the window's count, else a lower bound of it.
   */
  users: number;
}

export interface TrainedModel {
  status: 'trained';
  samples: number;
  /**
   * Distinct users in the sample (training and holdout): the people every figure of the model
   * (accuracies, class balance, feature importance) describes, to be weighed against k.
   */
  users: number;
  /** Rows the forest was trained on (after the cap). */
  train_size: number;
  /** Rows available for training before the cap. */
  train_candidates: number;
  holdout_size: number;
  holdout_method: string;
  /** invoked_at of the first held-out sample. */
  holdout_start_at: number;
  holdout_accuracy: number;
  /** Accuracy of always predicting the holdout's majority outcome. */
  baseline_accuracy: number;
  feature_importance: { feature: string; importance: number }[];
  class_balance: { successes: number; failures: number; success_rate: number };
  params: { seed: number; n_estimators: number; max_depth: number; min_samples_leaf: number; max_train_samples: number };
  encodings: FeatureEncodings;
  model: SuccessModelJson;
}

export function trainSuccessModel(samples: readonly InvocationSample[], options: TrainOptions = {}): InsufficientData | TrainedModel {
  const seed = options.seed ?? 42;
  const nEstimators = options.nEstimators ?? 50;
  const maxDepth = options.maxDepth ?? 10;
  const minSamplesLeaf = options.minSamplesLeaf ?? 5;
  const holdoutFraction = options.holdoutFraction ?? 0.2;
  const minSamples = options.minSamples ?? 200;
  const maxTrainSamples = options.maxTrainSamples ?? 20_000;
  if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 31) throw AppError.invalid('seed', 'must be a 32-bit integer');
  if (!Number.isInteger(nEstimators) || nEstimators < 1 || nEstimators > 500) {
    throw AppError.invalid('n_estimators', 'must be an integer in [1, 500]');
  }
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 32) throw AppError.invalid('max_depth', 'must be an integer in [1, 32]');
  if (!Number.isInteger(minSamplesLeaf) || minSamplesLeaf < 1) throw AppError.invalid('min_samples_leaf', 'must be an integer >= 1');
  if (!(holdoutFraction > 0 && holdoutFraction < 1)) throw AppError.invalid('holdout_fraction', 'must be in (0, 1)');
  if (!Number.isInteger(minSamples) || minSamples < 10) throw AppError.invalid('min_samples', 'must be an integer >= 10');
  if (!Number.isInteger(maxTrainSamples) || maxTrainSamples < 10) {
    throw AppError.invalid('max_train_samples', 'must be an integer >= 10');
  }

  const n = samples.length;
  const users = new Set(samples.map((s) => s.user)).size;
  if (n < minSamples) {
    const need = `need at least ${minSamples} samples`;
    return { status: 'insufficient_data', reason: `${need}, have ${n}`, withheld_reason: need, samples: n, users };
  }
  const features = buildFeatures(samples);
  const holdoutSize = Math.max(1, Math.floor(n * holdoutFraction));
  const trainEnd = n - holdoutSize;
  const trainIdx = stratifiedRecent(features.labels, trainEnd, maxTrainSamples);
  const trainLabels = trainIdx.map((i) => features.labels[i]!);
  const trainSuccesses = trainLabels.reduce((a, b) => a + b, 0);
  if (trainSuccesses === 0 || trainSuccesses === trainLabels.length) {
    const only = trainSuccesses === 0 ? 'failures' : 'successes';
    return {
      status: 'insufficient_data',
      reason: `the training part of the window holds only ${only}; a model needs both outcomes`,
      withheld_reason: 'the training part of the window holds one outcome only; a model needs both',
      samples: n,
      users,
    };
  }

  const forest = RandomForestClassifier.fit(
    trainIdx.map((i) => features.matrix[i]!),
    trainLabels,
    // sqrt(6) -> 2 features tried per node.
    { seed, nEstimators, maxDepth, minSamplesLeaf, maxFeatures: 'sqrt' },
  );

  const holdoutRows = features.matrix.slice(trainEnd);
  const holdoutLabels = features.labels.slice(trainEnd);
  const probabilities = forest.predictProbabilities(holdoutRows);
  let correct = 0;
  probabilities.forEach((p, i) => {
    if ((p >= 0.5 ? 1 : 0) === holdoutLabels[i]) correct += 1;
  });
  const holdoutSuccesses = holdoutLabels.reduce((a, b) => a + b, 0);
  const successes = features.labels.reduce((a, b) => a + b, 0);
  // Mean decrease in Gini impurity, normalised to sum 1 (see random-forest.ts).
  const importance = forest.featureImportance();

  return {
    status: 'trained',
    samples: n,
    users,
    train_size: trainIdx.length,
    train_candidates: trainEnd,
    holdout_size: holdoutSize,
    holdout_method: `time-based: the most recent ${Math.round(holdoutFraction * 100)}% of samples by invoked_at were held out (not a random split)`,
    holdout_start_at: features.invokedAt[trainEnd]!,
    holdout_accuracy: correct / holdoutSize,
    baseline_accuracy: Math.max(holdoutSuccesses, holdoutSize - holdoutSuccesses) / holdoutSize,
    feature_importance: FEATURE_NAMES.map((feature, i) => ({ feature, importance: Math.round(importance[i]! * 1e4) / 1e4 })).sort(
      (a, b) => b.importance - a.importance,
    ),
    class_balance: { successes, failures: n - successes, success_rate: successes / n },
    params: { seed, n_estimators: nEstimators, max_depth: maxDepth, min_samples_leaf: minSamplesLeaf, max_train_samples: maxTrainSamples },
    encodings: features.encodings,
    model: { format: MODEL_FORMAT, forest: forest.toJSON() },
  };
}

/**
 * Indices in [0, end) to train on: all of them when they fit the cap, else
 * the most recent rows of each class, each class keeping its share (at least one row).
 */
function stratifiedRecent(labels: readonly number[], end: number, cap: number): number[] {
  if (end <= cap) return Array.from({ length: end }, (_, i) => i);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < end; i++) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(i);
    byClass.set(labels[i]!, list);
  }
  const chosen: number[] = [];
  for (const list of byClass.values()) {
    const quota = Math.max(1, Math.floor((cap * list.length) / end));
    chosen.push(...list.slice(-quota));
  }
  return chosen.sort((a, b) => a - b);
}

export interface PredictionInput {
  skill: string;
  phase: string;
  /** 0-23, UTC. */
  hourOfDay: number;
  /** priorSuccessRate(successes, invocations) of the user. */
  userSuccessRate: number;
  /** priorSuccessRate(successes, invocations) of the skill. */
  skillSuccessRate: number;
  /**
   * priorSuccessRate of each skill the model knows (encodings.skills), by name. A skill the model
   * never saw is predicted as each known skill with that skill's rate, and the probabilities are
   * averaged; a known skill missing here (or every one, without the map) gets `skillSuccessRate`.
   */
  knownSkillSuccessRates?: ReadonlyMap<string, number>;
  /**
   * Predict as for a skill the model never saw even when it knows this one: averaged over the known skills (a
   * caller that may not reveal what the few users of this skill contributed generalises it so).
   */
  generalise?: boolean;
  /**
   * The known skills an unknown (or generalised) skill is averaged over; default every known skill. Names the
   * model does not know are ignored; none left gives the probability NaN.
   */
  averageOverSkills?: readonly string[];
  /**
   * durationLog2Bucket(ms); when omitted, the skill's median measured bucket in training (each known skill's own
   * when averaging over them), else the median over all measured durations: the value training gave its
   * unmeasured durations.
   */
  durationBucket?: number;
}

export interface PredictionResult {
  /** Estimated probability of success in [0, 1] (mean of the trees' leaf probabilities). */
  probability: number;
  /** The skill was not in the training data: probability is averaged over all known skills, each with its own success rate. */
  unknown_skill: boolean;
  /** The phase was not in the training data: probability is averaged over all known phases. */
  unknown_phase: boolean;
  duration_imputed: boolean;
}

/** Loads a model once and returns a predictor for repeated use. */
export function createSuccessPredictor(model: SuccessModelJson, encodings: FeatureEncodings): (input: PredictionInput) => PredictionResult {
  if (!model || model.format !== MODEL_FORMAT) throw AppError.invalid('model', `must be a ${MODEL_FORMAT} model`);
  const forest = RandomForestClassifier.fromJSON(model.forest as RandomForestJson);
  if (forest.nFeatures !== FEATURE_NAMES.length) throw AppError.invalid('model', `must have ${FEATURE_NAMES.length} features`);
  const skillCode = new Map(encodings.skills.map((s, i) => [s, i]));
  const phaseCode = new Map(encodings.phases.map((p, i) => [p, i]));

  return (input) => {
    if (!Number.isInteger(input.hourOfDay) || input.hourOfDay < 0 || input.hourOfDay > 23) {
      throw AppError.invalid('hour_of_day', 'must be an integer in [0, 23]');
    }
    for (const [field, v] of [
      ['user_success_rate', input.userSuccessRate],
      ['skill_success_rate', input.skillSuccessRate],
    ] as const) {
      if (!(v >= 0 && v <= 1)) throw AppError.invalid(field, 'must be in [0, 1]');
    }
    for (const [skill, v] of input.knownSkillSuccessRates ?? []) {
      if (!(v >= 0 && v <= 1)) throw AppError.invalid('known_skill_success_rates', `${skill}: must be in [0, 1]`);
    }
    if (input.durationBucket !== undefined && !(Number.isInteger(input.durationBucket) && input.durationBucket >= 0)) {
      throw AppError.invalid('duration_bucket', 'must be an integer >= 0');
    }
    const s = skillCode.get(input.skill);
    const p = phaseCode.get(input.phase);
    // An unknown (or generalised) skill: every known skill, or those of averageOverSkills (code and success rate);
    // an unknown phase: every known phase.
    const over = input.averageOverSkills && new Set(input.averageOverSkills);
    const skills: [code: number, rate: number][] =
      s !== undefined && input.generalise !== true
        ? [[s, input.skillSuccessRate]]
        : encodings.skills.flatMap((name, i) => (!over || over.has(name) ? [[i, input.knownSkillSuccessRates?.get(name) ?? input.skillSuccessRate]] : []));
    const phases = p !== undefined ? [p] : encodings.phases.map((_, i) => i);
    const perSkill = encodings.skill_duration_buckets ?? {};
    // Own keys only: a skill named like an Object.prototype member ('constructor') must not read that member.
    const bucketOf = (code: number): number =>
      input.durationBucket ?? (Object.hasOwn(perSkill, encodings.skills[code]!) ? perSkill[encodings.skills[code]!]! : encodings.default_duration_bucket);
    const rows: number[][] = [];
    for (const [sc, rate] of skills) {
      for (const pc of phases) {
        rows.push([sc, pc, input.hourOfDay, roundRate(input.userSuccessRate), roundRate(rate), bucketOf(sc)]);
      }
    }
    const probs = forest.predictProbabilities(rows);
    const probability = probs.length > 0 ? probs.reduce((a, b) => a + b, 0) / probs.length : Number.NaN;
    return {
      probability,
      unknown_skill: s === undefined,
      unknown_phase: p === undefined,
      duration_imputed: input.durationBucket === undefined,
    };
  };
}

/** One-off prediction; use createSuccessPredictor to avoid reloading the model per call. */
export function predictSuccess(model: SuccessModelJson, encodings: FeatureEncodings, input: PredictionInput): PredictionResult {
  return createSuccessPredictor(model, encodings)(input);
}
