import { SLASH_AFTER_MISS_RULE } from '../../analytics/skill-misses.js';
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { VERDICT_RULE } from '../../analytics/skill-verdict.js';
import { DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS, type ReportCost, type SkillReport, type SkillReportRow } from '../../insights/skill-report.js';
import type { ATTRIBUTIONS } from '../../store/skill-cost-types.js';
import { NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE } from '../../validation.js';
import { subjectUserHash } from '../caller-identity.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { intField, skillNameField } from './analytics-window.js';
import { userIdField } from './insight-fields.js';

const costSchema = z
  .object({
    api_calls: z.number().int(),
    unpriced_calls: z.number().int().describe('Calls whose model has no price: while any exist the cost is unknown'),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cache_write_tokens: z.number().int(),
    cache_read_tokens: z.number().int(),
    tokens: z.number().int(),
    tokens_per_invocation: z.number().nullable(),
    cost_usd: z.number().nullable().describe('null: unknown (a call had no price), never a partial sum'),
    cost_per_invocation_usd: z.number().nullable(),
    cost: z.enum(['measured', 'unknown']),
  })
  .nullable()
  .describe('null: no call attributed under this rule (not measured)');

const costsSchema = z.object({ stamped: costSchema, bounded: costSchema, telemetry: costSchema });

const rowSchema = z.object({
  skill: z.string(),
  kind: z.enum(['skill', 'command', 'agent', 'mcp-server', 'tool']),
  installed: z.boolean().nullable().describe('null: unknown (no inventory read, or a built-in tool)'),
  scope: z.enum(['user', 'project', 'plugin']).nullable(),
  source: z.string().nullable(),
  always_loaded_tokens: z.number().nullable().describe('Estimated tokens added to every session (0: not loaded or turned off); null: unknown'),
  problems: z.array(z.string()).describe('Why it does not load or is off, or (when it loads) what is wrong with it; see flags'),
  duplicates: z.array(z.string()),
  tools: z
    .array(z.string())
    .describe(
      "An MCP server's tools as recorded (mcp__server__tool), summed in this row; the names get_real_time_metrics, get_skill_trend and the " +
        "dashboard's Top skills use. Per user, only those the user used. Empty for every other row",
    ),
  usage: z
    .object({
      invocations: z.number().int(),
      successes: z.number().int(),
      success_rate: z.number().nullable(),
      p50_duration_ms: z.number().nullable(),
      p95_duration_ms: z.number().nullable(),
      last_used: z.string().nullable(),
      trend: z.object({
        usage: z.string(),
        usage_change_percent: z
          .number()
          .nullable()
          .describe(
            "Mean daily invocations of the last third of the window's whole UTC days against the first third, in percent, as get_skill_trend's " +
              'change_percent (granularity day, same days): the current day and the days-1 before it; the partial first day of the window is left out',
          ),
        usage_change_note: z.string().nullable().describe('Why usage_change_percent is null; null when it is not'),
        success_rate: z.string(),
      }),
      cost: costsSchema,
      activations: z
        .object({
          model: z.number().int().describe('Activations by the agent (Skill tool calls)'),
          typed: z.number().int().describe('Activations the user typed (/name)'),
          automatic_share: z.number().nullable(),
          typed_share: z.number().nullable(),
          candidate_misses: z.number().int().describe('Typed activations after a prompt that did not use the skill (slash after miss): an estimate'),
          estimate: z.literal(true),
        })
        .nullable()
        .describe('Skill activations by trigger; null when none was recorded with a trigger'),
    })
    .nullable()
    .describe("Everyone's figures in the window; null when withheld (fewer than k users)"),
  you: z
    .object({
      invocations_all_time: z.number().int(),
      success_rate_all_time: z.number().nullable(),
      last_used: z.string().nullable(),
      used_in_window: z.boolean(),
      cost: costsSchema,
    })
    .nullable(),
  flags: z.array(z.string()),
  verdict: z.enum(['keep', 'review', 'remove']),
  reason: z.string(),
});

const skillReportOutputShape = {
  window: z.object({ from: z.string(), to: z.string(), days: z.number().int() }),
  per_user: z.boolean(),
  community_min_users: z.number().int(),
  inventory: z.object({
    read: z.boolean(),
    error: z.string().nullable(),
    items: z.number().int(),
    always_loaded_tokens: z.number().nullable().describe('Always-loaded tokens of the installed items whose cost is known; null: no inventory read'),
    mcp_servers_not_counted: z.number().int().describe('MCP servers that load and whose tool lists (unknown) are left out of always_loaded_tokens'),
    searched: z.array(z.string()),
    estimator: z.string().nullable(),
  }),
  costs_available: z.boolean(),
  total_skills: z.number().int().describe('Skills the report covers (listed or cut by limit); withheld skills are not counted'),
  withheld_skills: z
    .number()
    .int()
    .describe(
      'Per user: skills (all, or the one named) withheld, not listed: fewer than k users used them in the window, the user never did and they are not installed (0 unless per_user)',
    ),
  verdicts: z.object({ keep: z.number().int(), review: z.number().int(), remove: z.number().int() }),
  skills: z.array(rowSchema),
  verdict_rule: z.string(),
  activation_rule: z.string().describe('How candidate_misses is counted (an estimate)'),
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function costOut(c: ReportCost | null): z.infer<typeof costSchema> {
  if (c === null) return null;
  const tokens = c.inputTokens + c.outputTokens + c.cacheWriteTokens + c.cacheReadTokens;
  return {
    api_calls: c.apiCalls,
    unpriced_calls: c.unpricedCalls,
    input_tokens: c.inputTokens,
    output_tokens: c.outputTokens,
    cache_write_tokens: c.cacheWriteTokens,
    cache_read_tokens: c.cacheReadTokens,
    tokens,
    tokens_per_invocation: c.tokensPerInvocation,
    cost_usd: c.costUsd,
    cost_per_invocation_usd: c.costPerInvocationUsd,
    cost: c.costUsd === null ? 'unknown' : 'measured',
  };
}

const costsOut = (c: Record<(typeof ATTRIBUTIONS)[number], ReportCost | null>) => ({
  stamped: costOut(c.stamped),
  bounded: costOut(c.bounded),
  telemetry: costOut(c.telemetry),
});

function rowOut(r: SkillReportRow): z.infer<typeof rowSchema> {
  const u = r.usage;
  const s = r.subject;
  return {
    skill: r.skill,
    kind: r.kind,
    installed: r.installed,
    scope: r.scope,
    source: r.source,
    always_loaded_tokens: r.alwaysLoadedTokens,
    problems: r.problems,
    duplicates: r.duplicates,
    tools: r.tools,
    usage: u && {
      invocations: u.invocations,
      successes: u.successes,
      success_rate: u.successRate,
      p50_duration_ms: u.p50Ms,
      p95_duration_ms: u.p95Ms,
      last_used: iso(u.lastUsedAt),
      trend: { usage: u.usageTrend, usage_change_percent: u.usageChangePercent, usage_change_note: u.usageChangeNote, success_rate: u.successRateTrend },
      cost: costsOut(u.cost),
      activations: u.activations && {
        model: u.activations.model,
        typed: u.activations.typed,
        automatic_share: u.activations.automatic_share,
        typed_share: u.activations.typed_share,
        candidate_misses: u.activations.candidate_misses,
        estimate: true,
      },
    },
    you: s && {
      invocations_all_time: s.invocationsAllTime,
      success_rate_all_time: s.successRateAllTime,
      last_used: iso(s.lastUsedAt),
      used_in_window: s.usedInWindow,
      cost: costsOut(s.cost),
    },
    flags: r.flags,
    verdict: r.verdict,
    reason: r.reason,
  };
}

/** The report as the tool, `session-buddy skills --json` and the dashboard give it. */
export function skillReportJson(r: SkillReport) {
  return {
    window: { from: new Date(r.fromMs).toISOString(), to: new Date(r.toMs).toISOString(), days: r.days },
    per_user: r.perUser,
    community_min_users: r.communityMinUsers,
    inventory: {
      read: r.inventory.read,
      error: r.inventory.error,
      items: r.inventory.items,
      always_loaded_tokens: r.inventory.alwaysLoadedTokens,
      mcp_servers_not_counted: r.inventory.mcpServersNotCounted,
      searched: r.inventory.searched,
      estimator: r.inventory.estimator,
    },
    costs_available: r.costsAvailable,
    total_skills: r.totalSkills,
    withheld_skills: r.withheldSkills,
    verdicts: r.verdicts,
    skills: r.rows.map(rowOut),
    verdict_rule: VERDICT_RULE,
    activation_rule: SLASH_AFTER_MISS_RULE,
  };
}

/** A short summary of the report in words. */
function skillReportText(r: SkillReport): string {
  const v = r.verdicts;
  const head = `${r.totalSkills} skill(s) over the last ${r.days} days${r.rows.length < r.totalSkills ? ` (${r.rows.length} listed)` : ''}: ${v.keep} keep, ${v.review} review, ${v.remove} remove.`;
  const inv =
    (r.inventory.read ? ` Inventory: ${r.inventory.items} installed item(s).` : ` Inventory not read${r.inventory.error ? ` (${r.inventory.error})` : ''}.`) +
    (r.withheldSkills > 0
      ? ` ${r.withheldSkills} skill(s) withheld, not listed: fewer than ${r.communityMinUsers} users used them in the window, this user did not and they are not installed.`
      : '');
  const worst = r.rows
    .filter((row) => row.verdict !== 'keep')
    .slice(0, 5)
    .map((row) => `${row.skill}: ${row.verdict} — ${row.reason}`);
  // One skill (asked for by name): its own figures in words, not only the counts of verdicts.
  if (r.rows.length === 1 && r.totalSkills === 1) return `${head}${inv} ${skillRowText(r.rows[0]!, r)}`;
  return head + inv + (worst.length > 0 ? ` ${worst.join('; ')}.` : '');
}

/** One skill's verdict and figures in a sentence or two. */
function skillRowText(row: SkillReport['rows'][number], r: SkillReport): string {
  const pct = (x: number | null) => (x === null ? 'success rate not measured' : `${(x * 100).toFixed(1)}% successful`);
  const ms = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x)} ms`);
  const date = (x: number | null) => (x === null ? 'never' : new Date(x).toISOString());
  const parts = [`${row.skill}: ${row.verdict} — ${row.reason}.`];
  const u = row.usage;
  if (u) {
    const costs = (['bounded', 'stamped', 'telemetry'] as const)
      .filter((rule) => u.cost[rule] !== null)
      .map((rule) => `${rule} ${u.cost[rule]!.costUsd === null ? 'unknown (unpriced calls)' : `$${u.cost[rule]!.costUsd!.toFixed(4)}`}`);
    parts.push(
      `Over the ${r.days} days: ${u.invocations} invocation(s), ${pct(u.successRate)}, p50 ${ms(u.p50Ms)}, p95 ${ms(u.p95Ms)}, last used ${date(u.lastUsedAt)}` +
        (costs.length > 0 ? `; cost ${costs.join(', ')}.` : '.'),
    );
  } else if (r.perUser) {
    parts.push(`Figures across users withheld: fewer than ${r.communityMinUsers} users used it in the window.`);
  }
  const me = row.subject;
  if (me) {
    parts.push(
      `This user: ${me.invocationsAllTime} invocation(s) all time, ${pct(me.successRateAllTime)}, last used ${date(me.lastUsedAt)}` +
        `${me.usedInWindow ? '' : ', not in the window'}.`,
    );
  }
  return parts.join(' ');
}

const projectDirField = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters')
  .regex(NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE)
  .refine((p) => path.isAbsolute(p), 'must be an absolute path');

export function registerGetSkillReportTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'get_skill_report',
      title: 'Skill report',
      description:
        'One answer per skill over the last `days` days: invocations, success rate, p50/p95 duration, tokens and cost ' +
        'per invocation under each attribution rule side by side (stamped, bounded, telemetry; cost null = unknown when a ' +
        'call has no price), always-loaded tokens of installed items, last use, daily trend, flags and a verdict ' +
        '(keep / review / remove) with its reason. Installed but unused items and used but uninstalled ones are listed. ' +
        "With user_id, the user's own figures, and everyone's only where at least k users contribute; a skill fewer " +
        'than k users used in the window is listed only when the user used it or it is installed (the others are ' +
        'withheld: not listed, counted in withheld_skills). ' +
        VERDICT_RULE,
      inputSchema: {
        skill: skillNameField.optional().describe('Only this skill (`skill:x`, `agent:x`, `mcp:server` or a recorded name)'),
        days: intField(1, MAX_REPORT_DAYS).default(DEFAULT_REPORT_DAYS).describe('Window: the last N days (the current hour and the N×24−1 before it)'),
        user_id: userIdField.optional().describe('Report for this user (hashed, never stored or echoed)'),
        project_dir: projectDirField
          .optional()
          .describe('Absolute project directory whose .claude/ items count as installed; default: user-level and plugin items'),
        limit: intField(1, 1000)
          .default(100)
          .describe("At most this many skills, most used first (per user: by the figures shown, withheld counting as 0, then the user's own uses)"),
      },
      outputSchema: skillReportOutputShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ skill, days, user_id, project_dir, limit }) => {
      const subjectHash = subjectUserHash(deps.caller, deps.hashUser, user_id);
      const report = await deps.skillReport.report({
        days,
        ...(skill !== undefined ? { skill } : {}),
        subjectHash,
        projectDir: project_dir ?? null,
        limit,
      });
      return { structured: skillReportJson(report), text: skillReportText(report) };
    },
  );
}
