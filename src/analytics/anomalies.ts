/**
 * Anomaly detection: compares each skill's recent window with its own
 * baseline window (two separate, non-overlapping periods chosen by the caller)
 * on two metrics, success rate and mean duration, and flags deviations that
 * are large relative to the sampling noise of BOTH samples: the baseline is a
 * sample too (as few as min_baseline = 20 invocations), not the true value.
 */
import { AppError } from '../errors.js';
import { benjaminiHochberg, studentTTwoSidedP } from './fdr.js';
import { roundMs, roundRate, roundScore } from './round.js';
import { momentsFromSums } from './stats.js';
import type { HourlyRollup } from './types.js';

type AnomalyMetric = 'success_rate' | 'duration';
type AnomalySeverity = 'warning' | 'critical';
type AnomalyDirection = 'up' | 'down';

interface Anomaly {
  skill_name: string;
  metric: AnomalyMetric;
  /** Baseline success rate (0–1) or baseline mean duration (ms). */
  baseline_value: number;
  /** Recent success rate (0–1) or recent mean duration (ms). */
  observed_value: number;
  /** |z_score|, rounded to 2 decimals. */
  deviation_score: number;
  /**
   * Signed two-sample statistic (recent − baseline over the standard error of
   * that difference, counting both samples' noise), rounded to 2 decimals:
   * success rate: pooled two-proportion z (see twoProportionZ);
   * duration: Student's pooled two-sample t (see durationT).
   */
  z_score: number;
  /** 'up' when the recent value is higher than the baseline (for duration: slower). */
  direction: AnomalyDirection;
  severity: AnomalySeverity;
  recent_invocations: number;
  baseline_invocations: number;
}

interface InsufficientData {
  skill_name: string;
  recent_invocations: number;
  baseline_invocations: number;
}

export interface AnomalyReport {
  /** `now`, ISO 8601 (UTC). */
  detected_at: string;
  /** |z_score| (z, or t for duration) at or above which a deviation is a 'warning'. */
  threshold: number;
  /** |z_score| at or above which a deviation is 'critical' (1.5 × threshold). */
  critical_threshold: number;
  min_recent: number;
  min_baseline: number;
  /** Skills with enough data in both windows. */
  skills_checked: number;
  /** False discovery rate controlled across the run's tests (Benjamini–Hochberg level). */
  fdr_q: number;
  /** Hypotheses tested in this run: 2 per checked skill (success rate, duration). */
  tests: number;
  /** Sorted by deviation_score (largest first), then skill name, then metric. */
  anomalies: Anomaly[];
  /** Skills seen in either window with too few invocations in one of them; sorted by name. */
  insufficient_data: InsufficientData[];
  /** Plain-language statement of the rule applied. */
  rule: string;
}

export interface DetectAnomaliesInput {
  /** Hourly rows of the recent window (any skills). */
  recent: readonly HourlyRollup[];
  /** Hourly rows of the baseline window; must not overlap the recent window. */
  baseline: readonly HourlyRollup[];
  /** |z_score| (z, or t for duration) at or above which a deviation is reported; must be > 0. */
  threshold: number;
  /** Epoch ms; reported as detected_at. */
  now: number;
  /** Minimum invocations in the recent window (default 5). */
  minRecent?: number;
  /** Minimum invocations in the baseline window (default 20). */
  minBaseline?: number;
  /** Benjamini–Hochberg level across all skill × metric tests of the run (default DEFAULT_FDR_Q). */
  fdrQ?: number;
}

/**
 * Default false discovery rate of one detection run. With no real change in
 * any skill, at most this share of runs report anything (see fdr.ts and the
 * null experiment in bench/anomaly-fdr.ts).
 */
export const DEFAULT_FDR_Q = 0.005;

/** A pooled duration standard deviation below this is raised to it (durations are recorded in whole ms). */
const DURATION_SD_FLOOR_MS = 1;

export interface WindowAggregate {
  n: number;
  successes: number;
  /** Of n, the invocations with a measured duration: the duration sums are theirs. */
  timed: number;
  durationSum: number;
  durationSqSum: number;
}

function aggregate(rows: readonly HourlyRollup[]): Map<string, WindowAggregate> {
  const bySkill = new Map<string, WindowAggregate>();
  for (const r of rows) {
    let a = bySkill.get(r.skill);
    if (!a) {
      a = { n: 0, successes: 0, timed: 0, durationSum: 0, durationSqSum: 0 };
      bySkill.set(r.skill, a);
    }
    a.n += r.invocations;
    a.successes += r.successes;
    a.timed += r.timed;
    a.durationSum += r.durationSum;
    a.durationSqSum += r.durationSqSum;
  }
  return bySkill;
}

/**
 * One-sample z score of an observed proportion against a reference proportion
 * taken as exact (used by the community comparison in baselines.ts, whose
 * reference is the whole community; anomaly detection uses twoProportionZ).
 *
 * z = (p_observed − p_reference) / sqrt(p_var · (1 − p_var) / n_observed): the
 * binomial standard error of a proportion measured on n_observed trials if the
 * true rate were the reference rate.
 *
 * Floor: when the reference rate is 0 or 1 the binomial variance would be 0 and
 * any single change infinitely significant, so p_var is the reference rate
 * clamped to [0.5 / n_reference, 1 − 0.5 / n_reference] (as if half a success,
 * or half a failure, had been observed in the reference sample). The
 * numerator uses the unclamped reference rate.
 */
export function proportionZ(pObserved: number, nObserved: number, pReference: number, nReference: number): number {
  const pVar = clampedRate(pReference, nReference);
  return (pObserved - pReference) / Math.sqrt((pVar * (1 - pVar)) / nObserved);
}

/** The reference rate clamped to [0.5 / n, 1 − 0.5 / n] (see proportionZ). */
function clampedRate(p: number, n: number): number {
  const lo = 0.5 / n;
  return Math.min(Math.max(p, lo), 1 - lo);
}

/**
 * Pooled two-proportion z of the recent success rate against the baseline
 * success rate, both measured (neither taken as exact):
 *
 *   z = (p_recent − p_base) / sqrt(p_pool · (1 − p_pool) · (1/n_recent + 1/n_base)),
 *   p_pool = (successes_recent + successes_base) / (n_recent + n_base).
 *
 * p_pool is 0 or 1 only when every invocation of both windows failed or every
 * one succeeded; then the two rates are equal and z = 0. No other floor is
 * needed (a baseline rate of 0 or 1 with a different recent rate has
 * 0 < p_pool < 1).
 */
export function twoProportionZ(successesRecent: number, nRecent: number, successesBase: number, nBase: number): number {
  const diff = successesRecent / nRecent - successesBase / nBase;
  const pool = (successesRecent + successesBase) / (nRecent + nBase);
  const se = Math.sqrt(pool * (1 - pool) * (1 / nRecent + 1 / nBase));
  return se > 0 ? diff / se : 0;
}

/**
 * Two-sided p-value of Fisher's exact test on the 2 × 2 table
 * (successes, failures) × (recent, baseline): with all margins fixed, the
 * recent successes X are hypergeometric (n_recent drawn from the
 * n_recent + n_base invocations, of which all successes count as marked);
 * p = P(a table no more likely than the observed one) = Σ P(X = x) over the x
 * with P(X = x) ≤ P(X = observed) (relative tolerance 1e-7 for ties, as R's
 * fisher.test and scipy). Exact for any sample sizes (never
 * anti-conservative), so valid down to min_recent = 1.
 *
 * The probabilities are built by their ratio recurrence outward from the mode
 * (weight 1) and normalised at the end; far-tail terms below ~1e-308 of the
 * mode's underflow to 0, so the smallest p-value is 0 rather than denormal.
 */
export function fisherExactTwoSidedP(successesRecent: number, nRecent: number, successesBase: number, nBase: number): number {
  const n = nRecent + nBase;
  const k = successesRecent + successesBase;
  const failures = n - k;
  const lo = Math.max(0, nRecent - failures);
  const hi = Math.min(nRecent, k);
  if (hi <= lo) return 1;
  const w = new Array<number>(hi - lo + 1).fill(0);
  const mode = Math.min(hi, Math.max(lo, Math.floor(((nRecent + 1) * (k + 1)) / (n + 2))));
  w[mode - lo] = 1;
  // P(x + 1) / P(x) = (k − x)(n_recent − x) / ((x + 1)(failures − n_recent + x + 1))
  for (let x = mode; x < hi; x++) w[x + 1 - lo] = (w[x - lo]! * (k - x) * (nRecent - x)) / ((x + 1) * (failures - nRecent + x + 1));
  // P(x − 1) / P(x) = x (failures − n_recent + x) / ((k − x + 1)(n_recent − x + 1))
  for (let x = mode; x > lo; x--) w[x - 1 - lo] = (w[x - lo]! * x * (failures - nRecent + x)) / ((k - x + 1) * (nRecent - x + 1));
  const observed = w[successesRecent - lo]! * (1 + 1e-7);
  let total = 0;
  let tail = 0;
  for (const v of w) {
    total += v;
    if (v <= observed) tail += v;
  }
  return Math.min(1, tail / total);
}

/**
 * Student's two-sample t (pooled variance) of the recent mean duration against
 * the baseline mean duration, and the degrees of freedom of its p-value:
 *
 *   t  = (mean_recent − mean_base) / (s_pool · sqrt(1/n_recent + 1/n_base))
 *   s_pool² = ((n_recent − 1) · s_recent² + (n_base − 1) · s_base²) / (n_recent + n_base − 2)
 *   df = n_recent − 1
 *
 * s_recent², s_base² are the sample variances (n − 1 denominators, from the
 * rollup sums: momentsFromSums). The error of both means counts (the baseline
 * is a sample too, as small as min_baseline); the spread is estimated from
 * both windows together, as the hypothesis tested is that the skill did not
 * change, so that both windows draw from one distribution.
 *
 * df: for normal durations t has n_recent + n_base − 2 df; the p-value uses
 * the smaller n_recent − 1, which widens the tails when the recent window is
 * small. Durations are right-skewed (log-normal-like), and the mean of a few
 * of them has a heavier upper tail than a normal mean; with n_recent + n_base
 * − 2 df, 25 of 500 stable datasets of bench/anomaly-fdr.ts had a false
 * "slower" anomaly in the 3-hour window, with n_recent − 1 df 1 of 500. The
 * p-value is only larger (conservative), and the difference fades as
 * n_recent grows.
 *
 * Why not Welch's unequal-variance t: it estimates the recent window's spread
 * from the recent window alone, often 5 to 30 skewed durations whose sd is
 * small exactly when their mean is low by chance: on the same stable data it
 * reported a false "faster" anomaly in 9 (24-hour window) and 12 (3-hour) of
 * 100 runs, and it lost slowdowns that hit part of the window.
 *
 * Floor: s_pool is raised to at least 1 ms (durations are whole ms), so two
 * constant windows give t = 0 when their means are equal and a large but
 * finite t when they differ. One recent invocation (minRecent = 1) adds
 * nothing to the spread (s_pool = s_base) and has df = 0, so p = 1: a single
 * duration is never a mean-duration anomaly.
 */
export function durationT(recent: WindowAggregate, base: WindowAggregate): { t: number; df: number; meanRecent: number; meanBase: number } {
  const r = momentsFromSums(recent.timed, recent.durationSum, recent.durationSqSum);
  const b = momentsFromSums(base.timed, base.durationSum, base.durationSqSum);
  const pooledDf = recent.timed + base.timed - 2;
  const pooledVariance = pooledDf > 0 ? ((recent.timed - 1) * r.variance + (base.timed - 1) * b.variance) / pooledDf : 0;
  const sd = Math.max(Math.sqrt(pooledVariance), DURATION_SD_FLOOR_MS);
  const t = (r.mean - b.mean) / (sd * Math.sqrt(1 / recent.timed + 1 / base.timed));
  return { t, df: recent.timed - 1, meanRecent: r.mean, meanBase: b.mean };
}

function severityOf(absZ: number, threshold: number): AnomalySeverity | null {
  if (absZ >= 1.5 * threshold) return 'critical';
  if (absZ >= threshold) return 'warning';
  return null;
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw AppError.invalid(field, 'must be an integer >= 1');
  return value;
}

/**
 * Detect success-rate and duration anomalies per skill.
 *
 * Rule: a skill is checked only when it has at least `minRecent` invocations
 * in the recent window and `minBaseline` in the baseline window; otherwise it
 * is listed in `insufficient_data` with its counts. For each checked skill a
 * two-sample statistic and two-sided p-value per metric: success rate, pooled
 * two-proportion z with Fisher's exact p (twoProportionZ,
 * fisherExactTwoSidedP); duration, Student's pooled two-sample t with the
 * Student t p at n_recent − 1 df (durationT). All tests of the run form one
 * family: a deviation is reported only when Benjamini–Hochberg at `fdrQ`
 * rejects it (fdr.ts) and |z_score| (z or t) ≥ threshold.
 * |z_score| ≥ 1.5 × threshold is 'critical', else 'warning'.
 * direction is the sign of recent − baseline.
 */
export function detectAnomalies(input: DetectAnomaliesInput): AnomalyReport {
  const { recent, baseline, threshold, now } = input;
  if (!Number.isFinite(threshold) || threshold <= 0) throw AppError.invalid('threshold', 'must be a number > 0');
  if (!Number.isFinite(now)) throw AppError.invalid('now', 'must be a finite epoch ms');
  const minRecent = positiveInteger(input.minRecent ?? 5, 'minRecent');
  const minBaseline = positiveInteger(input.minBaseline ?? 20, 'minBaseline');
  const fdrQ = input.fdrQ ?? DEFAULT_FDR_Q;
  if (!(fdrQ > 0 && fdrQ < 1)) throw AppError.invalid('fdrQ', 'must be a number between 0 and 1 (exclusive)');

  const recentBySkill = aggregate(recent);
  const baseBySkill = aggregate(baseline);
  const skills = [...new Set([...recentBySkill.keys(), ...baseBySkill.keys()])].sort(compareNames);
  const empty: WindowAggregate = { n: 0, successes: 0, timed: 0, durationSum: 0, durationSqSum: 0 };

  const tested: Array<Anomaly & { absZ: number; p: number }> = [];
  const insufficient: InsufficientData[] = [];
  let checked = 0;

  for (const skill of skills) {
    const r = recentBySkill.get(skill) ?? empty;
    const b = baseBySkill.get(skill) ?? empty;
    if (r.n < minRecent || b.n < minBaseline) {
      insufficient.push({ skill_name: skill, recent_invocations: r.n, baseline_invocations: b.n });
      continue;
    }
    checked++;

    const candidates: Array<{ metric: AnomalyMetric; z: number; p: number; base: number; observed: number }> = [];
    candidates.push({
      metric: 'success_rate',
      z: twoProportionZ(r.successes, r.n, b.successes, b.n),
      p: fisherExactTwoSidedP(r.successes, r.n, b.successes, b.n),
      base: roundRate(b.successes / b.n),
      observed: roundRate(r.successes / r.n),
    });
    // Durations are compared over the measured invocations only, with the same minimum counts.
    if (r.timed >= minRecent && b.timed >= minBaseline) {
      const d = durationT(r, b);
      candidates.push({ metric: 'duration', z: d.t, p: studentTTwoSidedP(d.t, d.df), base: roundMs(d.meanBase), observed: roundMs(d.meanRecent) });
    }

    for (const c of candidates) {
      const absZ = Math.abs(c.z);
      tested.push({
        skill_name: skill,
        metric: c.metric,
        baseline_value: c.base,
        observed_value: c.observed,
        deviation_score: roundScore(absZ),
        z_score: roundScore(c.z),
        direction: c.z > 0 ? 'up' : 'down',
        severity: 'warning',
        recent_invocations: r.n,
        baseline_invocations: b.n,
        absZ,
        p: c.p,
      });
    }
  }

  // A deviation is reported when it is a discovery across the whole run (BH at fdrQ) and |z| >= threshold.
  const bh = benjaminiHochberg(
    tested.map((t) => t.p),
    fdrQ,
  );
  const found: Array<Anomaly & { absZ: number }> = [];
  tested.forEach(({ p: _p, ...t }, i) => {
    const severity = severityOf(t.absZ, threshold);
    if (severity !== null && bh.rejected[i]) found.push({ ...t, severity });
  });
  found.sort((x, y) => y.absZ - x.absZ || compareNames(x.skill_name, y.skill_name) || compareNames(x.metric, y.metric));

  return {
    detected_at: new Date(now).toISOString(),
    threshold,
    critical_threshold: 1.5 * threshold,
    min_recent: minRecent,
    min_baseline: minBaseline,
    skills_checked: checked,
    fdr_q: fdrQ,
    tests: tested.length,
    anomalies: found.map(({ absZ: _absZ, ...a }) => a),
    insufficient_data: insufficient,
    rule:
      `Each skill's recent window is compared with its baseline window when it has >= ${minRecent} recent and ` +
      `>= ${minBaseline} baseline invocations; both windows are samples. Success rate: pooled two-proportion ` +
      `z = (p_recent - p_base) / sqrt(p(1-p)(1/n_recent + 1/n_base)), p = (successes_recent + successes_base) / ` +
      `(n_recent + n_base); p-value: Fisher's exact test, two-sided (sum over tables no more likely than the ` +
      `observed one). Duration, over the invocations whose duration was measured (tested when they alone reach ` +
      `the same minimum counts): Student's pooled two-sample t = (mean_recent - mean_base) / ` +
      `(s * sqrt(1/n_recent + 1/n_base)), s^2 = ((n_recent - 1) s_recent^2 + (n_base - 1) s_base^2) / ` +
      `(n_recent + n_base - 2), s at least ${DURATION_SD_FLOOR_MS} ms; p-value: Student t, two-sided, ` +
      `n_recent - 1 df (conservative for skewed durations). A deviation is reported only when its p-value is a ` +
      `discovery of the Benjamini-Hochberg procedure at q = ${fdrQ} over all ` +
      `${tested.length} skill x metric tests of this run (false discovery rate <= ${fdrQ}) and |z| (|t| for duration) >= ${threshold}; ` +
      `>= ${roundScore(1.5 * threshold)} is critical, otherwise a warning.`,
  };
}

/** Plain code-unit order, so the result does not depend on the machine's locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
