import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { type SkillActivationShare, SLASH_AFTER_MISS_RULE } from '../../analytics/skill-misses.js';
import { DAY_MS, type SkillTrend, skillTrend } from '../../analytics/trend.js';
import { skillTriggerTrend } from '../../insights/skill-activations.js';
import { HOUR_MS, hourOf } from '../../analytics/types.js';
import { AppError } from '../../errors.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { createAnalyticsContext, hoursRange, intField, requireSkill, skillNameField, hoursRangeSchema, type AnalyticsContext } from './analytics-window.js';

const fitSchema = <C extends [string, ...string[]]>(labels: C) =>
  z.object({
    slope_per_bucket: z.number().nullable(),
    intercept: z.number().nullable(),
    r_squared: z.number().nullable(),
    n_points: z.number().int(),
    p_value: z.number().nullable(),
    start_value: z.number().nullable().describe('Fitted value at the first fitted bucket'),
    end_value: z.number().nullable().describe('Fitted value at the last fitted bucket'),
    change_percent: z
      .number()
      .nullable()
      .describe('Mean of the last third of the fitted buckets against the mean of the first third (⌈n_points / 3⌉ each), in percent of the first'),
    change_note: z.string().nullable().describe('Why change_percent is null; null when it is not'),
    classification: z.enum([...labels, 'insufficient_data']),
  });

/** Longest range with hourly buckets (744 points): longer hourly series are too large to be useful in a reply. */
const MAX_HOURLY_DAYS = 31;

const TREND_WINDOW_RULE =
  'The series covers the current (partial) UTC day plus the days-1 full days before it (granularity day), or the ' +
  'current (partial) hour plus the days×24-1 full hours before it (granularity hour). The last bucket is still ' +
  'filling, which can pull the usage fit down; the success-rate fit is per bucket and not biased by it.';

const byTriggerSchema = z.object({
  points: z.array(
    z.object({
      bucket_start: z.string(),
      model: z.number().int().describe('Activations the agent started (Skill tool)'),
      typed: z.number().int().describe('Activations the user typed (/name)'),
      slash_after_miss: z.number().int().describe('Typed activations that are candidate misses (an estimate, see rule)'),
    }),
  ),
  shares: z
    .object({
      skill: z.string(),
      model: z.number().int(),
      typed: z.number().int(),
      automatic_share: z.number().nullable(),
      typed_share: z.number().nullable(),
      candidate_misses: z.number().int(),
    })
    .nullable()
    .describe('Totals over the window; null when the skill had no Skill-tool or typed activation'),
  rule: z.string().describe('The slash-after-miss rule: candidate misses are an estimate'),
});

/** ", +12.5% last third vs first third", or nothing when there is no percentage. */
function changeText(changePercent: number | null): string {
  return changePercent === null ? '' : `, ${changePercent > 0 ? '+' : ''}${changePercent}% last third vs first third`;
}

function trendText(skill: string, trend: SkillTrend, granularity: string, from: string): string {
  const total = trend.points.reduce((n, p) => n + p.invocations, 0);
  const sr = trend.success_rate_trend;
  const usage = trend.usage_trend;
  return (
    `${skill}: ${total} invocations over ${trend.points.length} ${granularity} bucket(s) since ${from}. ` +
    `Success rate ${sr.classification}` +
    (sr.slope_per_bucket !== null
      ? ` (fitted ${sr.start_value} → ${sr.end_value}${changeText(sr.change_percent)}; slope ${sr.slope_per_bucket}/${granularity}, p=${sr.p_value})`
      : '') +
    `; usage ${usage.classification}` +
    (usage.slope_per_bucket !== null ? ` (slope ${usage.slope_per_bucket}/${granularity}, p=${usage.p_value}${changeText(usage.change_percent)})` : '') +
    '.'
  );
}

function sharesText(s: SkillActivationShare): string {
  return ` Activations: ${s.model} automatic, ${s.typed} typed; ${s.candidate_misses} typed right after a prompt that did not use it (candidate misses, an estimate).`;
}

export function registerGetSkillTrendTool(server: McpServer, deps: ToolDeps, ctx: AnalyticsContext = createAnalyticsContext(deps)): void {
  defineTool(
    server,
    deps,
    {
      name: 'get_skill_trend',
      title: 'Skill trend',
      description:
        'Hourly or daily time series of one skill (invocations, success rate, mean duration) with least-squares ' +
        'slopes: success rate improving / stable / declining and usage rising / flat / falling, a slope counting ' +
        'only when its two-sided p-value is below 0.05. change_percent compares the mean of the last third of the ' +
        'fitted buckets with the mean of the first third (not the fitted line, whose start can be near 0), null with ' +
        `change_note when the first third averages 0. Hourly granularity allows at most ${MAX_HOURLY_DAYS} days. ` +
        TREND_WINDOW_RULE,
      inputSchema: {
        skill_name: skillNameField.describe('Skill to analyse'),
        days: intField(1, 365).default(7).describe('How many days back, counting today'),
        granularity: z.enum(['hour', 'day'], "must be 'hour' or 'day'").default('day').describe('Bucket size'),
        by_trigger: z
          .boolean()
          .default(false)
          .describe("Also split the skill's activations per bucket by trigger: 'model' (the agent called it) and 'typed' (the user typed /name)"),
      },
      outputSchema: {
        skill_name: z.string(),
        granularity: z.enum(['hour', 'day']),
        window: hoursRangeSchema,
        as_of: z.string(),
        points: z.array(
          z.object({
            bucket_start: z.string(),
            invocations: z.number().int(),
            successes: z.number().int(),
            success_rate: z.number().nullable(),
            avg_duration_ms: z.number().nullable(),
          }),
        ),
        success_rate_trend: fitSchema(['improving', 'declining', 'stable']),
        usage_trend: fitSchema(['rising', 'falling', 'flat']),
        significance_rule: z.string(),
        window_rule: z.string(),
        by_trigger: byTriggerSchema.optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ skill_name, days, granularity, by_trigger }) => {
      if (granularity === 'hour' && days > MAX_HOURLY_DAYS) {
        throw AppError.invalid('days', `must be <= ${MAX_HOURLY_DAYS} when granularity is 'hour'`);
      }
      await requireSkill(ctx, skill_name);
      const now = deps.now();
      const bucketMs = granularity === 'day' ? DAY_MS : HOUR_MS;
      const current = Math.floor(now / bucketMs);
      const fromMs = granularity === 'day' ? (current - days + 1) * DAY_MS : (hourOf(now) - days * 24 + 1) * HOUR_MS;
      const toMs = (current + 1) * bucketMs;
      const w = hoursRange(fromMs / HOUR_MS, toMs / HOUR_MS - 1);
      const rows = await deps.analyticsQueries.hourlyRollups({ fromHour: w.fromHour, toHour: w.toHour, skills: [skill_name] });
      const trend = skillTrend({ rows, granularity, fromMs, toMs });
      const { from: _from, to: _to, ...rest } = trend;
      const triggers = by_trigger
        ? { ...(await skillTriggerTrend(deps.analyticsQueries, skill_name, bucketMs, fromMs, toMs)), rule: SLASH_AFTER_MISS_RULE }
        : undefined;
      return {
        structured: { skill_name, ...rest, window: w.window, as_of: new Date(now).toISOString(), window_rule: TREND_WINDOW_RULE, by_trigger: triggers },
        text: trendText(skill_name, trend, granularity, w.window.from) + (triggers?.shares ? sharesText(triggers.shares) : ''),
      };
    },
  );
}
