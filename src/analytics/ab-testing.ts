/**
 * A/B experiments: deterministic hash-based variant assignment, definition
 * checks, and per-variant results with Welch's t-test against the control
 * (the first variant). Comparisons are not corrected for multiple testing;
 * with many variants, pass a smaller alpha.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { welchTTest } from './stats.js';

const SPLIT_TOLERANCE = 1e-9;

/**
 * Position of a user in [0, 1) for an experiment: the first 8 bytes of
 * SHA-256(`${experimentName}:${userHash}`) read as a big-endian unsigned
 * integer divided by 2^64 (its top 53 bits, so the value is exact and < 1).
 */
export function assignmentPoint(experimentName: string, userHash: string): number {
  const digest = createHash('sha256').update(`${experimentName}:${userHash}`).digest();
  return Number(digest.readBigUInt64BE(0) >> 11n) / 2 ** 53;
}

/** The variant of a user: the first whose cumulative split weight exceeds the user's point. */
export function assignVariant(experimentName: string, userHash: string, variants: readonly string[], split: readonly number[]): string {
  validateExperiment({ variants, traffic_split: split });
  const h = assignmentPoint(experimentName, userHash);
  let cumulative = 0;
  for (let i = 0; i < variants.length; i++) {
    cumulative += split[i]!;
    if (h < cumulative) return variants[i]!;
  }
  // Only reachable when the weights sum to slightly under 1: give it to the last weighted variant.
  for (let i = variants.length - 1; i >= 0; i--) if (split[i]! > 0) return variants[i]!;
  return variants.at(-1)!;
}

export interface ExperimentDefinition {
  variants: readonly string[];
  traffic_split: readonly number[];
}

/** Throws `AppError.invalid` naming the offending field when the definition is unusable. */
export function validateExperiment(def: ExperimentDefinition): void {
  const { variants, traffic_split: split } = def;
  if (!Array.isArray(variants) || variants.length < 2) throw AppError.invalid('variants', 'must list at least 2 variants');
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    if (typeof v !== 'string' || v.trim() === '') throw AppError.invalid(`variants.${i}`, 'must be a non-empty string');
    if (seen.has(v)) throw AppError.invalid(`variants.${i}`, `duplicate variant name "${v}"`);
    seen.add(v);
  });
  if (!Array.isArray(split) || split.length !== variants.length) {
    throw AppError.invalid(
      'traffic_split',
      `must have one weight per variant (${variants.length} variants, ${Array.isArray(split) ? split.length : 0} weights)`,
    );
  }
  let sum = 0;
  split.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isFinite(w)) throw AppError.invalid(`traffic_split.${i}`, 'must be a finite number');
    if (w < 0) throw AppError.invalid(`traffic_split.${i}`, 'must be >= 0');
    sum += w;
  });
  if (Math.abs(sum - 1) > SPLIT_TOLERANCE) throw AppError.invalid('traffic_split', `must sum to 1 (sums to ${sum})`);
}

/** One recorded outcome. */
interface OutcomeValue {
  variant: string;
  value: number;
}

/** Outcomes already aggregated per variant (e.g. by SQL GROUP BY). */
export interface OutcomeSums {
  variant: string;
  n: number;
  sum: number;
  sumSq: number;
}

export interface ExperimentResultsInput {
  /** Either one row per outcome, or one aggregated row per variant. */
  outcomes: readonly OutcomeValue[] | readonly OutcomeSums[];
  /** Variant names; `variants[0]` is the control. */
  variants: readonly string[];
  minSampleSize: number;
  /** Significance level; default 0.05. */
  alpha?: number;
  /** Whether a larger metric is better (default) or a smaller one. */
  direction?: 'higher' | 'lower';
}

interface VariantSummary {
  variant: string;
  n: number;
  /** null when n = 0. */
  mean: number | null;
  /** Sample standard deviation; null when n < 2. */
  std_dev: number | null;
}

interface VariantComparison {
  variant: string;
  control: string;
  /** Welch t of (variant − control); null when either side has n < 2 or when t is infinite (both sides constant). */
  t: number | null;
  df: number | null;
  p_value: number | null;
  /** (mean_variant − mean_control) / |mean_control|; null when the control mean is 0 or missing. */
  lift: number | null;
  significant: boolean;
}

export interface ExperimentResults {
  control: string;
  alpha: number;
  min_sample_size: number;
  direction: 'higher' | 'lower';
  variants: VariantSummary[];
  comparisons: VariantComparison[];
  winner: string | null;
  decision: string;
  /** Outcomes whose variant is not part of the experiment. */
  ignored_outcomes: number;
}

interface Acc {
  n: number;
  sum: number;
  sumSq: number;
}

export function experimentResults(input: ExperimentResultsInput): ExperimentResults {
  const { variants, minSampleSize } = input;
  const alpha = input.alpha ?? 0.05;
  const direction = input.direction ?? 'higher';
  if (variants.length < 2) throw AppError.invalid('variants', 'must list at least 2 variants');
  if (!(alpha > 0 && alpha < 1)) throw AppError.invalid('alpha', 'must be in (0, 1)');
  if (!Number.isInteger(minSampleSize) || minSampleSize < 1) {
    throw AppError.invalid('min_sample_size', 'must be an integer >= 1');
  }

  const acc = new Map<string, Acc>(variants.map((v) => [v, { n: 0, sum: 0, sumSq: 0 }]));
  let ignored = 0;
  for (const o of input.outcomes) {
    const a = acc.get(o.variant);
    if ('value' in o) {
      if (!a) {
        ignored += 1;
        continue;
      }
      a.n += 1;
      a.sum += o.value;
      a.sumSq += o.value * o.value;
    } else {
      if (!a) {
        ignored += o.n;
        continue;
      }
      a.n += o.n;
      a.sum += o.sum;
      a.sumSq += o.sumSq;
    }
  }

  const summaries = variants.map((v) => summarise(v, acc.get(v)!));
  const control = summaries[0]!;
  const controlStats = toSample(acc.get(control.variant)!);
  const comparisons: VariantComparison[] = summaries.slice(1).map((s) => {
    const welch = welchTTest(toSample(acc.get(s.variant)!), controlStats);
    const lift = s.mean !== null && control.mean !== null && control.mean !== 0 ? (s.mean - control.mean) / Math.abs(control.mean) : null;
    const enough = s.n >= minSampleSize && control.n >= minSampleSize;
    return {
      variant: s.variant,
      control: control.variant,
      t: welch && Number.isFinite(welch.t) ? welch.t : null,
      df: welch ? welch.df : null,
      p_value: welch ? welch.pValue : null,
      lift,
      significant: welch !== null && enough && welch.pValue < alpha,
    };
  });

  const { winner, decision } = decide(summaries, comparisons, minSampleSize, alpha, direction);
  return {
    control: control.variant,
    alpha,
    min_sample_size: minSampleSize,
    direction,
    variants: summaries,
    comparisons,
    winner,
    decision,
    ignored_outcomes: ignored,
  };
}

function summarise(variant: string, a: Acc): VariantSummary {
  const { mean, variance } = toSample(a);
  return { variant, n: a.n, mean: a.n > 0 ? mean : null, std_dev: a.n > 1 ? Math.sqrt(variance) : null };
}

function toSample(a: Acc): { n: number; mean: number; variance: number } {
  if (a.n <= 0) return { n: 0, mean: 0, variance: 0 };
  const mean = a.sum / a.n;
  const variance = a.n < 2 ? 0 : Math.max(0, (a.sumSq - a.n * mean * mean) / (a.n - 1));
  return { n: a.n, mean, variance };
}

function decide(
  summaries: VariantSummary[],
  comparisons: VariantComparison[],
  minSampleSize: number,
  alpha: number,
  direction: 'higher' | 'lower',
): { winner: string | null; decision: string } {
  const control = summaries[0]!;
  const meanOf = new Map(summaries.map((s) => [s.variant, s.mean ?? 0]));
  const better = (a: number, b: number): boolean => (direction === 'higher' ? a > b : a < b);
  const controlMean = control.mean ?? 0;

  const significantBetter = comparisons.filter((c) => c.significant && better(meanOf.get(c.variant)!, controlMean));
  if (significantBetter.length > 0) {
    const best = significantBetter.reduce((x, y) => (better(meanOf.get(y.variant)!, meanOf.get(x.variant)!) ? y : x));
    const others = significantBetter.length > 1 ? ` (best of ${significantBetter.length} variants that beat ${control.variant})` : '';
    return {
      winner: best.variant,
      decision:
        `${best.variant} beats ${control.variant}${others}: mean ${fmt(meanOf.get(best.variant)!)} vs ${fmt(controlMean)}` +
        `${best.lift !== null ? `, lift ${fmtPct(best.lift)}` : ''}, p = ${fmtP(best.p_value!)} < ${alpha}.`,
    };
  }
  if (comparisons.every((c) => c.significant)) {
    return {
      winner: control.variant,
      decision: `${control.variant} (control) is significantly better than every other variant at alpha ${alpha}.`,
    };
  }

  const short = summaries.filter((s) => s.n < minSampleSize);
  if (short.length > 0) {
    const list = short.map((s) => `${s.variant} has ${s.n}`).join(', ');
    return { winner: null, decision: `needs at least ${minSampleSize} outcomes per variant; ${list}.` };
  }
  const pValues = comparisons.map((c) => c.p_value).filter((p): p is number => p !== null);
  const smallest = pValues.length > 0 ? `; smallest p = ${fmtP(Math.min(...pValues))}` : '';
  const worse = comparisons.filter((c) => c.significant).map((c) => c.variant);
  const worseNote = worse.length > 0 ? ` (${worse.join(', ')} significantly worse than ${control.variant})` : '';
  return {
    winner: null,
    decision: `no variant is significantly better than ${control.variant} at alpha ${alpha}${smallest}${worseNote}.`,
  };
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

function fmtPct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}

function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : Number(p.toPrecision(2)).toString();
}
