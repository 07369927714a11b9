import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { summarizeWindow, topSkills } from '../../analytics/realtime-metrics.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { formatWindowHours, rollingWindow } from '../../analytics/window.js';
import { createAnalyticsContext, intField, WINDOW_RULE, windowHoursField, windowSchema, type AnalyticsContext } from './analytics-window.js';

const topSkillSchema = z.object({
  skill_name: z.string(),
  invocations: z.number().int(),
  successes: z.number().int(),
  success_rate: z.number(),
  avg_duration_ms: z.number().nullable(),
  p95_duration_ms: z.number().nullable(),
  last_invoked_at: z.string(),
});

export function registerGetRealTimeMetricsTool(server: McpServer, deps: ToolDeps, ctx: AnalyticsContext = createAnalyticsContext(deps)): void {
  defineTool(
    server,
    deps,
    {
      name: 'get_real_time_metrics',
      title: 'Real-time skill metrics',
      description:
        'The most invoked skills in the recent window with invocations, success rate, average and p95 duration ' +
        '(p95 from a log-bucketed histogram: within 1 % of the exact value, never outside the observed range) and last invocation, ' +
        'plus totals over all skills. ' +
        WINDOW_RULE,
      inputSchema: {
        limit: intField(1, 100).default(10).describe('How many skills to return (most invoked first)'),
        time_window_hours: windowHoursField(1),
      },
      outputSchema: {
        window: windowSchema,
        as_of: z.string(),
        summary: z.object({
          invocations: z.number().int(),
          successes: z.number().int(),
          success_rate: z.number().nullable(),
          avg_duration_ms: z.number().nullable(),
          active_skills: z.number().int(),
          last_invoked_at: z.string().nullable(),
        }),
        top_skills: z.array(topSkillSchema),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ limit, time_window_hours }) => {
      const now = deps.now();
      const w = rollingWindow(now, time_window_hours);
      // One row per skill with the window's sums; histograms only for the skills returned.
      const rows = await ctx.queries.windowTotals(w);
      const ranked = topSkills(rows, [], limit);
      const names = ranked.map((s) => s.skill_name);
      const picked = new Set(names);
      const histograms = await ctx.queries.windowHistograms(w, names);
      const top = topSkills(
        rows.filter((r) => picked.has(r.skill)),
        histograms,
        limit,
      );
      const summary = summarizeWindow(rows);
      const text =
        summary.invocations === 0
          ? `No invocations in the last ${formatWindowHours(time_window_hours)} (since ${w.window.from}).`
          : `${summary.invocations} invocations of ${summary.active_skills} skill(s) since ${w.window.from}, ` +
            `success rate ${pct(summary.success_rate)}. Top: ` +
            top
              .slice(0, 5)
              .map(
                (s) =>
                  `${s.skill_name} ${s.invocations}× ${pct(s.success_rate)} ok, avg ${s.avg_duration_ms === null ? 'not measured' : `${s.avg_duration_ms} ms`}`,
              )
              .join('; ') +
            (top.length > 5 ? `; +${top.length - 5} more.` : '.');
      return {
        structured: { window: w.window, as_of: new Date(now).toISOString(), summary, top_skills: top },
        text,
      };
    },
  );
}

function pct(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}
