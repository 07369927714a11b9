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
  /** Invocations with a measured duration: the duration sums, min/max and histograms count these only. */
  timed: number;
  durationSum: number;
  durationSqSum: number;
  firstAt: number;
  lastAt: number;
  /** Smallest and largest measured duration (hourly rows and skill totals keep them, to bound quantiles); ±Infinity while timed = 0. */
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
  /** Per skill, phase and outcome; key `${skillId}:${phase}:${completed ? 1 : 0}`. */
  phases: Map<string, PhaseDelta>;
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

interface PhaseDelta {
  skillId: number;
  phase: string;
  completed: boolean;
  acc: Acc;
  /** Rows marked backfill. */
  backfilled: number;
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
  timed: 0,
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
  if (inv.invokedAt < acc.firstAt) acc.firstAt = inv.invokedAt;
  if (inv.invokedAt > acc.lastAt) acc.lastAt = inv.invokedAt;
  if (inv.durationKnown === false) return;
  acc.timed++;
  acc.durationSum += inv.durationMs;
  acc.durationSqSum += inv.durationMs * inv.durationMs;
  if (inv.durationMs < acc.durationMin) acc.durationMin = inv.durationMs;
  if (inv.durationMs > acc.durationMax) acc.durationMax = inv.durationMs;
}

/** The stored duration_min / duration_max of an accumulator: 0 when it holds no measured invocation. */
export function storedMin(a: Acc): number {
  return a.timed > 0 ? a.durationMin : 0;
}

export function storedMax(a: Acc): number {
  return a.timed > 0 ? a.durationMax : 0;
}

function merge(acc: Acc, a: Acc): void {
  acc.invocations += a.invocations;
  acc.successes += a.successes;
  acc.timed += a.timed;
  acc.durationSum += a.durationSum;
  acc.durationSqSum += a.durationSqSum;
  if (a.firstAt < acc.firstAt) acc.firstAt = a.firstAt;
  if (a.lastAt > acc.lastAt) acc.lastAt = a.lastAt;
  if (a.durationMin < acc.durationMin) acc.durationMin = a.durationMin;
  if (a.durationMax > acc.durationMax) acc.durationMax = a.durationMax;
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function accOf(map: Map<number, Acc>, key: number): Acc {
  let a = map.get(key);
  if (a === undefined) map.set(key, (a = newAcc()));
  return a;
}

function countsOf(map: Map<number, BucketCounts>, key: number): BucketCounts {
  let c = map.get(key);
  if (c === undefined) map.set(key, (c = new Map()));
  return c;
}

/**
 * Loops are indexed or use forEach: an import computes the deltas of only a few batches, largely
 * before the code is optimized, where each step of an iterator allocates.
 */
export function computeRollupDeltas(rows: readonly ResolvedInvocation[], lookups: RollupLookups): RollupDeltas {
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
  // Phase deltas found by a numeric key, (phase number * 2 + completed) * SKILL_SPACE + skillId: the
  // string key of d.phases is built once per entry, not once per row.
  const phaseNumbers = new Map<string, number>();
  const phaseByKey = new Map<number, PhaseDelta>();

  for (let i = 0; i < rows.length; i++) {
    const { inv, skillId, userId, sessionId } = rows[i]!;
    const hourKey = skillId * HOUR_SPACE + hourOf(inv.invokedAt);
    add(accOf(d.hourly, hourKey), inv);
    const total = accOf(d.totals, skillId);
    add(total, inv);
    // Histograms hold measured durations only.
    if (inv.durationKnown !== false) {
      const bucket = durationBucket(inv.durationMs);
      bump(countsOf(d.hourlyDurations, hourKey), bucket);
      bump(countsOf(d.durations, skillId), bucket);
    }
    let phaseNumber = phaseNumbers.get(inv.workflowPhase);
    if (phaseNumber === undefined) phaseNumbers.set(inv.workflowPhase, (phaseNumber = phaseNumbers.size));
    const phaseKey = (phaseNumber * 2 + (inv.completed ? 1 : 0)) * SKILL_SPACE + skillId;
    let phase = phaseByKey.get(phaseKey);
    if (phase === undefined) {
      phase = { skillId, phase: inv.workflowPhase, completed: inv.completed, acc: newAcc(), backfilled: 0 };
      phaseByKey.set(phaseKey, phase);
      d.phases.set(`${skillId}:${inv.workflowPhase}:${inv.completed ? 1 : 0}`, phase);
    }
    add(phase.acc, inv);
    if (inv.backfill === true) phase.backfilled++;
    const userSkill = userId * SKILL_SPACE + skillId;
    add(accOf(d.userSkills, userSkill), inv);
    add(accOf(d.sessionSkills, sessionId * SKILL_SPACE + skillId), inv);
    add(accOf(d.sessions, sessionId), inv);
    if (inv.trigger) {
      const hour = hourOf(inv.invokedAt);
      const trigger = inv.trigger;
      const key = `${skillId}:${hour}:${trigger}`;
      let t = d.triggers.get(key);
      if (t === undefined) d.triggers.set(key, (t = { skillId, hour, trigger, invocations: 0, successes: 0, slashAfterMiss: 0 }));
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
    let set = sessionSets.get(sessionId);
    if (set === undefined) sessionSets.set(sessionId, (set = new Set(lookups.sessionSkills(sessionId))));
    if (!set.has(skillId)) {
      set.forEach((other) => bump(d.pairs, other < skillId ? other * SKILL_SPACE + skillId : skillId * SKILL_SPACE + other));
      set.add(skillId);
      total.sessions++;
    }
  }
  // Daily rollups: the hourly deltas summed per day (far fewer keys than rows).
  d.hourly.forEach((a, key) => merge(accOf(d.daily, dayKey(key)), a));
  d.hourlyDurations.forEach((counts, key) => {
    const day = countsOf(d.dailyDurations, dayKey(key));
    counts.forEach((n, bucket) => day.set(bucket, (day.get(bucket) ?? 0) + n));
  });
  return d;
}

/** skillId * HOUR_SPACE + day of the hourly key skillId * HOUR_SPACE + hour. */
function dayKey(hourKey: number): number {
  const hour = hourKey % HOUR_SPACE;
  return hourKey - hour + dayOfHour(hour);
}

/** The UTC day (days since the epoch) holding an hour (hours since the epoch). */
function dayOfHour(hour: number): number {
  return Math.floor(hour / 24);
}

/** The high part of a composite key (high * space + low). */
export function keyHigh(key: number, space: number): number {
  return Math.floor(key / space);
}

/** The low part of a composite key. */
export function keyLow(key: number, space: number): number {
  return key % space;
}

/** Splits a composite key into its high and low parts. */
export function splitKey(key: number, space: number): [number, number] {
  return [keyHigh(key, space), keyLow(key, space)];
}
