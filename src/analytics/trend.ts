/**
 * Trend of one skill over time: a complete, zero-filled series of hourly or
 * daily buckets plus two straight-line fits, one on the success rate (is the
 * skill getting better or worse?) and one on the number of invocations (is it
 * used more or less?).
 */
import { AppError } from '../errors.js';
import { roundCoef, roundMs, roundPValue, roundRate, roundTo } from './round.js';
import { studentTTwoSidedP } from './stats.js';
import type { HourlyRollup } from './types.js';
import { HOUR_MS } from './types.js';

type TrendGranularity = 'hour' | 'day';

export const DAY_MS = 24 * HOUR_MS;
/** Largest series we build (a year of hours is 8 784 buckets). */
const MAX_TREND_BUCKETS = 10_000;
/** Two-sided p-value below which a slope counts as a real trend. */
const TREND_SIGNIFICANCE = 0.05;
/** Fewer fitted points than this gives 'insufficient_data'. */
const MIN_TREND_POINTS = 3;

interface TrendPoint {
  /** Start of the bucket, ISO 8601 (UTC; day buckets start at 00:00 UTC). */
  bucket_start: string;
  invocations: number;
  successes: number;
  /** successes / invocations; null when the bucket has no invocations. */
  success_rate: number | null;
  /** Mean duration; null when the bucket has no invocations. */
  avg_duration_ms: number | null;
}

interface LineFit<C extends string> {
  /** Change of the fitted value per bucket; null when insufficient_data. */
  slope_per_bucket: number | null;
  /** Fitted value at bucket index 0 (the first bucket of the series); null when insufficient_data. */
  intercept: number | null;
  /** Share of variance explained; null when insufficient_data or when all fitted values are equal. */
  r_squared: number | null;
  /** Number of buckets used in the fit. */
  n_points: number;
  /** Two-sided p-value of the slope (t = slope / SE, df = n_points − 2); null when insufficient_data. */
  p_value: number | null;
  /** The fitted line at the first fitted bucket (clamped to the metric's range); null when insufficient_data. */
  start_value: number | null;
  /** The fitted line at the last fitted bucket (clamped likewise); null when insufficient_data. */
  end_value: number | null;
  /**
   * The mean of the last third of the fitted values against the mean of the first third (see thirdsChange),
   * in percent of the first, one decimal; null when insufficient_data or the first third's mean is 0.
   */
  change_percent: number | null;
  /** Why change_percent is null; null when it is not. */
  change_note: string | null;
  classification: C | 'insufficient_data';
}

export interface SkillTrend {
  granularity: TrendGranularity;
  /** Start of the first bucket, ISO 8601. */
  from: string;
  /** End (exclusive) of the last bucket, ISO 8601. */
  to: string;
  points: TrendPoint[];
  /** Fit of success rate on bucket index over the non-empty buckets. */
  success_rate_trend: LineFit<'improving' | 'declining' | 'stable'>;
  /** Fit of invocations on bucket index over all buckets (empty ones count as 0). */
  usage_trend: LineFit<'rising' | 'falling' | 'flat'>;
  significance_rule: string;
}

export interface SkillTrendInput {
  /** Hourly rollup rows of one skill; rows outside the range are ignored. */
  rows: readonly HourlyRollup[];
  granularity: TrendGranularity;
  /** Range start, epoch ms (inclusive); widened down to the start of its bucket. */
  fromMs: number;
  /** Range end, epoch ms (exclusive); widened up to the end of its bucket. */
  toMs: number;
}

interface RawFit {
  slope: number;
  intercept: number;
  rSquared: number | null;
  pValue: number;
}

/**
 * Ordinary (unweighted) least squares of y on x, with the two-sided p-value
 * of the slope from Student's t (t = slope / SE(slope), df = n − 2).
 * Requires n ≥ 3. When all y are equal the slope is 0, r² is undefined (null)
 * and p = 1. A perfect non-flat fit has SE = 0 and p = 0.
 */
export function fitLine(xs: readonly number[], ys: readonly number[]): RawFit {
  const n = xs.length;
  if (n !== ys.length || n < MIN_TREND_POINTS) throw AppError.invalid('points', `need at least ${MIN_TREND_POINTS} (x, y) pairs`);
  const y0 = ys[0]!;
  if (ys.every((y) => y === y0)) return { slope: 0, intercept: y0, rSquared: null, pValue: 1 };

  let xm = 0;
  let ym = 0;
  for (let i = 0; i < n; i++) {
    xm += xs[i]!;
    ym += ys[i]!;
  }
  xm /= n;
  ym /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - xm;
    const dy = ys[i]! - ym;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw AppError.invalid('points', 'x values must not all be equal');
  const slope = sxy / sxx;
  const intercept = ym - slope * xm;
  let ssRes = 0;
  for (let i = 0; i < n; i++) ssRes += (ys[i]! - (intercept + slope * xs[i]!)) ** 2;
  const rSquared = Math.min(1, Math.max(0, 1 - ssRes / syy));
  const se = Math.sqrt(ssRes / (n - 2) / sxx);
  const pValue = se === 0 ? 0 : studentTTwoSidedP(slope / se, n - 2);
  return { slope, intercept, rSquared, pValue };
}

/**
 * Start and end of a fit: the fitted line at the first and the last fitted x,
 * clamped to [min, max] (a success rate stays within [0, 1], a count >= 0).
 * They describe the line, not the change: a series that takes off late has a
 * fitted start near (or clamped to) 0, and a percentage of it means nothing
 * (see thirdsChange).
 */
export function fitChange(
  fit: { slope: number; intercept: number },
  firstX: number,
  lastX: number,
  bounds: { min: number; max: number },
): { start: number; end: number } {
  const at = (x: number) => Math.min(bounds.max, Math.max(bounds.min, fit.intercept + fit.slope * x));
  return { start: at(firstX), end: at(lastX) };
}

/**
 * The change from the start to the end of a series (n >= 1 values, in order):
 * the mean of its last k = ⌈n/3⌉ values against the mean of its first k (for
 * n >= 3 the two thirds never overlap), in percent of the first. Means of
 * observed values, not the fitted line, so a series that rises late is
 * compared with what it really started from. Null, with the reason, when the
 * first third's mean is 0 (a change from 0 has no percentage).
 */
export function thirdsChange(ys: readonly number[]): { k: number; first: number; last: number; changePercent: number | null; note: string | null } {
  const n = ys.length;
  if (n === 0) throw AppError.invalid('points', 'need at least one value');
  const k = Math.ceil(n / 3);
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const first = mean(ys.slice(0, k));
  const last = mean(ys.slice(n - k));
  if (first === 0) {
    return { k, first, last, changePercent: null, note: `the first third of the fitted buckets (${k} of ${n}) averages 0: a change from 0 has no percentage` };
  }
  return { k, first, last, changePercent: ((last - first) / Math.abs(first)) * 100, note: null };
}

function classify<C extends string>(
  xs: readonly number[],
  ys: readonly number[],
  labels: { up: C; down: C; none: C },
  bounds: { min: number; max: number },
): LineFit<C> {
  if (xs.length < MIN_TREND_POINTS) {
    return {
      slope_per_bucket: null,
      intercept: null,
      r_squared: null,
      n_points: xs.length,
      p_value: null,
      start_value: null,
      end_value: null,
      change_percent: null,
      change_note: `fewer than ${MIN_TREND_POINTS} fitted buckets`,
      classification: 'insufficient_data',
    };
  }
  const f = fitLine(xs, ys);
  const significant = f.pValue < TREND_SIGNIFICANCE;
  const ends = fitChange(f, xs[0]!, xs[xs.length - 1]!, bounds);
  const change = thirdsChange(ys);
  return {
    slope_per_bucket: roundCoef(f.slope),
    intercept: roundCoef(f.intercept),
    r_squared: roundRate(f.rSquared),
    n_points: xs.length,
    p_value: roundPValue(f.pValue),
    start_value: roundCoef(ends.start),
    end_value: roundCoef(ends.end),
    change_percent: change.changePercent === null ? null : roundTo(change.changePercent, 1),
    change_note: change.note,
    classification: significant && f.slope > 0 ? labels.up : significant && f.slope < 0 ? labels.down : labels.none,
  };
}

/** The two fits of skillTrend without the series of points (what a caller that shows only the classifications needs). */
export function skillTrendFits(input: SkillTrendInput): Pick<SkillTrend, 'success_rate_trend' | 'usage_trend'> {
  return trendParts(input);
}

function trendParts(input: SkillTrendInput) {
  const { rows, granularity, fromMs, toMs } = input;
  if (granularity !== 'hour' && granularity !== 'day') throw AppError.invalid('granularity', "must be 'hour' or 'day'");
  if (!Number.isFinite(fromMs)) throw AppError.invalid('fromMs', 'must be a finite epoch ms');
  if (!Number.isFinite(toMs) || toMs <= fromMs) throw AppError.invalid('toMs', 'must be a finite epoch ms after fromMs');
  const skills = new Set(rows.map((r) => r.skill));
  if (skills.size > 1) throw AppError.invalid('rows', 'must all belong to one skill');

  const bucketMs = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const first = Math.floor(fromMs / bucketMs);
  const count = Math.floor((toMs - 1) / bucketMs) - first + 1;
  if (count > MAX_TREND_BUCKETS) {
    throw AppError.invalid('toMs', `range must span at most ${MAX_TREND_BUCKETS} ${granularity} buckets`);
  }

  const buckets = Array.from({ length: count }, () => ({ invocations: 0, successes: 0, timed: 0, durationSum: 0 }));
  for (const r of rows) {
    const i = Math.floor((r.hour * HOUR_MS) / bucketMs) - first;
    const b = buckets[i];
    if (!b) continue; // outside the range
    b.invocations += r.invocations;
    b.successes += r.successes;
    b.timed += r.timed;
    b.durationSum += r.durationSum;
  }

  const rateX: number[] = [];
  const rateY: number[] = [];
  buckets.forEach((b, i) => {
    if (b.invocations > 0) {
      rateX.push(i);
      rateY.push(b.successes / b.invocations);
    }
  });
  const allX = buckets.map((_, i) => i);
  const usageY = buckets.map((b) => b.invocations);
  return {
    bucketMs,
    first,
    count,
    buckets,
    success_rate_trend: classify(rateX, rateY, { up: 'improving', down: 'declining', none: 'stable' }, { min: 0, max: 1 }),
    usage_trend: classify(allX, usageY, { up: 'rising', down: 'falling', none: 'flat' }, { min: 0, max: Infinity }),
  };
}

/**
 * Build the trend of one skill.
 *
 * Series: one bucket per hour or per UTC day from the bucket containing fromMs
 * to the bucket containing toMs − 1; buckets without invocations are present
 * with invocations 0 and success_rate / avg_duration_ms null; avg_duration_ms
 * is over the invocations whose duration was measured (null when none was:
 * typed activations and unmatched hook calls have none). Hourly rows are
 * placed in the bucket containing their hour.
 *
 * Success-rate trend: ordinary least squares of success rate on bucket index
 * (0 = first bucket) over the non-empty buckets only, unweighted (a bucket
 * with 2 invocations counts as much as one with 200). Empty buckets keep their
 * index, so gaps stretch the x axis instead of being squeezed out.
 * 'improving' if slope > 0 and p < 0.05, 'declining' if slope < 0 and
 * p < 0.05, else 'stable'; 'insufficient_data' with fewer than 3 non-empty
 * buckets.
 *
 * Usage trend: the same fit of invocations on bucket index over all buckets
 * (empty ones as 0): 'rising', 'falling' or 'flat' by the same rule;
 * 'insufficient_data' with fewer than 3 buckets.
 *
 * change_percent of either: the mean of the last third of the fitted values
 * against the mean of the first third (thirdsChange), not the fitted line's
 * ends, which can start near 0 and turn a real rise into a meaningless figure.
 */
export function skillTrend(input: SkillTrendInput): SkillTrend {
  const { granularity } = input;
  const { bucketMs, first, count, buckets, success_rate_trend, usage_trend } = trendParts(input);
  const points: TrendPoint[] = buckets.map((b, i) => ({
    bucket_start: new Date((first + i) * bucketMs).toISOString(),
    invocations: b.invocations,
    successes: b.successes,
    success_rate: b.invocations > 0 ? roundRate(b.successes / b.invocations) : null,
    avg_duration_ms: b.timed > 0 ? roundMs(b.durationSum / b.timed) : null,
  }));

  return {
    granularity,
    from: new Date(first * bucketMs).toISOString(),
    to: new Date((first + count) * bucketMs).toISOString(),
    points,
    success_rate_trend,
    usage_trend,
    significance_rule:
      `Unweighted least squares on bucket index (0 = first ${granularity}). Success rate uses non-empty buckets only; ` +
      `usage uses every bucket (empty = 0 invocations). A slope is a trend when its two-sided p-value ` +
      `(t = slope / SE, df = n - 2) is below ${TREND_SIGNIFICANCE}: success rate improving/declining, usage ` +
      `rising/falling; otherwise stable/flat. Fewer than ${MIN_TREND_POINTS} points: insufficient_data. ` +
      `start_value and end_value are the fitted line at the first and the last fitted bucket (success rate clamped ` +
      `to [0, 1], usage to >= 0). change_percent compares the mean of the last third of the fitted buckets with the ` +
      `mean of the first third (the first and the last ceil(n_points / 3) of them; success rates unweighted, as in ` +
      `the fit): (last - first) / first x 100, null when the first third averages 0 (change_note says why). It is ` +
      `not taken from the fitted line, whose start is near 0 for a skill that took off late.`,
  };
}
