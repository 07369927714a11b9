import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DAY_MS, skillTrend } from '../../analytics/trend.js';
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
    change_percent: z.number().nullable().describe('(end_value − start_value) / start_value × 100'),
    classification: z.enum([...labels, 'insufficient_data']),
  });

/** Longest range with hourly buckets (744 points): longer hourly series are too large to be useful in a reply. */
const MAX_HOURLY_DAYS = 31;

const TREND_WINDOW_RULE =
  'The series covers the current (partial) UTC day plus the days-1 full days before it (granularity day), or the ' +
  'current (partial) hour plus the days×24-1 full hours before it (granularity hour). The last bucket is still ' +
  'filling, which can pull the usage fit down; the success-rate fit is per bucket and not biased by it.';

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
        `only when its two-sided p-value is below 0.05. Hourly granularity allows at most ${MAX_HOURLY_DAYS} days. ` +
        TREND_WINDOW_RULE,
      inputSchema: {
        skill_name: skillNameField.describe('Skill to analyse'),
        days: intField(1, 365).default(7).describe('How many days back, counting today'),
        granularity: z.enum(['hour', 'day'], "must be 'hour' or 'day'").default('day').describe('Bucket size'),
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
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ skill_name, days, granularity }) => {
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
      const total = trend.points.reduce((n, p) => n + p.invocations, 0);
      const sr = trend.success_rate_trend;
      const text =
        `${skill_name}: ${total} invocations over ${trend.points.length} ${granularity} bucket(s) since ${w.window.from}. ` +
        `Success rate ${sr.classification}` +
        (sr.slope_per_bucket !== null
          ? ` (${sr.start_value} → ${sr.end_value}` +
            (sr.change_percent !== null ? `, ${sr.change_percent > 0 ? '+' : ''}${sr.change_percent}%` : '') +
            `; slope ${sr.slope_per_bucket}/${granularity}, p=${sr.p_value})`
          : '') +
        `; usage ${trend.usage_trend.classification}.`;
      return {
        structured: { skill_name, ...rest, window: w.window, as_of: new Date(now).toISOString(), window_rule: TREND_WINDOW_RULE },
        text,
      };
    },
  );
}
