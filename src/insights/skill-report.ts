/**
 * The skill report: one answer per skill over the last N days — invocations,
 * success rate, p50/p95 duration, tokens and cost per invocation under each
 * attribution rule side by side, always-loaded tokens, last use, trend, flags
 * and a verdict with its reason (rules: analytics/skill-verdict.ts) — for
 * every skill used in the window and every item installed (inventory).
 *
 * Everything is read from rollups: window totals and duration histograms
 * (whole hours), daily sums for the daily trend, all-time totals for the
 * last use, the cost store's totals. The window is the current hour plus the
 * days × 24 − 1 whole hours before it, so invocations and costs (kept per
 * hour) cover exactly the same span. The daily trend alone covers whole UTC
 * days (the current day and the days − 1 before it, as get_skill_trend's):
 * the window's first day is partial and would count a few hours as a day.
 *
 * Installed or not is known only when the inventory lists at least one
 * item; an empty one (nothing found, e.g. on a team server where Claude Code
 * does not run) leaves it unknown rather than calling every skill uninstalled.
 * Where the inventory holds several items under one name (a user's and a
 * project's), the row is the one Claude Code loads.
 *
 * Per user (`subjectHash`): the user's own figures (all-time invocations and
 * success rate from the per-user rollup, last use, whether used in the
 * window, costs in the window) and the community figures (everyone's) only
 * when at least `communityMinUsers` distinct users used the skill in the
 * window; otherwise they are withheld, so no figure describes fewer than k
 * users. Nor does a name: as in the community baselines, a skill fewer than
 * k users used in the window is listed only when the user used it or it is
 * installed, else it is withheld (not listed, counted in `withheldSkills`).
 * Without a subject (an admin, the local user) the figures are everyone's
 * and nothing is withheld.
 */
import fs from 'node:fs';
import { skillActivationShares } from './skill-activations.js';
import type { SkillActivationShare } from '../analytics/skill-misses.js';
import { histogramQuantile } from '../analytics/histogram.js';
import { roundMs, roundRate } from '../analytics/round.js';
import { costFigure, isInstallable, judgeSkill, reportName, type CostFigure, type SkillFlag, type Verdict } from '../analytics/skill-verdict.js';
import { DAY_MS, skillTrendFits } from '../analytics/trend.js';
import { HOUR_MS, hourOf, type UserSkillStat } from '../analytics/types.js';
import type { InventoryItem, SkillInventory } from '../capture/skill-inventory-types.js';
import { AppError } from '../errors.js';
import type { AnalyticsQueries } from '../store/analytics-types.js';
import { addCostSums, type CostSums, zeroCostSums } from '../store/skill-cost-rollup.js';
import { ATTRIBUTIONS, type Attribution, type SkillCostStore, type SkillCostTotal } from '../store/skill-cost-types.js';

export const DEFAULT_REPORT_DAYS = 30;
export const MAX_REPORT_DAYS = 365;

export interface SkillReportDeps {
  queries: Pick<AnalyticsQueries, 'windowTotals' | 'windowHistograms' | 'dailyTotals' | 'skillTotals' | 'userSkillStats' | 'triggerHourly' | 'usersSince'>;
  /** Skill costs; null when the store has none (every cost is then "not measured"). */
  costs: Pick<SkillCostStore, 'totals'> | null;
  /** Reads what is installed (for a project directory, or user-level only); null when it cannot be read. */
  inventory: (projectDir: string | null) => Promise<SkillInventory>;
  now: () => number;
  /** Community figures need at least this many distinct users in the window (k). */
  communityMinUsers: number;
}

export interface SkillReportQuery {
  days: number;
  /** Only this skill (its report name: `skill:x`, `agent:x`, `mcp:server`, or a recorded name). */
  skill?: string;
  /** Report for this user (hash); null: everyone's figures. */
  subjectHash: string | null;
  /** Project whose project-level items count as installed; null: user-level and plugin items only. */
  projectDir: string | null;
  limit: number;
}

/** Tokens and cost of one attribution rule over the window. */
export interface ReportCost extends CostFigure {
  apiCalls: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
}

type CostByRule = Record<Attribution, ReportCost | null>;

interface SkillUsageFigures {
  invocations: number;
  successes: number;
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  lastUsedAt: number | null;
  usageTrend: string;
  successRateTrend: string;
  /**
   * The last third of the window's whole UTC days against the first third (analytics/trend.ts thirdsChange): the
   * current day and the days − 1 before it, as get_skill_trend's daily series; the window's partial first day is
   * left out of the trend (it would count a few hours as a day).
   */
  usageChangePercent: number | null;
  /** Why usageChangePercent is null; null when it is not. */
  usageChangeNote: string | null;
  /** Cost per rule; a rule without attributed calls is null (not measured). */
  cost: CostByRule;
  /**
   * Skill activations in the window by trigger (the agent's Skill call vs a
   * typed /name) and the slash-after-miss candidates (an estimate, see
   * analytics/skill-misses.ts); null when none was recorded with a trigger.
   */
  activations: SkillActivationShare | null;
}

interface SubjectFigures {
  invocationsAllTime: number;
  successesAllTime: number;
  successRateAllTime: number | null;
  lastUsedAt: number | null;
  usedInWindow: boolean;
  cost: CostByRule;
}

export interface SkillReportRow {
  skill: string;
  kind: InventoryItem['kind'] | 'tool';
  /** null when not known: no inventory read, or a name no inventory can list. */
  installed: boolean | null;
  scope: InventoryItem['scope'] | null;
  source: string | null;
  alwaysLoadedTokens: number | null;
  problems: string[];
  duplicates: string[];
  /**
   * An MCP server's tools under the names they were recorded with (`mcp__server__tool`, summed in this row), as
   * the live figures and trends name them; per user, only those the user used (a colleague's would tell who used
   * what). Empty for every other row.
   */
  tools: string[];
  /** Everyone's figures in the window; null when withheld (fewer than k users, per-user reports). */
  usage: SkillUsageFigures | null;
  /** The subject's own figures (per-user reports only). */
  subject: SubjectFigures | null;
  flags: SkillFlag[];
  verdict: Verdict;
  reason: string;
}

export interface SkillReport {
  fromMs: number;
  toMs: number;
  days: number;
  perUser: boolean;
  communityMinUsers: number;
  inventory: {
    read: boolean;
    error: string | null;
    items: number;
    searched: string[];
    estimator: string | null;
    /** Always-loaded tokens of the items whose cost is known (null: no inventory read). */
    alwaysLoadedTokens: number | null;
    /** MCP servers that load and whose tool list (unknown) is left out of alwaysLoadedTokens. */
    mcpServersNotCounted: number;
  };
  costsAvailable: boolean;
  /** The skills the report covers (listed or cut by the limit), withheld ones not included. */
  totalSkills: number;
  /**
   * Per user: of the skills asked for (all, or the one named), how many are withheld, not listed: fewer than k users
   * used them in the window, the user never did and they are not installed (else 0).
   */
  withheldSkills: number;
  /** Verdicts of all totalSkills skills, not only the listed. */
  verdicts: Record<Verdict, number>;
  rows: SkillReportRow[];
}

interface Agg {
  invocations: number;
  successes: number;
  lastAt: number;
  min: number;
  max: number;
  names: Set<string>;
}

const noCost = (): CostByRule => ({ stamped: null, bounded: null, telemetry: null });

/** An inventory read is reused this long (it walks the file system; installs change rarely). */
const INVENTORY_TTL_MS = 5_000;

export class SkillReportService {
  private readonly inventoryCache = new Map<string, { at: number; value: SkillInventory }>();

  constructor(private readonly deps: SkillReportDeps) {}

  async report(q: SkillReportQuery): Promise<SkillReport> {
    if (!Number.isInteger(q.days) || q.days < 1 || q.days > MAX_REPORT_DAYS)
      throw AppError.invalid('days', `must be an integer between 1 and ${MAX_REPORT_DAYS}`);
    // A mistyped directory would silently read as a project with no .claude/ items.
    if (q.projectDir !== null && !fs.statSync(q.projectDir, { throwIfNoEntry: false })?.isDirectory()) {
      throw AppError.invalid('project_dir', `must be an existing directory: ${q.projectDir}`);
    }
    const now = this.deps.now();
    const toHour = hourOf(now);
    const fromHour = toHour - q.days * 24 + 1;
    const range = { fromMs: fromHour * HOUR_MS, toMs: now };
    const perUser = q.subjectHash !== null;

    const [windowRows, totals, inventory, userStats] = await Promise.all([
      this.deps.queries.windowTotals(range),
      this.deps.queries.skillTotals(),
      this.readInventory(q.projectDir),
      perUser ? this.deps.queries.userSkillStats(q.subjectHash!) : Promise.resolve([] as UserSkillStat[]),
    ]);

    // Usage per report name (MCP tools under their server).
    const usage = new Map<string, Agg>();
    const agg = (name: string): Agg => {
      let a = usage.get(name);
      if (!a) usage.set(name, (a = { invocations: 0, successes: 0, lastAt: -Infinity, min: Infinity, max: -Infinity, names: new Set() }));
      return a;
    };
    for (const r of windowRows) {
      const a = agg(reportName(r.skill));
      a.names.add(r.skill);
      a.invocations += r.invocations;
      a.successes += r.successes;
      // The range of the measured invocations only (a row with none has no range).
      if (r.timed > 0 && r.durationMin != null) a.min = Math.min(a.min, r.durationMin);
      if (r.timed > 0 && r.durationMax != null) a.max = Math.max(a.max, r.durationMax);
    }
    const lastUsed = new Map<string, number>();
    const recordedNames = new Map<string, string[]>();
    for (const t of totals) {
      const name = reportName(t.skill);
      lastUsed.set(name, Math.max(lastUsed.get(name) ?? -Infinity, t.lastAt));
      recordedNames.set(name, [...(recordedNames.get(name) ?? []), t.skill]);
    }
    const items = new Map<string, InventoryItem>();
    // Under a name defined more than once, the item Claude Code loads (the inventory marks the others not loaded;
    // Session Buddy's own server, which loads too, is marked self).
    const loads = (i: InventoryItem) => i.state === 'loaded' || i.state === 'self';
    for (const item of inventory.value?.items ?? []) {
      const seen = items.get(item.skill);
      if (!seen || (!loads(seen) && loads(item))) items.set(item.skill, item);
    }
    // An empty inventory (nothing found: e.g. a server where Claude Code does not run) says nothing about what is installed.
    const inventoryKnown = items.size > 0;

    let names = [...new Set([...usage.keys(), ...items.keys()])];
    if (q.skill !== undefined) {
      const server = reportName(q.skill);
      if (server !== q.skill) {
        // One MCP tool (`mcp__slack__post`): the report judges each MCP server as a whole.
        throw AppError.invalid('skill', `'${q.skill}' is a tool of the MCP server '${server}', which the report judges as a whole: name '${server}'`);
      }
      if (!usage.has(q.skill) && !items.has(q.skill) && !recordedNames.has(q.skill)) {
        throw new AppError('NOT_FOUND', `skill: '${q.skill}' was never recorded and is not installed`, {
          field: 'skill',
          rule: 'must name a recorded or installed skill',
        });
      }
      names = [q.skill];
    }
    // Per user: the subject's rows.
    const subjectStats = new Map<string, { invocations: number; successes: number; lastAt: number }>();
    const subjectRecorded = new Map<string, string[]>();
    for (const s of userStats) {
      const n = reportName(s.skill);
      subjectRecorded.set(n, [...(subjectRecorded.get(n) ?? []), s.skill]);
      const cur = subjectStats.get(n) ?? { invocations: 0, successes: 0, lastAt: -Infinity };
      subjectStats.set(n, { invocations: cur.invocations + s.invocations, successes: cur.successes + s.successes, lastAt: Math.max(cur.lastAt, s.lastAt) });
    }
    // Per user: how many distinct users used each name in the window (their last use at or after its start), for
    // every name, since the order must not depend on a withheld figure.
    const windowUsers = perUser
      ? await this.deps.queries.usersSince(
          range.fromMs,
          names.filter((n) => recordedNames.has(n)).map((n) => ({ group: n, skills: recordedNames.get(n)! })),
          this.deps.communityMinUsers,
        )
      : [];
    const usersInWindow = new Map(windowUsers.map((g) => [g.group, g.users]));
    const shown = (n: string) => !perUser || (usersInWindow.get(n) ?? 0) >= this.deps.communityMinUsers;
    // Per user, as the community baselines: a skill fewer than k users used in the window is listed only when the
    // user used it (their own figures) or it is installed (its name then comes from the inventory, not from anyone's
    // use); any other name would tell that some colleague used it, so it is left out and only counted.
    const listable = (n: string) => shown(n) || (subjectStats.get(n)?.invocations ?? 0) > 0 || items.has(n);
    const asked = names.length;
    names = names.filter(listable);
    const withheld = asked - names.length;
    // Most used first. A per-user report orders by what it shows: the window's count where shown (a withheld count
    // counts as 0, as its rank would tell how often fewer than k users used it), then the user's own all-time uses.
    const count = (n: string) => (shown(n) ? (usage.get(n)?.invocations ?? 0) : 0);
    const own = (n: string) => subjectStats.get(n)?.invocations ?? 0;
    names.sort((a, b) => count(b) - count(a) || own(b) - own(a) || (a < b ? -1 : a > b ? 1 : 0));
    const totalSkills = names.length;
    const listed = names.slice(0, q.limit);

    // Histograms, hourly rows (trend) and costs, for the listed names only.
    const recorded = listed.flatMap((n) => recordedNames.get(n) ?? []);
    const costQuery = { fromHour, toHour, skills: recorded };
    const typedNames = recorded.filter((n) => n.startsWith('skill:'));
    const [histograms, hourly, costs, subjectCosts, activations] = await Promise.all([
      recorded.length > 0 ? this.deps.queries.windowHistograms(range, recorded) : Promise.resolve([]),
      this.deps.queries.dailyTotals({ fromHour, toHour, skills: recorded }),
      this.deps.costs && recorded.length > 0 ? this.deps.costs.totals(costQuery) : Promise.resolve([] as SkillCostTotal[]),
      this.deps.costs && perUser && recorded.length > 0
        ? this.deps.costs.totals({ ...costQuery, userHash: q.subjectHash! })
        : Promise.resolve([] as SkillCostTotal[]),
      typedNames.length > 0 ? skillActivationShares(this.deps.queries, { fromMs: range.fromMs, toMs: range.toMs, skills: typedNames }) : Promise.resolve([]),
    ]);
    const activationOf = new Map(activations.map((a) => [a.skill, a]));
    const buckets = groupBy(
      histograms,
      (h) => reportName(h.skill),
      (h) => h.buckets,
    );
    const hourRows = groupBy(
      hourly,
      (r) => reportName(r.skill),
      // Renamed only when the report name differs (an MCP server's tools, summed as one).
      (r) => {
        const name = reportName(r.skill);
        return [name === r.skill ? r : { ...r, skill: name }];
      },
    );
    const costRows = groupBy(
      costs,
      (c) => reportName(c.skill),
      (c) => [c],
    );
    const subjectCostRows = groupBy(
      subjectCosts,
      (c) => reportName(c.skill),
      (c) => [c],
    );

    const subjectOf = (name: string) => {
      const st = subjectStats.get(name);
      return {
        invocations: st?.invocations ?? 0,
        successes: st?.successes ?? 0,
        lastAt: st ? st.lastAt : null,
        usedInWindow: st !== undefined && st.lastAt >= range.fromMs,
      };
    };
    /** Flags and verdict need no histogram, trend or cost: every name is judged (the counts cover all), only the listed get the rest. */
    const judge = (name: string) => {
      const item = items.get(name) ?? null;
      const a = usage.get(name);
      const last = lastUsed.get(name);
      const sub = perUser ? subjectOf(name) : null;
      return judgeSkill({
        installable: isInstallable(name),
        inventoryRead: inventoryKnown,
        installed: item !== null,
        state: item?.state ?? null,
        problems: item?.problems ?? [],
        duplicates: item?.duplicates ?? [],
        windowInvocations: sub ? null : (a?.invocations ?? 0),
        usedInWindow: sub ? sub.usedInWindow : (a?.invocations ?? 0) > 0,
        lastUsedAt: sub ? sub.lastAt : last !== undefined && Number.isFinite(last) ? last : null,
        rateInvocations: sub ? sub.invocations : (a?.invocations ?? 0),
        rateSuccesses: sub ? sub.successes : (a?.successes ?? 0),
        alwaysLoadedTokens: item?.alwaysLoadedTokens ?? null,
        days: q.days,
        byUser: sub !== null,
      });
    };
    const verdicts: Record<Verdict, number> = { keep: 0, review: 0, remove: 0 };
    for (const n of names) verdicts[judge(n).verdict]++;

    // The daily trend covers whole UTC days only, as get_skill_trend's: the window's first day is partial (unless the
    // window starts at 00:00 UTC) and is left out, so the trend has the current day plus the days − 1 before it.
    const trendFromMs = Math.ceil(range.fromMs / DAY_MS) * DAY_MS;
    const rows = listed.map((name): SkillReportRow => {
      const item = items.get(name) ?? null;
      const a = usage.get(name);
      const invocations = a?.invocations ?? 0;
      const last = lastUsed.get(name);
      let usageFigures: SkillUsageFigures | null = null;
      if (shown(name)) {
        const b = buckets.get(name) ?? [];
        const observed = a && Number.isFinite(a.min) && Number.isFinite(a.max) ? { min: a.min, max: a.max } : null;
        const trend = skillTrendFits({ rows: hourRows.get(name) ?? [], granularity: 'day', fromMs: trendFromMs, toMs: range.toMs + 1 });
        usageFigures = {
          invocations,
          successes: a?.successes ?? 0,
          successRate: invocations > 0 ? roundRate(a!.successes / invocations) : null,
          p50Ms: roundMs(histogramQuantile(b, 0.5, observed)),
          p95Ms: roundMs(histogramQuantile(b, 0.95, observed)),
          lastUsedAt: last !== undefined && Number.isFinite(last) ? last : null,
          usageTrend: trend.usage_trend.classification,
          successRateTrend: trend.success_rate_trend.classification,
          usageChangePercent: trend.usage_trend.change_percent,
          usageChangeNote: trend.usage_trend.change_note,
          cost: costByRule(costRows.get(name) ?? [], invocations),
          activations: activationOf.get(name) ?? null,
        };
      }
      let subject: SubjectFigures | null = null;
      if (perUser) {
        const sub = subjectOf(name);
        subject = {
          invocationsAllTime: sub.invocations,
          successesAllTime: sub.successes,
          successRateAllTime: sub.invocations > 0 ? roundRate(sub.successes / sub.invocations) : null,
          lastUsedAt: sub.lastAt,
          usedInWindow: sub.usedInWindow,
          cost: costByRule(subjectCostRows.get(name) ?? [], null),
        };
      }
      const judged = judge(name);
      return {
        skill: name,
        kind: item?.kind ?? kindOf(name),
        installed: !inventoryKnown || !isInstallable(name) ? null : item !== null,
        scope: item?.scope ?? null,
        source: item?.source ?? null,
        alwaysLoadedTokens: item?.alwaysLoadedTokens ?? null,
        problems: item?.problems ?? [],
        duplicates: item?.duplicates ?? [],
        tools: toolsOf(name, (perUser ? subjectRecorded : recordedNames).get(name) ?? []),
        usage: usageFigures,
        subject,
        ...judged,
      };
    });

    const inv = inventory.value;
    const installedTokens = inv?.items.map((i) => i.alwaysLoadedTokens) ?? [];
    // As `inventory` prints it: the known tokens, and how many servers' tool lists (unknown) are left out.
    const known = installedTokens.reduce<number>((s, t) => s + (t ?? 0), 0);
    return {
      fromMs: range.fromMs,
      toMs: range.toMs,
      days: q.days,
      perUser,
      communityMinUsers: this.deps.communityMinUsers,
      inventory: {
        read: inv !== null,
        error: inventory.error,
        items: inv?.items.length ?? 0,
        searched: inv?.searched ?? [],
        estimator: inv?.estimator ?? null,
        alwaysLoadedTokens: inv === null ? null : known,
        mcpServersNotCounted: installedTokens.filter((t) => t === null).length,
      },
      costsAvailable: this.deps.costs !== null,
      totalSkills,
      withheldSkills: withheld,
      verdicts,
      rows,
    };
  }

  private async readInventory(projectDir: string | null): Promise<{ value: SkillInventory | null; error: string | null }> {
    const key = projectDir ?? '';
    const now = this.deps.now();
    const hit = this.inventoryCache.get(key);
    if (hit && now - hit.at >= 0 && now - hit.at < INVENTORY_TTL_MS) return { value: hit.value, error: null };
    try {
      const value = await this.deps.inventory(projectDir);
      if (this.inventoryCache.size >= 16) this.inventoryCache.clear();
      this.inventoryCache.set(key, { at: now, value });
      return { value, error: null };
    } catch (err) {
      return { value: null, error: err instanceof Error ? err.message : String(err) };
    }
  }
}

/** The recorded names summed under a report name other than itself (an MCP server's tools), sorted. */
function toolsOf(name: string, recorded: readonly string[]): string[] {
  return [...new Set(recorded.filter((r) => r !== name))].sort();
}

function kindOf(name: string): SkillReportRow['kind'] {
  if (name.startsWith('skill:')) return 'skill';
  if (name.startsWith('agent:')) return 'agent';
  if (name.startsWith('mcp:')) return 'mcp-server';
  return 'tool';
}

function groupBy<T, V>(list: readonly T[], key: (t: T) => string, values: (t: T) => readonly V[]): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const t of list) {
    const k = key(t);
    const cur = out.get(k);
    if (cur) cur.push(...values(t));
    else out.set(k, [...values(t)]);
  }
  return out;
}

/** Sums the cost rows of one report name per rule; a rule without attributed calls is null (not measured). */
function costByRule(rows: readonly SkillCostTotal[], invocations: number | null): CostByRule {
  const out = noCost();
  // One pass: per rule, the sums of its rows (in row order) and the cost.
  const sums = new Map<Attribution, CostSums>();
  for (const r of rows) {
    let t = sums.get(r.attribution);
    if (!t) sums.set(r.attribution, (t = zeroCostSums()));
    addCostSums(t, r);
  }
  for (const rule of ATTRIBUTIONS) {
    const t = sums.get(rule);
    if (!t || t.apiCalls === 0) continue;
    const tokens = t.inputTokens + t.outputTokens + t.cacheWriteTokens + t.cacheReadTokens;
    const { apiCalls, unpricedCalls, inputTokens, outputTokens, cacheWriteTokens, cacheReadTokens } = t;
    out[rule] = {
      apiCalls,
      unpricedCalls,
      inputTokens,
      outputTokens,
      cacheWriteTokens,
      cacheReadTokens,
      ...costFigure({ costUsd: t.costUsd, unpricedCalls, tokens }, invocations),
    };
  }
  return out;
}
