/**
 * The store interface the rest of the application depends on. Methods are
 * async so that a networked implementation fits behind the same interface.
 */
import type { InvocationEvent } from '../events.js';
import type { HourlyRollup, SkillHistogram, SkillTotals, TriggerHourlyRow, UserSkillStat } from '../analytics/types.js';
import type { WorkflowPhase } from '../analytics/taxonomy.js';
import type { AttributedUsage } from './skill-cost-types.js';

export interface WriteResult {
  /** One id per input, in order; for a duplicate (same dedupe_key) the id already stored. */
  ids: string[];
  inserted: number;
  duplicates: number;
}

/** What recordWithCosts stored: the invocations' result, and the cost rows inserted and skipped as duplicates. */
export interface InvocationsWithCosts {
  invocations: WriteResult;
  costs: { inserted: number; duplicates: number };
}

export interface HourRange {
  /** Inclusive first hour (epoch hours). */
  fromHour: number;
  /** Inclusive last hour (epoch hours). */
  toHour: number;
  /** Restrict to these skill names; all skills when omitted. */
  skills?: readonly string[];
}

export interface PhaseTotal {
  skill: string;
  workflowPhase: string;
  completed: boolean;
  invocations: number;
  /** Of `invocations`, those with a measured duration: `durationSum` is theirs. */
  timed: number;
  durationSum: number;
  /** Of `invocations`, those recorded as backfill (history); the rest were live. */
  backfilled: number;
}

/** Tables whose row counts `stats()` reports, on every back-end. */
export const STATS_TABLES = [
  'skill_invocations',
  'skills',
  'users',
  'sessions',
  'skill_hourly',
  'skill_pairs',
  'skill_anomalies',
  'community_baselines',
  'ab_experiments',
  'ab_outcomes',
] as const;

export interface StoreStats {
  location: string;
  schemaVersion: number;
  latestSchemaVersion: number;
  sizeBytes: number;
  /** Pages on the free list (reclaimable by compaction). */
  freeBytes: number;
  rows: Record<string, number>;
}

/**
 * A place in the tail of the raw table, opaque to callers: SQLite's row number;
 * on PostgreSQL the writing transaction's id and the row number (rows are
 * followed in commit order there, see store/postgres/invocation-tail.ts).
 */
export type TailCursor = string;

/** Rows written after a point in the raw table, by any process (see InvocationStore.invocationsAfter). */
export interface InvocationTail {
  /** Where the newest row returned (or counted) is: pass it to the next call. */
  cursor: TailCursor;
  /** The latest `limit` of the rows, oldest first. */
  events: InvocationEvent[];
  /** Every row, counted per skill (events may hold only the latest of them). */
  counts: Map<string, number>;
}

/**
 * The write side of the raw invocations: record (raw rows and every rollup in
 * one transaction), the store's row counts and size, and the tail of raw rows
 * that live views follow, and the dedupe keys writers match against. Reads of
 * the rollups are in AnalyticsQueries
 * (RollupReads and the window queries).
 */
export interface InvocationStore {
  record(batch: NormalizedInvocation[]): Promise<WriteResult>;
  /**
   * Records a batch and the cost rows of its API calls (as SkillCostStore.record
   * stores them: duplicates by key skipped) in ONE transaction: both are
   * stored or neither, so an interrupt or a failure at any moment never leaves
   * invocations without their costs (seed-demo). Not group-committed.
   */
  recordWithCosts(batch: NormalizedInvocation[], costs: readonly AttributedUsage[]): Promise<InvocationsWithCosts>;
  stats(): Promise<StoreStats>;
  /** Where the tail is now (after the newest raw row): where `invocationsAfter` starts. */
  tailCursor(): Promise<TailCursor>;
  /**
   * Raw rows after `cursor`, whichever process wrote them, none missed and
   * none repeated by later calls: the latest `limit` as events and the count
   * of all of them per skill.
   */
  invocationsAfter(cursor: TailCursor, limit: number): Promise<InvocationTail>;
  /**
   * The invoked_at (epoch ms) of the stored rows that carry these dedupe keys,
   * by key; keys with no row are absent. Exact-key reads through the unique
   * dedupe index (the OTLP receiver matches typed activations with it).
   */
  invokedAtByDedupeKey(keys: readonly string[]): Promise<Map<string, number>>;
  /**
   * Of these invocation ids, those with a row in the raw table (rows moved
   * out by `archive` are not there); any number of ids, through the unique
   * id index (merge-data counts a source row whose id is here as present).
   */
  existingInvocationIds(ids: readonly string[]): Promise<Set<string>>;
}

/** Reads of the all-time and hourly rollups (part of AnalyticsQueries). */
export interface RollupReads {
  hourlyRollups(range: HourRange): Promise<HourlyRollup[]>;
  /** Skill activations per skill, hour and trigger ('model' | 'typed'), from the trigger rollup. */
  triggerHourly(range: HourRange): Promise<TriggerHourlyRow[]>;
  skillTotals(skills?: readonly string[]): Promise<SkillTotals[]>;
  /** All-time duration histograms. */
  skillHistograms(skills?: readonly string[]): Promise<SkillHistogram[]>;
  phaseTotals(): Promise<PhaseTotal[]>;
  /** Per user per skill counts; for one user when `userHash` is given. */
  userSkillStats(userHash?: string): Promise<UserSkillStat[]>;
  /**
   * Per group of recorded skill names: how many distinct users last used any
   * of them at or after `fromMs` (per-user rollup), counted up to `cap` (so a
   * popular skill's count stops after `cap` users: enough to test a k-user
   * threshold). A group with no such user is left out; a name in several
   * groups counts in each; sorted by group (byte order).
   */
  usersSince(fromMs: number, groups: readonly SkillGroup[], cap: number): Promise<GroupUsers[]>;
  sessionCount(): Promise<number>;
}

/** Recorded skill names counted together (e.g. the tools of one MCP server). */
export interface SkillGroup {
  group: string;
  skills: readonly string[];
}

export interface GroupUsers {
  group: string;
  users: number;
}

/** One invocation as the stores write it: validated, user id hashed, ids assigned (see tracking/invocation-input.ts). */
/** A validated invocation, normalised for storage. */
export interface NormalizedInvocation {
  id: string;
  skillName: string;
  userHash: string;
  sessionKey: string;
  workflowPhase: WorkflowPhase;
  completed: boolean;
  durationMs: number;
  /**
   * false when the duration was not measured (a typed skill activation, a call whose Pre/Post
   * hooks never matched: metadata.duration_source 'unknown'); durationMs is then 0 and no
   * latency figure counts the row. Measured when omitted.
   */
  durationKnown?: boolean;
  errorType: string | null;
  invokedAt: number;
  project: string | null;
  agent: string | null;
  metadata: string | null;
  dedupeKey: string | null;
  /** 'model' | 'typed' for skill activations, null otherwise (see tracking/invocation-input.ts). */
  trigger?: 'model' | 'typed' | null;
  /** Typed activations: the slash-after-miss estimate (analytics/skill-misses.ts); null when unknown. */
  slashAfterMiss?: boolean | null;
  /**
   * Recorded more than the backfill threshold after it happened (history, not
   * live traffic): counted in the stored backfilled totals, published as backfill.
   */
  backfill?: boolean;
}
