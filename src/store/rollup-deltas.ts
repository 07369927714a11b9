/**
 * Rollup deltas of a batch of newly inserted invocations, computed in memory
 * so that each store applies one upsert per touched key. Shared by the
 * SQLite and PostgreSQL writers: the rules for what a rollup counts live
 * here once.
 */
import { durationBucket } from '../analytics/histogram.js';
import { hourOf } from '../analytics/types.js';
import type { NormalizedInvocation } from './types.js';

interface Acc {
  invocations: number;
  successes: number;
  durationSum: number;
  durationSqSum: number;
  firstAt: number;
  lastAt: number;
  /** Smallest and largest duration (hourly rows and skill totals keep them, to bound quantiles). */
  durationMin: number;
  durationMax: number;
  /** Distinct sessions / users new to the skill (skill totals only). */
  sessions: number;
  users: number;
}

/** An inserted invocation with its interned ids. */
export interface ResolvedInvocation {
  inv: NormalizedInvocation;
  skillId: number;
  userId: number;
  sessionId: number;
}

export interface RollupLookups {
  /** Skill ids the session already had before this batch. */
  sessionSkills(sessionId: number): Iterable<number>;
  /** Whether the user had used the skill before this batch. */
  userUsedSkill(userId: number, skillId: number): boolean;
}

// Composite numeric map keys (cheaper than strings): hours fit in 21 bits
// until the year 2209, skill ids in 25 bits. Histogram buckets are a nested map.
export const HOUR_SPACE = 2 ** 21;
export const SKILL_SPACE = 2 ** 25;

/** Duration bucket → count. */
type BucketCounts = Map<number, number>;

export interface RollupDeltas {
  /** key skillId * HOUR_SPACE + hour */
  hourly: Map<number, Acc>;
  /** key skillId * HOUR_SPACE + hour */
  hourlyDurations: Map<number, BucketCounts>;
  /** key skillId * HOUR_SPACE + day (day = floor(hour / 24), UTC): the hourly deltas summed per day. */
  daily: Map<number, Acc>;
  /** key skillId * HOUR_SPACE + day */
  dailyDurations: Map<number, BucketCounts>;
  /** key skillId */
  totals: Map<number, Acc>;
  /** key skillId */
  durations: Map<number, BucketCounts>;
  /** Per skill, phase and outcome; `backfilled` counts the rows marked backfill. */
  phases: Map<string, { skillId: number; phase: string; completed: boolean; acc: Acc; backfilled: number }>;
  /** key userId * SKILL_SPACE + skillId */
  userSkills: Map<number, Acc>;
  /** key sessionId * SKILL_SPACE + skillId */
  sessionSkills: Map<number, Acc>;
  /** key sessionId */
  sessions: Map<number, Acc>;
  /** key a * SKILL_SPACE + b with a < b */
  pairs: Map<number, number>;
  /** Activations per skill, hour and trigger (rows with a trigger only); key `${skillId}:${hour}:${trigger}`. */
  triggers: Map<string, TriggerDelta>;
}

interface TriggerDelta {
  skillId: number;
  hour: number;
  trigger: 'model' | 'typed';
  invocations: number;
  successes: number;
  slashAfterMiss: number;
}

const newAcc = (): Acc => ({
  invocations: 0,
  successes: 0,
  durationSum: 0,
  durationSqSum: 0,
  firstAt: Number.POSITIVE_INFINITY,
  lastAt: 0,
  durationMin: Number.POSITIVE_INFINITY,
  durationMax: Number.NEGATIVE_INFINITY,
  sessions: 0,
  users: 0,
});

function add(acc: Acc, inv: NormalizedInvocation): void {
  acc.invocations++;
  if (inv.completed) acc.successes++;
  acc.durationSum += inv.durationMs;
  acc.durationSqSum += inv.durationMs * inv.durationMs;
  if (inv.invokedAt < acc.firstAt) acc.firstAt = inv.invokedAt;
  if (inv.invokedAt > acc.lastAt) acc.lastAt = inv.invokedAt;
  if (inv.durationMs < acc.durationMin) acc.durationMin = inv.durationMs;
  if (inv.durationMs > acc.durationMax) acc.durationMax = inv.durationMs;
}

function merge(acc: Acc, a: Acc): void {
  acc.invocations += a.invocations;
  acc.successes += a.successes;
  acc.durationSum += a.durationSum;
  acc.durationSqSum += a.durationSqSum;
  if (a.firstAt < acc.firstAt) acc.firstAt = a.firstAt;
  if (a.lastAt > acc.lastAt) acc.lastAt = a.lastAt;
  if (a.durationMin < acc.durationMin) acc.durationMin = a.durationMin;
  if (a.durationMax > acc.durationMax) acc.durationMax = a.durationMax;
}

const newCounts = (): BucketCounts => new Map();

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

export function computeRollupDeltas(rows: Iterable<ResolvedInvocation>, lookups: RollupLookups): RollupDeltas {
  const d: RollupDeltas = {
    hourly: new Map(),
    hourlyDurations: new Map(),
    daily: new Map(),
    dailyDurations: new Map(),
    totals: new Map(),
    durations: new Map(),
    phases: new Map(),
    userSkills: new Map(),
    sessionSkills: new Map(),
    sessions: new Map(),
    pairs: new Map(),
    triggers: new Map(),
  };
  const sessionSets = new Map<number, Set<number>>();
  const seenUserSkills = new Set<number>();

  for (const { inv, skillId, userId, sessionId } of rows) {
    const hourKey = skillId * HOUR_SPACE + hourOf(inv.invokedAt);
    const bucket = durationBucket(inv.durationMs);
    add(getOr(d.hourly, hourKey, newAcc), inv);
    bump(getOr(d.hourlyDurations, hourKey, newCounts), bucket);
    const total = getOr(d.totals, skillId, newAcc);
    add(total, inv);
    bump(getOr(d.durations, skillId, newCounts), bucket);
    const phaseKey = `${skillId}:${inv.workflowPhase}:${inv.completed ? 1 : 0}`;
    const phase = getOr(d.phases, phaseKey, () => ({ skillId, phase: inv.workflowPhase, completed: inv.completed, acc: newAcc(), backfilled: 0 }));
    add(phase.acc, inv);
    if (inv.backfill === true) phase.backfilled++;
    const userSkill = userId * SKILL_SPACE + skillId;
    add(getOr(d.userSkills, userSkill, newAcc), inv);
    add(getOr(d.sessionSkills, sessionId * SKILL_SPACE + skillId, newAcc), inv);
    add(getOr(d.sessions, sessionId, newAcc), inv);
    if (inv.trigger) {
      const hour = hourOf(inv.invokedAt);
      const trigger = inv.trigger;
      const t = getOr(d.triggers, `${skillId}:${hour}:${trigger}`, () => ({ skillId, hour, trigger, invocations: 0, successes: 0, slashAfterMiss: 0 }));
      t.invocations++;
      if (inv.completed) t.successes++;
      if (inv.slashAfterMiss === true) t.slashAfterMiss++;
    }

    // Distinct users per skill.
    if (!seenUserSkills.has(userSkill)) {
      seenUserSkills.add(userSkill);
      if (!lookups.userUsedSkill(userId, skillId)) total.users++;
    }
    // Distinct sessions per skill, and co-occurrence pairs.
    const set = getOr(sessionSets, sessionId, () => new Set(lookups.sessionSkills(sessionId)));
    if (!set.has(skillId)) {
      for (const other of set) bump(d.pairs, other < skillId ? other * SKILL_SPACE + skillId : skillId * SKILL_SPACE + other);
      set.add(skillId);
      total.sessions++;
    }
  }
  // Daily rollups: the hourly deltas summed per day (far fewer keys than rows).
  for (const [key, a] of d.hourly) {
    const [skillId, hour] = splitKey(key, HOUR_SPACE);
    merge(getOr(d.daily, skillId * HOUR_SPACE + dayOfHour(hour), newAcc), a);
  }
  for (const [key, counts] of d.hourlyDurations) {
    const [skillId, hour] = splitKey(key, HOUR_SPACE);
    const day = getOr(d.dailyDurations, skillId * HOUR_SPACE + dayOfHour(hour), newCounts);
    for (const [bucket, n] of counts) day.set(bucket, (day.get(bucket) ?? 0) + n);
  }
  return d;
}

/** The UTC day (days since the epoch) holding an hour (hours since the epoch). */
function dayOfHour(hour: number): number {
  return Math.floor(hour / 24);
}

/** Splits a composite key into its high and low parts. */
export function splitKey(key: number, space: number): [number, number] {
  return [Math.floor(key / space), key % space];
}
