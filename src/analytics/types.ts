/**
 * Plain-data shapes that the store hands to the analytics functions. The
 * analytics layer does no I/O: it receives these rows and returns results.
 * Times are epoch milliseconds; `hour` is floor(epochMs / 3_600_000).
 */
import type { BucketCount } from './histogram.js';

export const HOUR_MS = 3_600_000;

export function hourOf(epochMs: number): number {
  return Math.floor(epochMs / HOUR_MS);
}

/** One row of the per-skill-per-hour rollup. */
/** Skill activations in one hour by how they started (store table skill_trigger_hourly). */
export interface TriggerHourlyRow {
  skill: string;
  hour: number;
  trigger: 'model' | 'typed';
  invocations: number;
  successes: number;
  /** Typed activations marked slash-after-miss (always 0 for 'model'). */
  slashAfterMiss: number;
}

export interface HourlyRollup {
  skill: string;
  hour: number;
  invocations: number;
  successes: number;
  /**
   * Invocations whose duration was measured (typed skill activations and calls whose
   * Pre/Post hooks never matched have none): the duration sums, min/max and histograms
   * hold these only, and a mean is durationSum / timed (no latency when 0).
   */
  timed: number;
  /** Sum of duration_ms over the hour's measured invocations. */
  durationSum: number;
  /** Sum of duration_ms squared (measured invocations). */
  durationSqSum: number;
  /** Latest invoked_at within the hour. */
  lastAt: number;
  /** Smallest and largest measured duration_ms (when the reader provides them and timed > 0; they bound quantile estimates). */
  durationMin?: number;
  durationMax?: number;
}

/** Duration histogram of one skill over some range of hours. */
export interface SkillHistogram {
  skill: string;
  buckets: BucketCount[];
}

/** All-time totals of one skill. */
export interface SkillTotals {
  skill: string;
  category: string | null;
  modality: string | null;
  invocations: number;
  successes: number;
  /** Invocations with a measured duration (see HourlyRollup.timed); the duration figures hold these only. */
  timed: number;
  durationSum: number;
  durationSqSum: number;
  /** Number of distinct sessions that used the skill. */
  sessions: number;
  /** Number of distinct users that used the skill. */
  users: number;
  firstAt: number;
  lastAt: number;
  /** Smallest and largest measured duration_ms (when the reader provides them and timed > 0). */
  durationMin?: number;
  durationMax?: number;
}

/** Per user per skill counts; `user` is the salted hash, never a raw id. */
export interface UserSkillStat {
  user: string;
  skill: string;
  invocations: number;
  successes: number;
  lastAt: number;
}

/** Number of sessions in which both skills were used; `a < b` by name. */
export interface SkillPairCount {
  a: string;
  b: string;
  sessions: number;
}

/** A raw invocation as used for model training. */
export interface InvocationSample {
  skill: string;
  user: string;
  workflowPhase: string;
  completed: boolean;
  durationMs: number;
  /** false when the duration was not measured (duration_known = 0: durationMs is then 0, not a duration). Measured when omitted. */
  durationKnown?: boolean;
  invokedAt: number;
}
