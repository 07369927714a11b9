/**
 * The skill report's judgement of one skill: status flags and a verdict
 * (keep / review / remove) with its reason in words. Pure: the service
 * (insights/skill-report.ts) gathers the figures, this decides. Whether an installed
 * item loads is the inventory's `state` (capture/skill-inventory.ts), the
 * same fact that makes it cost tokens or 0, never "it has a problem".
 *
 * Flags:
 *   not_installed      — used in the window, an installable kind (`skill:`,
 *                        `agent:`, `mcp:`), an inventory was read, and it is
 *                        not in it. The report cannot know whether it ever was.
 *   broken             — installed and it does not load (state `not_loaded`:
 *                        it cannot load, or another definition of its name
 *                        takes precedence; it costs 0).
 *   turned_off         — installed and the user turned it off (state `off`,
 *                        e.g. `disabledMcpjsonServers`; it costs 0).
 *   loads_with_problem — installed, it loads, and the inventory found a
 *                        problem (e.g. no front matter: Claude Code falls back).
 *   duplicate          — installed, and another item's description is near-identical.
 *   never_used         — installed, and no invocation was ever recorded.
 *   unused             — installed, used before, but not in the window.
 *   rarely_used        — installed, used in the window but fewer than one time
 *                        per RARE_DAYS_PER_USE days on average (30 days: once or twice).
 *   failing            — at least MIN_RUNS_FOR_FAILING invocations and a
 *                        success rate below FAILING_SUCCESS_RATE.
 *
 * Verdict, first rule that applies:
 *   1. broken             → remove  (it does not load; fix it or remove it)
 *   2. turned_off         → keep    (off on purpose: not loaded, costs nothing)
 *   3. state `self`       → keep    (Session Buddy's own MCP server: it records
 *                                    the others; never judged on its use)
 *   4. never_used/unused  → remove  (installed, no use in the window; its
 *                                    always-loaded tokens are paid in every session)
 *   5. not_installed      → review  (used but not installed)
 *   6. failing            → review
 *   7. loads_with_problem → review  (fix the problem)
 *   8. duplicate          → review  (keep one of the near-identical items)
 *   9. rarely_used        → review
 *  10. otherwise          → keep    (used, succeeding)
 * Names that cannot be installed (built-in tools, names recorded by other
 * clients) only get `failing` → review, else keep.
 */
import { roundTo } from './round.js';

/**
 * Whether an installed item loads (the inventory decides it where it records the item's problems,
 * capture/skill-inventory.ts); `self`: Session Buddy's own MCP server, recognised by its command
 * (it records the others, so it is never recommended for removal).
 */
export type InventoryState = 'loaded' | 'not_loaded' | 'off' | 'self';

export type SkillFlag = 'not_installed' | 'broken' | 'turned_off' | 'loads_with_problem' | 'duplicate' | 'never_used' | 'unused' | 'rarely_used' | 'failing';
export type Verdict = 'keep' | 'review' | 'remove';

/** Fewer invocations than window days / RARE_DAYS_PER_USE in the window is rare use. */
const RARE_DAYS_PER_USE = 10;
/** Fewer invocations than this cannot show a skill failing. */
const MIN_RUNS_FOR_FAILING = 5;
/** A success rate below this (with enough invocations) is failing. */
const FAILING_SUCCESS_RATE = 0.5;

export const VERDICT_RULE =
  'Flags: not_installed (used in the window, an installable kind, absent from the inventory read), broken (installed and ' +
  'it does not load: it cannot load, or another definition of the name takes precedence; it costs 0), turned_off ' +
  '(installed, turned off by the user, e.g. disabledMcpjsonServers; it costs 0), loads_with_problem (installed, it loads, ' +
  'the inventory found a problem, e.g. no front matter), duplicate (near-identical description to another item), never_used ' +
  '(installed, never recorded), unused (installed, used before but not in the window), rarely_used (installed, used fewer ' +
  `than once per ${RARE_DAYS_PER_USE} days of the window), failing (at least ${MIN_RUNS_FOR_FAILING} invocations and success ` +
  `rate below ${FAILING_SUCCESS_RATE * 100}%). Verdict, first rule that applies: broken → remove; turned_off → keep; ` +
  "inventory state self (Session Buddy's own MCP server, recognised by its command) → keep; never_used or unused → " +
  'remove; not_installed → review; failing → review; loads_with_problem → review; duplicate → review; rarely_used → ' +
  'review; otherwise keep. Names that cannot be installed (built-in tools) are judged on failing only.';

export interface JudgeInput {
  /** Whether the name is of a kind the inventory lists (`skill:`, `agent:`, `mcp:`). */
  installable: boolean;
  /** Whether an inventory was read at all (false: installed/not installed is unknown). */
  inventoryRead: boolean;
  /** In the inventory. */
  installed: boolean;
  /** The installed item's state (the inventory's); null when not installed. */
  state: InventoryState | null;
  /** The installed item's problems (why it does not load, why it is off, or warnings when it loads). */
  problems: readonly string[];
  duplicates: readonly string[];
  /** Invocations in the window; null when the window count is not known (then rarely_used is not judged). */
  windowInvocations: number | null;
  /** Whether it was used in the window (known exactly from the last use). */
  usedInWindow: boolean;
  /** Last use ever, epoch ms; null: never recorded. */
  lastUsedAt: number | null;
  /** Invocations and successes the success rate is judged on. */
  rateInvocations: number;
  rateSuccesses: number;
  /** Always-loaded tokens of the installed item; null when unknown. */
  alwaysLoadedTokens: number | null;
  days: number;
  /** The use and success figures are one user's (a per-user report): the reason says so. */
  byUser?: boolean;
}

export interface SkillJudgement {
  flags: SkillFlag[];
  verdict: Verdict;
  reason: string;
}

function pct(rate: number): string {
  return `${roundTo(rate * 100, 1)}%`;
}

function loadCost(tokens: number | null): string {
  return tokens === null ? 'its always-loaded cost is unknown' : `it adds about ${tokens} tokens to every session`;
}

/** Flags of one skill (order as in SkillFlag). */
export function skillFlags(i: JudgeInput): SkillFlag[] {
  const flags: SkillFlag[] = [];
  const installedItem = i.installable && i.installed;
  if (i.installable && i.inventoryRead && !i.installed && i.usedInWindow) flags.push('not_installed');
  if (installedItem && i.state === 'not_loaded') flags.push('broken');
  if (installedItem && i.state === 'off') flags.push('turned_off');
  if (installedItem && i.state === 'loaded' && i.problems.length > 0) flags.push('loads_with_problem');
  if (installedItem && i.duplicates.length > 0) flags.push('duplicate');
  if (installedItem && i.lastUsedAt === null) flags.push('never_used');
  else if (installedItem && !i.usedInWindow) flags.push('unused');
  else if (installedItem && i.windowInvocations !== null && i.windowInvocations > 0 && i.windowInvocations * RARE_DAYS_PER_USE < i.days) {
    flags.push('rarely_used');
  }
  if (i.rateInvocations >= MIN_RUNS_FOR_FAILING && i.rateSuccesses / i.rateInvocations < FAILING_SUCCESS_RATE) flags.push('failing');
  return flags;
}

/** Flags, verdict and reason of one skill (rules: see the module comment and VERDICT_RULE). */
export function judgeSkill(i: JudgeInput): SkillJudgement {
  const flags = skillFlags(i);
  const has = (f: SkillFlag) => flags.includes(f);
  const rate = i.rateInvocations > 0 ? i.rateSuccesses / i.rateInvocations : null;
  const used = i.windowInvocations === null ? 'used' : `used ${i.windowInvocations}×`;
  const inDays = `${i.byUser ? 'by this user ' : ''}in the last ${i.days} days`;
  const invocations = i.byUser ? "of this user's" : 'of';
  const problems = i.problems.join('; ');
  if (has('broken')) return { flags, verdict: 'remove', reason: `does not load (${problems}): fix it or remove it` };
  if (has('turned_off')) return { flags, verdict: 'keep', reason: `${problems === '' ? 'turned off' : problems}: not loaded, costs nothing` };
  if (i.installable && i.installed && i.state === 'self')
    return { flags, verdict: 'keep', reason: `this tool (records the others)${problems === '' ? '' : `; ${problems}`}` };
  if (has('never_used'))
    return { flags, verdict: 'remove', reason: `installed but never used${i.byUser ? ' by this user' : ''}; ${loadCost(i.alwaysLoadedTokens)}` };
  if (has('unused')) {
    const last = new Date(i.lastUsedAt!).toISOString().slice(0, 10);
    return { flags, verdict: 'remove', reason: `not used ${inDays} (last used ${last}); ${loadCost(i.alwaysLoadedTokens)}` };
  }
  if (has('not_installed')) return { flags, verdict: 'review', reason: `${used} ${inDays} but not installed: install it or stop relying on it` };
  if (has('failing')) return { flags, verdict: 'review', reason: `fails ${pct(1 - (rate ?? 0))} ${invocations} ${i.rateInvocations} invocations` };
  if (has('loads_with_problem')) return { flags, verdict: 'review', reason: `loads with a problem (${problems}): fix it` };
  if (has('duplicate')) return { flags, verdict: 'review', reason: `near-identical description to ${i.duplicates.join(', ')}: keep one` };
  if (has('rarely_used')) return { flags, verdict: 'review', reason: `${used} ${inDays} (rarely) while ${loadCost(i.alwaysLoadedTokens)}` };
  if (!i.usedInWindow) return { flags, verdict: 'keep', reason: `not used ${inDays}; not an installed item` };
  return { flags, verdict: 'keep', reason: `${used} ${inDays}${rate === null ? '' : `, ${pct(rate)} succeeded`}` };
}

/** Cost of one attribution rule as reported: "unknown" (null) whenever a call had no price, never a partial sum. */
export interface CostFigure {
  /** Total USD; null when any attributed call had no price (unknown, not 0). */
  costUsd: number | null;
  /** Per invocation; null when the cost is unknown or there were no invocations. */
  costPerInvocationUsd: number | null;
  tokens: number;
  tokensPerInvocation: number | null;
}

/**
 * Cost of one skill under one rule over the window. `costUsd` is null
 * ("unknown") when unpricedCalls > 0: a sum over the priced calls alone would
 * present a guess as a measurement. Per-invocation figures divide by the
 * window's invocations (null when there were none).
 */
export function costFigure(t: { costUsd: number; unpricedCalls: number; tokens: number }, invocations: number | null): CostFigure {
  const cost = t.unpricedCalls > 0 ? null : t.costUsd;
  const per = invocations !== null && invocations > 0 ? invocations : null;
  return {
    costUsd: cost === null ? null : roundTo(cost, 6),
    costPerInvocationUsd: cost === null || per === null ? null : roundTo(cost / per, 6),
    tokens: t.tokens,
    tokensPerInvocation: per === null ? null : roundTo(t.tokens / per, 1),
  };
}

/** The name an invocation counts under in the report: MCP tools (`mcp__server__tool`) under their server (`mcp:server`). */
export function reportName(recorded: string): string {
  const m = /^mcp__(.+?)__./.exec(recorded);
  return m ? `mcp:${m[1]}` : recorded;
}

/** Claude Code's built-in subagent types: never in an inventory, never "not installed". */
const BUILT_IN_AGENTS = new Set(['general-purpose', 'explore', 'plan', 'statusline-setup', 'output-style-setup']);

/** Whether the inventory can list a name (skills and commands, subagents other than the built-in ones, MCP servers). */
export function isInstallable(name: string): boolean {
  if (name.startsWith('agent:') && BUILT_IN_AGENTS.has(name.slice(6).toLowerCase())) return false;
  return /^(skill|agent|mcp):./.test(name);
}
