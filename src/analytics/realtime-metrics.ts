/**
 * "What is being used right now": per-skill and overall figures over a window
 * of hourly rollups. The caller picks the window (which hours it loads); these
 * functions only aggregate what they are given.
 */
import { AppError } from '../errors.js';
import type { BucketCount, ObservedRange } from './histogram.js';
import { histogramQuantile } from './histogram.js';
import { roundMs, roundRate } from './round.js';
import type { HourlyRollup, SkillHistogram } from './types.js';

export interface TopSkill {
  skill_name: string;
  invocations: number;
  successes: number;
  /** successes / invocations over the window. */
  success_rate: number;
  /** Mean duration over the measured invocations of the window, from the rollup sums; null when none was measured. */
  avg_duration_ms: number | null;
  /** 95th percentile estimated from the log-bucketed histogram; null when no histogram was given. */
  p95_duration_ms: number | null;
  /** Latest invocation of the skill in the window, ISO 8601 (UTC). */
  last_invoked_at: string;
}

export interface WindowSummary {
  invocations: number;
  successes: number;
  /** successes / invocations over all skills; null when there were no invocations. */
  success_rate: number | null;
  /** Mean duration over the measured invocations; null when none was measured. */
  avg_duration_ms: number | null;
  /** Number of distinct skills with at least one invocation in the window. */
  active_skills: number;
  /** Latest invocation of any skill, ISO 8601 (UTC); null when there were none. */
  last_invoked_at: string | null;
}

interface SkillAggregate {
  skill: string;
  invocations: number;
  successes: number;
  timed: number;
  durationSum: number;
  lastAt: number;
  durationMin: number;
  durationMax: number;
}

/** Sum the hourly rows of each skill (rows may come in any order). */
function aggregateBySkill(rows: readonly HourlyRollup[]): Map<string, SkillAggregate> {
  const bySkill = new Map<string, SkillAggregate>();
  for (const r of rows) {
    let a = bySkill.get(r.skill);
    if (!a) {
      a = { skill: r.skill, invocations: 0, successes: 0, timed: 0, durationSum: 0, lastAt: -Infinity, durationMin: Infinity, durationMax: -Infinity };
      bySkill.set(r.skill, a);
    }
    a.invocations += r.invocations;
    a.successes += r.successes;
    a.timed += r.timed;
    a.durationSum += r.durationSum;
    if (r.lastAt > a.lastAt) a.lastAt = r.lastAt;
    if (r.timed <= 0) continue; // no measured duration: no range
    if (r.durationMin != null && r.durationMin < a.durationMin) a.durationMin = r.durationMin;
    if (r.durationMax != null && r.durationMax > a.durationMax) a.durationMax = r.durationMax;
  }
  return bySkill;
}

/**
 * The `limit` most invoked skills of the window.
 *
 * Rule: per skill, invocations, successes and duration sums of all given hourly
 * rows are added up; success_rate = successes / invocations and
 * avg_duration_ms = duration sum / measured invocations (`timed`; null when
 * none was measured: typed activations and unmatched hook calls have no
 * duration). p95_duration_ms is the 0.95
 * quantile of the skill's duration histogram (all histogram entries of the
 * skill are merged; within 1 % of the exact nearest-rank value, see
 * histogram.ts), kept within the smallest and largest duration of the rows
 * when they carry them. Skills with no
 * invocations are left out. Sorted by invocations (most first), ties by skill
 * name (A→Z).
 */
export function topSkills(rows: readonly HourlyRollup[], histograms: readonly SkillHistogram[], limit: number): TopSkill[] {
  if (!Number.isInteger(limit) || limit < 1) throw AppError.invalid('limit', 'must be an integer >= 1');

  const bucketsBySkill = new Map<string, BucketCount[]>();
  for (const h of histograms) {
    const list = bucketsBySkill.get(h.skill);
    if (list) list.push(...h.buckets);
    else bucketsBySkill.set(h.skill, [...h.buckets]);
  }

  return [...aggregateBySkill(rows).values()]
    .filter((a) => a.invocations > 0)
    .sort((x, y) => y.invocations - x.invocations || compareNames(x.skill, y.skill))
    .slice(0, limit)
    .map((a) => {
      const buckets = bucketsBySkill.get(a.skill);
      return {
        skill_name: a.skill,
        invocations: a.invocations,
        successes: a.successes,
        success_rate: roundRate(a.successes / a.invocations),
        avg_duration_ms: a.timed > 0 ? roundMs(a.durationSum / a.timed) : null,
        p95_duration_ms: roundMs(buckets ? histogramQuantile(buckets, 0.95, observedRange(a.durationMin, a.durationMax)) : null),
        last_invoked_at: new Date(a.lastAt).toISOString(),
      };
    });
}

/**
 * Totals over all skills of the window: invocations, successes, overall
 * success rate (successes / invocations, i.e. weighted by invocations, not a
 * mean of per-skill rates), mean duration, and the number of skills with at
 * least one invocation.
 */
export function summarizeWindow(rows: readonly HourlyRollup[]): WindowSummary {
  let invocations = 0;
  let successes = 0;
  let timed = 0;
  let durationSum = 0;
  let lastAt = -Infinity;
  let activeSkills = 0;
  for (const a of aggregateBySkill(rows).values()) {
    if (a.invocations <= 0) continue;
    activeSkills++;
    invocations += a.invocations;
    successes += a.successes;
    timed += a.timed;
    durationSum += a.durationSum;
    if (a.lastAt > lastAt) lastAt = a.lastAt;
  }
  return {
    invocations,
    successes,
    success_rate: invocations > 0 ? roundRate(successes / invocations) : null,
    avg_duration_ms: timed > 0 ? roundMs(durationSum / timed) : null,
    active_skills: activeSkills,
    last_invoked_at: invocations > 0 ? new Date(lastAt).toISOString() : null,
  };
}

/** The observed duration range, or null when the rows did not carry one. */
function observedRange(min: number, max: number): ObservedRange | null {
  return Number.isFinite(min) && Number.isFinite(max) ? { min, max } : null;
}

/** Smallest and largest duration over all rows that carry them (bounds a quantile of their merged histograms). */
export function rowsRange(rows: readonly HourlyRollup[]): ObservedRange | null {
  let min = Infinity;
  let max = -Infinity;
  for (const r of rows) {
    if (r.invocations <= 0 || r.timed <= 0) continue;
    if (r.durationMin != null && r.durationMin < min) min = r.durationMin;
    if (r.durationMax != null && r.durationMax > max) max = r.durationMax;
  }
  return observedRange(min, max);
}

/** Plain code-unit order, so the result does not depend on the machine's locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
