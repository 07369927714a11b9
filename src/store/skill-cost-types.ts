/**
 * Tokens and cost attributed to skills (issue: skill economics). Rows come
 * from assistant API calls in imported transcripts (and, where enabled, from
 * Claude Code's own telemetry), each attributed to one skill by one rule:
 *   stamped   — the transcript's `attributionSkill` field on the call;
 *   bounded   — the skill's own work: from its Skill call until the next user
 *               prompt, the next Skill call, or the first call that belongs
 *               to other work (rule in capture/skill-attribution.ts);
 *   telemetry — an `api_request` event or cost metric that names the skill.
 * One API call may be attributed under several rules; figures are only ever
 * summed within one rule. One implementation per back-end, same file name:
 * sqlite/skill-costs.ts and postgres/skill-costs.ts.
 */

import type { PriceTable } from '../analytics/model-prices.js';

export type Attribution = 'stamped' | 'bounded' | 'telemetry';

export const ATTRIBUTIONS: readonly Attribution[] = ['stamped', 'bounded', 'telemetry'];

/** One assistant API call attributed to a skill under one rule. */
export interface AttributedUsage {
  /**
   * Unique per API call and rule (e.g. `<message.id>:bounded`): a second
   * import of the same call is a duplicate, not a second cost.
   */
  key: string;
  /** Skill name as stored in skill_invocations (`skill:<name>`). */
  skill: string;
  attribution: Attribution;
  userHash: string;
  sessionKey: string;
  /** Model id as the transcript names it; null when absent. */
  model: string | null;
  /** Epoch ms of the API call. */
  at: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  /**
   * Of cacheWriteTokens, those written with the 1-hour lifetime (priced
   * apart), so that the call can be priced again exactly (reprice); absent or
   * null when unknown (telemetry, rows stored before migration 0022).
   */
  cacheWrite1hTokens?: number | null;
  cacheReadTokens: number;
  /** USD from the price table; null when the model is not in it (tokens still count). */
  costUsd: number | null;
  /**
   * The skill invocation the call belongs to (the Skill tool_use id that
   * opened it), for per-invocation figures; absent or null when unknown.
   */
  invocationId?: string | null;
}

export interface SkillCostQuery {
  /** Inclusive first and last epoch hour; all time when omitted. */
  fromHour?: number;
  toHour?: number;
  /** One user's calls only (hash); everyone's when omitted. */
  userHash?: string;
  skills?: readonly string[];
}

/** Totals for one skill under one attribution rule. */
export interface SkillCostTotal {
  skill: string;
  attribution: Attribution;
  /** API calls attributed. */
  apiCalls: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  /** Sum over priced calls only. */
  costUsd: number;
  /** Calls whose model had no price: their cost is unknown, not zero. */
  unpricedCalls: number;
}

/** Figures for one skill invocation under one rule (rows with an invocationId). */
export interface SkillInvocationCost {
  invocationId: string;
  skill: string;
  attribution: Attribution;
  sessionKey: string;
  /** Epoch ms of the first and last attributed call. */
  firstAt: number;
  lastAt: number;
  apiCalls: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costUsd: number;
  unpricedCalls: number;
}

export interface SkillInvocationCostQuery {
  /** Invocations whose first call falls in [fromMs, toMs]; all time when omitted. */
  fromMs?: number;
  toMs?: number;
  userHash?: string;
  skills?: readonly string[];
  attribution?: Attribution;
  /** Newest first, at most this many (default 100). */
  limit?: number;
}

export interface RepriceOptions {
  /** The calls read so far and the calls in all, after each page. */
  onProgress?: (done: number, total: number) => void;
  /** Tuning (tests): calls read per page, and every how many calls the rebuilt sums are added to the tables. */
  pageRows?: number;
  flushEvery?: number;
}

/** What a reprice did (SkillCostStore.reprice). */
export interface RepriceResult {
  /** Calls priced again: every stamped and bounded call. */
  calls: number;
  /** Of those, calls whose cost changed (to, from or between prices). */
  changed: number;
  /**
   * Of those, calls with cache writes but no 1-hour split stored (before
   * migration 0022): all their cache writes priced at the 5-minute price.
   */
  approximate: number;
  /** Of those, calls whose model has no price in the table (cost null). */
  unpriced: number;
  /** Telemetry calls: their cost is the one Claude Code reported, kept as it is. */
  telemetry: number;
}

export interface SkillCostStore {
  /** Stores calls in one transaction; duplicates (same key) are skipped. */
  record(rows: readonly AttributedUsage[]): Promise<{ inserted: number; duplicates: number }>;
  /** Totals per skill and rule, from rollups (no raw rescan). */
  totals(query?: SkillCostQuery): Promise<SkillCostTotal[]>;
  /** Per-invocation figures, newest first, from the per-invocation rollup. */
  invocations?(query?: SkillInvocationCostQuery): Promise<SkillInvocationCost[]>;
  /**
   * Prices every stored stamped and bounded call again with `prices` (as the
   * import prices a call: callCost) and rebuilds every cost rollup from the
   * calls, in one transaction, so that the rollups are what an import at
   * these prices would have written. Telemetry calls keep their cost.
   */
  reprice(prices: PriceTable, opts?: RepriceOptions): Promise<RepriceResult>;
}
