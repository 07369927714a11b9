/**
 * The rollup deltas of a batch of attributed calls (skill-cost-types.ts),
 * shared by both back-ends: one delta per (skill, rule, user, hour), per
 * (skill, rule, hour) and per (skill, rule, UTC day) — everyone's totals
 * without the user dimension, migration 0019 — and one per (invocation,
 * rule), in a fixed key order so that concurrent writers take row locks in
 * the same order. A reprice (SkillCostStore.reprice) empties the rollups and
 * sums every stored call at its new cost the same way (CostRollup), adding
 * the sums to the tables in parts (REPRICE_FLUSH_CALLS).
 */
import { callCost, type PriceTable } from '../analytics/model-prices.js';
import { hourOf } from '../analytics/types.js';
import { AppError } from '../errors.js';
import { ATTRIBUTIONS, type Attribution, type AttributedUsage, type RepriceResult, type SkillCostTotal } from './skill-cost-types.js';
import { type DaySplit, splitDays } from './window-pieces.js';

/** The summable figures of cost rows (per call, per hour, per skill…). */
export interface CostSums {
  apiCalls: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costUsd: number;
  unpricedCalls: number;
}

export interface HourlyCostDelta extends CostSums {
  skill: string;
  attribution: Attribution;
  userHash: string;
  hour: number;
}

/** Everyone's sums of one skill and rule over one hour (`period` = hour) or one UTC day (`period` = hour / 24, floored). */
export interface PeriodCostDelta extends CostSums {
  skill: string;
  attribution: Attribution;
  period: number;
}

export interface InvocationCostDelta extends CostSums {
  invocationId: string;
  attribution: Attribution;
  skill: string;
  userHash: string;
  sessionKey: string;
  firstAt: number;
  lastAt: number;
}

/** Adds (sign 1) or takes away (sign -1) one call's figures. */
function add(s: CostSums, r: AttributedUsage, sign: 1 | -1): void {
  s.apiCalls += sign;
  s.inputTokens += sign * r.inputTokens;
  s.outputTokens += sign * r.outputTokens;
  s.cacheWriteTokens += sign * r.cacheWriteTokens;
  s.cacheReadTokens += sign * r.cacheReadTokens;
  if (r.costUsd === null) s.unpricedCalls += sign;
  else s.costUsd += sign * r.costUsd;
}

/**
 * A recorded call seen again (same key) with more output tokens: Claude Code writes a line per
 * content block of a response, and only the last holds the final output count (fullerUsage,
 * capture/transcript-pairing.ts), so an import that stopped inside a response recorded too few.
 * The revised call: the stored one (skill, rule, user, time…) with the incoming figures; null when
 * the incoming row holds no more output tokens (a plain duplicate).
 */
export function revisedCall(stored: AttributedUsage, incoming: AttributedUsage): AttributedUsage | null {
  if (incoming.attribution === 'telemetry' || incoming.outputTokens <= stored.outputTokens) return null;
  return {
    ...stored,
    inputTokens: incoming.inputTokens,
    outputTokens: incoming.outputTokens,
    cacheWriteTokens: incoming.cacheWriteTokens,
    cacheWrite1hTokens: incoming.cacheWrite1hTokens ?? null,
    cacheReadTokens: incoming.cacheReadTokens,
    costUsd: incoming.costUsd,
  };
}

/** Adds `r`'s figures to `into` (totals of rollup rows: summed field by field). */
export function addCostSums(into: CostSums, r: Readonly<CostSums>): void {
  into.apiCalls += r.apiCalls;
  into.inputTokens += r.inputTokens;
  into.outputTokens += r.outputTokens;
  into.cacheWriteTokens += r.cacheWriteTokens;
  into.cacheReadTokens += r.cacheReadTokens;
  into.costUsd += r.costUsd;
  into.unpricedCalls += r.unpricedCalls;
}

export const zeroCostSums = (): CostSums => ({
  apiCalls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheWriteTokens: 0,
  cacheReadTokens: 0,
  costUsd: 0,
  unpricedCalls: 0,
});

export interface CostDeltas {
  hourly: HourlyCostDelta[];
  skillHourly: PeriodCostDelta[];
  daily: PeriodCostDelta[];
  invocations: InvocationCostDelta[];
}

/** Sums calls into the deltas of every rollup, a call at a time (a batch, or every stored call when rebuilding). */
export class CostRollup {
  private readonly hourly = new Map<string, HourlyCostDelta>();
  private readonly skillHourly = new Map<string, PeriodCostDelta>();
  private readonly daily = new Map<string, PeriodCostDelta>();
  private readonly invocations = new Map<string, InvocationCostDelta>();
  /** Calls added so far. */
  calls = 0;

  /** Adds a call (sign 1), or takes one away (sign -1: a revised call's stored figures, revisedCall). */
  add(r: AttributedUsage, sign: 1 | -1 = 1): void {
    this.calls += sign;
    const hour = hourOf(r.at);
    const hk = `${r.skill}\u0000${r.attribution}\u0000${r.userHash}\u0000${hour}`;
    let h = this.hourly.get(hk);
    if (!h) this.hourly.set(hk, (h = { skill: r.skill, attribution: r.attribution, userHash: r.userHash, hour, ...zeroCostSums() }));
    add(h, r, sign);
    this.period(this.skillHourly, r, hour, sign);
    this.period(this.daily, r, Math.floor(hour / 24), sign);
    if (r.invocationId) {
      const ik = `${r.invocationId}\u0000${r.attribution}`;
      let v = this.invocations.get(ik);
      if (!v) {
        v = {
          invocationId: r.invocationId,
          attribution: r.attribution,
          skill: r.skill,
          userHash: r.userHash,
          sessionKey: r.sessionKey,
          firstAt: r.at,
          lastAt: r.at,
          ...zeroCostSums(),
        };
        this.invocations.set(ik, v);
      }
      v.firstAt = Math.min(v.firstAt, r.at);
      v.lastAt = Math.max(v.lastAt, r.at);
      add(v, r, sign);
    }
  }

  private period(m: Map<string, PeriodCostDelta>, r: AttributedUsage, p: number, sign: 1 | -1): void {
    const k = `${r.skill}\u0000${r.attribution}\u0000${p}`;
    let d = m.get(k);
    if (!d) m.set(k, (d = { skill: r.skill, attribution: r.attribution, period: p, ...zeroCostSums() }));
    add(d, r, sign);
  }

  /** The deltas, each list in key order. */
  deltas(): CostDeltas {
    const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
    return { hourly: sorted(this.hourly), skillHourly: sorted(this.skillHourly), daily: sorted(this.daily), invocations: sorted(this.invocations) };
  }
}

/**
 * The cost of a stored call at `prices`, as the import prices it (callCost);
 * a call without a stored 1-hour split has all its cache writes priced at
 * the 5-minute price. Telemetry calls keep the cost Claude Code reported.
 */
function repricedCost(prices: PriceTable, r: AttributedUsage): number | null {
  if (r.attribution === 'telemetry') return r.costUsd;
  return callCost(prices, r.model, {
    input: r.inputTokens,
    output: r.outputTokens,
    cacheWrite: r.cacheWriteTokens,
    cacheWrite1h: r.cacheWrite1hTokens ?? 0,
    cacheRead: r.cacheReadTokens,
  });
}

/**
 * Reprices stored calls a page at a time (both back-ends read the calls in
 * pages and write back the changed costs): fills `rollup` with every call at
 * its new cost, counts what changed, and returns the calls whose cost changed.
 */
export function repricePage(prices: PriceTable, page: readonly AttributedUsage[], rollup: CostRollup, result: RepriceResult): AttributedUsage[] {
  const changed: AttributedUsage[] = [];
  for (const r of page) {
    const cost = repricedCost(prices, r);
    const repriced = cost === r.costUsd ? r : { ...r, costUsd: cost };
    if (r.attribution === 'telemetry') result.telemetry++;
    else {
      result.calls++;
      if (cost === null) result.unpriced++;
      if ((r.cacheWrite1hTokens ?? null) === null && r.cacheWriteTokens > 0) result.approximate++;
      if (repriced !== r) {
        result.changed++;
        changed.push(repriced);
      }
    }
    rollup.add(repriced);
  }
  return changed;
}

export const emptyRepriceResult = (): RepriceResult => ({ calls: 0, changed: 0, approximate: 0, unpriced: 0, telemetry: 0 });

/** Calls read per page when repricing. */
export const REPRICE_PAGE_ROWS = 5_000;

/**
 * A reprice adds the rebuilt rollups to the emptied tables every this many
 * calls (the rollup rows are sums, so adding them in parts gives the same
 * rows), so its memory does not grow with the store.
 */
export const REPRICE_FLUSH_CALLS = 100_000;

/** Rejects a batch with any malformed row before anything is written. */
export function assertAttributedUsage(rows: readonly AttributedUsage[]): void {
  rows.forEach((r, i) => {
    const bad = (field: string, rule: string) => AppError.invalid(`rows[${i}].${field}`, rule, { key: r.key });
    if (typeof r.key !== 'string' || r.key.length === 0) throw bad('key', 'must be a non-empty string');
    if (typeof r.skill !== 'string' || r.skill.length === 0) throw bad('skill', 'must be a non-empty string');
    if (!ATTRIBUTIONS.includes(r.attribution)) throw bad('attribution', `must be one of ${ATTRIBUTIONS.join(', ')}`);
    if (!Number.isFinite(r.at)) throw bad('at', 'must be an epoch ms number');
    for (const f of ['inputTokens', 'outputTokens', 'cacheWriteTokens', 'cacheReadTokens'] as const) {
      if (!Number.isInteger(r[f]) || r[f] < 0) throw bad(f, 'must be a non-negative integer');
    }
    const oneHour = r.cacheWrite1hTokens;
    if (oneHour !== undefined && oneHour !== null && !(Number.isInteger(oneHour) && oneHour >= 0)) {
      throw bad('cacheWrite1hTokens', 'must be absent, null or a non-negative integer');
    }
    if (r.costUsd !== null && !(Number.isFinite(r.costUsd) && r.costUsd >= 0)) throw bad('costUsd', 'must be null or a non-negative number');
  });
}

/** An open bound of a totals query (hours are never this far from 1970). */
const OPEN_HOURS = 2 ** 42;

/**
 * How everyone's totals over the inclusive hours [fromHour, toHour] (open
 * when omitted) are read: the whole UTC days from skill_cost_daily and the
 * hours before the first and after the last whole day from
 * skill_cost_skill_hourly. Both hold the same sums as skill_cost_hourly
 * without the user dimension.
 */
export function costTotalPieces(fromHour: number | undefined, toHour: number | undefined): DaySplit {
  return splitDays(fromHour ?? -OPEN_HOURS, toHour ?? OPEN_HOURS);
}

/** Sums per-piece rows per (skill, rule), sorted by skill then rule (byte order, as both back-ends sort). */
export function mergeCostTotals(rows: readonly SkillCostTotal[]): SkillCostTotal[] {
  const by = new Map<string, SkillCostTotal>();
  for (const r of rows) {
    const k = `${r.skill}\u0000${r.attribution}`;
    const t = by.get(k);
    if (t) addCostSums(t, r);
    else by.set(k, { ...r });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...by.values()].sort((a, b) => cmp(a.skill, b.skill) || cmp(a.attribution, b.attribution));
}
