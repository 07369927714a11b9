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

export interface SkillCostStore {
  /** Stores calls in one transaction; duplicates (same key) are skipped. */
  record(rows: readonly AttributedUsage[]): Promise<{ inserted: number; duplicates: number }>;
  /** Totals per skill and rule, from rollups (no raw rescan). */
  totals(query?: SkillCostQuery): Promise<SkillCostTotal[]>;
  /** Per-invocation figures, newest first, from the per-invocation rollup. */
  invocations?(query?: SkillInvocationCostQuery): Promise<SkillInvocationCost[]>;
}
