/**
 * The analytics stores every back-end implements: stored analytics outputs
 * (AnalyticsRecords: anomalies, community baselines) and the rollup read
 * queries the analytics tools need beyond InvocationStore (AnalyticsQueries).
 * Skills are named at this boundary; tables key on `skills.id`.
 */
import type { CommunityBaseline } from '../analytics/baselines.js';
import type { HourlyRollup, SkillHistogram, SkillPairCount } from '../analytics/types.js';
import { checkWindowHours as checkWindowLength, type TimeRange } from '../analytics/window.js';
import type { AnomalyEvent } from '../events.js';
import { AppError } from '../errors.js';
import type { RollupReads } from './types.js';

/** An anomaly as stored, with the window it was detected over. */
export interface StoredAnomaly extends AnomalyEvent {
  id: number;
  /** Length of the recent window that was compared with the baseline, in hours. */
  window_hours: number;
}

export interface RecentAnomaliesQuery {
  /** Only anomalies detected at or after this epoch ms. */
  sinceMs?: number;
  /** At most this many, newest first. */
  limit: number;
}

/** A stored community baseline; `computed_at` is epoch ms. */
export interface StoredBaseline extends CommunityBaseline {
  computed_at: number;
}

/**
 * The repeat rule, in SQL over a stored anomaly `a` and the parameters
 * skill id, metric, direction, earliest detected_at, severity: an anomaly is
 * a repeat when the same skill, metric and direction was stored within the
 * new detection's window (window_hours before it) at the same or a higher
 * severity. A rise from warning to critical is news and is stored.
 */
export function repeatedAnomalySql(skillId: string, metric: string, direction: string, since: string, severity: string): string {
  return `a.skill_id = ${skillId} AND a.metric = ${metric} AND a.direction = ${direction} AND a.detected_at >= ${since} AND (a.severity = 'critical' OR a.severity = ${severity})`;
}

/** Largest number of anomalies one listing returns. */
const MAX_ANOMALY_LISTING = 10_000;

export interface AnalyticsRecords {
  /**
   * Appends newly detected anomalies in one transaction and resolves to the
   * rows it stored. A row is skipped when it repeats an anomaly already
   * stored (see repeatedAnomalySql) or names a skill the store has never seen,
   * so polling detection does not store, count or publish one ongoing
   * anomaly again and again.
   */
  saveAnomalies(rows: readonly AnomalyEvent[], windowHours: number): Promise<AnomalyEvent[]>;
  /** Stored anomalies, newest first (ties: latest stored first). */
  recentAnomalies(query: RecentAnomaliesQuery): Promise<StoredAnomaly[]>;
  /**
   * Replaces every stored baseline with `rows`, all stamped `computedAt`, in
   * one transaction (readers see the old set or the new one, never a mix).
   * Resolves to how many rows were stored.
   */
  replaceCommunityBaselines(rows: readonly CommunityBaseline[], computedAt: number): Promise<number>;
  /**
   * Stored baselines, all skills or only `skill`; sorted by effectiveness
   * percentile (highest first), then skill name. Empty when never computed.
   */
  communityBaselines(skill?: string): Promise<StoredBaseline[]>;
}

/** Every read of the invocation rollups: all-time and hourly (RollupReads) and rolling windows. */
export interface AnalyticsQueries extends RollupReads {
  /**
   * One row per skill with invocations in the time range (both ends
   * inclusive), holding the sums of that range (`hour` is the hour of
   * fromMs, `lastAt` the latest invocation, durationMin/Max the smallest and
   * largest duration), sorted by skill name. Read as whole hourly rollups
   * plus the raw rows of the partial hours at the edges (see window-pieces.ts).
   */
  windowTotals(range: TimeRange): Promise<HourlyRollup[]>;
  /**
   * Duration histograms over the time range of `skills` (null = every skill);
   * one entry per skill with any count there, buckets ascending (see
   * window-pieces.ts and window-histograms.ts).
   */
  windowHistograms(range: TimeRange, skills: readonly string[] | null): Promise<SkillHistogram[]>;
  /**
   * Sums per skill per UTC day over the whole hours [fromHour, toHour] of
   * `skills` (`hour` = the first hour of the day; lastAt the latest
   * invocation), sorted by skill name and day: a daily series read as one
   * grouped query instead of every hourly row.
   */
  dailyTotals(range: { fromHour: number; toHour: number; skills: readonly string[] }): Promise<HourlyRollup[]>;
  /** Skill pairs used together in at least `minSessions` sessions (unordered: `a`, `b` as stored). */
  frequentPairs(minSessions: number): Promise<SkillPairCount[]>;
  /** Skill pairs that contain `skill` (either side). */
  pairsWith(skill: string): Promise<SkillPairCount[]>;
  /** Whether the skill has ever been recorded. */
  skillExists(name: string): Promise<boolean>;
}

/** Shared input rules of AnalyticsRecords (both back-ends reject the same input the same way). */
export function checkWindowHours(windowHours: number): void {
  checkWindowLength(windowHours, 'window_hours');
}

export function checkAnomalyLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ANOMALY_LISTING) {
    throw AppError.invalid('limit', `must be an integer between 1 and ${MAX_ANOMALY_LISTING}`);
  }
}

export function checkComputedAt(computedAt: number): void {
  if (!Number.isFinite(computedAt)) throw AppError.invalid('computed_at', 'must be a finite epoch ms');
}
