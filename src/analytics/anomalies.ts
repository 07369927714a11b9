/**
 * Anomaly detection: compares each skill's recent window with its own
 * baseline window (two separate, non-overlapping periods chosen by the caller)
 * on two metrics, success rate and mean duration, and flags deviations that
 * are large relative to the sampling noise expected for the recent sample size.
 */
import { AppError } from '../errors.js';
import { benjaminiHochberg, binomialTwoSidedP, studentTTwoSidedP } from './fdr.js';
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
  /** |z|, rounded to 2 decimals. */
  deviation_score: number;
  /** Signed z (recent − baseline over its standard error), rounded to 2 decimals. */
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
  /** |z| at or above which a deviation is a 'warning'. */
  threshold: number;
  /** |z| at or above which a deviation is 'critical' (1.5 × threshold). */
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
  /** |z| at or above which a deviation is reported; must be > 0. */
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

/** Duration standard deviations below this are raised to it (durations are recorded in whole ms). */
const DURATION_SD_FLOOR_MS = 1;

interface WindowAggregate {
  n: number;
  successes: number;
  durationSum: number;
  durationSqSum: number;
}

function aggregate(rows: readonly HourlyRollup[]): Map<string, WindowAggregate> {
  const bySkill = new Map<string, WindowAggregate>();
  for (const r of rows) {
    let a = bySkill.get(r.skill);
    if (!a) {
      a = { n: 0, successes: 0, durationSum: 0, durationSqSum: 0 };
      bySkill.set(r.skill, a);
    }
    a.n += r.invocations;
    a.successes += r.successes;
    a.durationSum += r.durationSum;
    a.durationSqSum += r.durationSqSum;
  }
  return bySkill;
}

/**
 * z score of an observed proportion against a reference proportion.
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
 * z score of the recent mean duration against the baseline mean duration.
 *
 * z = (mean_recent − mean_base) / (sd_base / sqrt(n_recent)): the standard
 * error of a mean of n_recent durations drawn from the baseline distribution.
 * sd_base is the baseline sample standard deviation (from the rollup sums).
 *
 * Floor: sd_base is raised to at least 1 ms (durations are whole ms), so a
 * baseline with no spread gives z = 0 when the means are equal and a large but
 * finite z when they differ.
 */
function durationZ(recent: WindowAggregate, base: WindowAggregate): { z: number; meanRecent: number; meanBase: number } {
  const r = momentsFromSums(recent.n, recent.durationSum, recent.durationSqSum);
  const b = momentsFromSums(base.n, base.durationSum, base.durationSqSum);
  const sd = Math.max(Math.sqrt(b.variance), DURATION_SD_FLOOR_MS);
  return { z: (r.mean - b.mean) / (sd / Math.sqrt(recent.n)), meanRecent: r.mean, meanBase: b.mean };
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
 * is listed in `insufficient_data` with its counts. For each checked skill and
 * metric a z score is computed (see proportionZ and durationZ) and its
 * two-sided normal p-value. All tests of the run form one family: a deviation
 * is reported only when Benjamini–Hochberg at `fdrQ` rejects it (fdr.ts) and
 * |z| ≥ threshold. |z| ≥ 1.5 × threshold is 'critical', else 'warning'.
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
  const empty: WindowAggregate = { n: 0, successes: 0, durationSum: 0, durationSqSum: 0 };

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
      z: proportionZ(r.successes / r.n, r.n, b.successes / b.n, b.n),
      p: binomialTwoSidedP(r.successes, r.n, clampedRate(b.successes / b.n, b.n)),
      base: roundRate(b.successes / b.n),
      observed: roundRate(r.successes / r.n),
    });
    const d = durationZ(r, b);
    candidates.push({ metric: 'duration', z: d.z, p: studentTTwoSidedP(d.z, r.n - 1), base: roundMs(d.meanBase), observed: roundMs(d.meanRecent) });

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
      `>= ${minBaseline} baseline invocations. Success rate: z = (p_recent - p_base) / sqrt(p(1-p)/n_recent), ` +
      `p = baseline rate clamped to [0.5/n_base, 1 - 0.5/n_base]. Duration: z = (mean_recent - mean_base) / ` +
      `(sd_base/sqrt(n_recent)), sd_base at least ${DURATION_SD_FLOOR_MS} ms. A deviation is reported only when its ` +
      `two-sided normal p-value is a discovery of the Benjamini-Hochberg procedure at q = ${fdrQ} over all ` +
      `${tested.length} skill x metric tests of this run (false discovery rate <= ${fdrQ}) and |z| >= ${threshold}; ` +
      `|z| >= ${roundScore(1.5 * threshold)} is critical, otherwise a warning.`,
  };
}

/** Plain code-unit order, so the result does not depend on the machine's locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
