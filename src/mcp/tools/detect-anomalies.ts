import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { detectAnomalies } from '../../analytics/anomalies.js';
import { rollingWindow, windowBefore } from '../../analytics/window.js';
import type { AnomalyEvent } from '../../events.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import {
  createAnalyticsContext,
  intField,
  numberField,
  WINDOW_RULE,
  windowHoursField,
  windowSchema,
  type AnalyticsContext,
} from './analytics-window.js';

/** Skills with too little data are listed up to this many (the total is always given). */
export const MAX_INSUFFICIENT_LISTED = 50;

export function registerDetectAnomaliesTool(server: McpServer, deps: ToolDeps, ctx: AnalyticsContext = createAnalyticsContext(deps)): void {
  defineTool(
    server,
    deps,
    {
      name: 'detect_anomalies',
      title: 'Detect skill anomalies',
      description:
        "Compares each skill's recent window with its own baseline (the baseline_days × 24 hours just before the " +
        'recent window) on success rate and mean duration by z-score. |z| >= threshold is a warning, ' +
        '>= 1.5 × threshold critical. New anomalies are stored, counted and published to live subscribers; one already ' +
        'stored for the same skill, metric and direction within the window is reported again but not stored again, ' +
        'unless its severity rose, so polling does not multiply an ongoing anomaly. ' +
        WINDOW_RULE,
      inputSchema: {
        threshold: numberField(0.5, 10).default(2).describe('|z| at or above which a deviation is reported'),
        time_window_hours: windowHoursField(24, 'Recent window length in hours'),
        baseline_days: intField(1, 90).default(7).describe('Baseline length in days, immediately before the recent window'),
      },
      outputSchema: {
        recent_window: windowSchema,
        baseline_window: windowSchema,
        detected_at: z.string(),
        threshold: z.number(),
        critical_threshold: z.number(),
        min_recent: z.number().int(),
        min_baseline: z.number().int(),
        skills_checked: z.number().int(),
        anomalies: z.array(
          z.object({
            skill_name: z.string(),
            metric: z.enum(['success_rate', 'duration']),
            baseline_value: z.number(),
            observed_value: z.number(),
            deviation_score: z.number(),
            z_score: z.number(),
            direction: z.enum(['up', 'down']),
            severity: z.enum(['warning', 'critical']),
            recent_invocations: z.number().int(),
            baseline_invocations: z.number().int(),
            newly_detected: z.boolean(),
          }),
        ),
        stored: z.number().int(),
        insufficient_data_total: z.number().int(),
        insufficient_data: z.array(
          z.object({ skill_name: z.string(), recent_invocations: z.number().int(), baseline_invocations: z.number().int() }),
        ),
        rule: z.string(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ threshold, time_window_hours, baseline_days }) => {
      const now = deps.now();
      const recent = rollingWindow(now, time_window_hours);
      const baseline = windowBefore(recent, baseline_days * 24);
      const report = detectAnomalies({
        recent: await ctx.queries.windowTotals(recent),
        baseline: await ctx.queries.windowTotals(baseline),
        threshold,
        now,
      });
      const events: AnomalyEvent[] = report.anomalies.map((a) => ({
        skill_name: a.skill_name,
        metric: a.metric,
        baseline_value: a.baseline_value,
        observed_value: a.observed_value,
        deviation_score: a.deviation_score,
        direction: a.direction,
        severity: a.severity,
        detected_at: now,
      }));
      const stored = await ctx.records.saveAnomalies(events, time_window_hours);
      if (stored.length > 0) deps.bus.emit('anomalies.detected', stored);
      const isNew = new Set(stored.map((e) => `${e.skill_name}\u0000${e.metric}`));

      const { insufficient_data, anomalies, ...rest } = report;
      const text =
        report.anomalies.length === 0
          ? `No anomalies among ${report.skills_checked} skill(s) checked (last ${time_window_hours} h vs the ${baseline_days} day(s) before).`
          : `${report.anomalies.length} anomal${report.anomalies.length === 1 ? 'y' : 'ies'} in ${report.skills_checked} skill(s) checked: ` +
            report.anomalies
              .slice(0, 5)
              .map((a) => `${a.skill_name} ${a.metric} ${a.baseline_value} -> ${a.observed_value} (z ${a.z_score}, ${a.severity})`)
              .join('; ') +
            (report.anomalies.length > 5 ? `; +${report.anomalies.length - 5} more.` : '.') +
            ` ${stored.length} new (stored and published), ${report.anomalies.length - stored.length} already reported.`;
      return {
        structured: {
          ...rest,
          anomalies: anomalies.map((a) => ({ ...a, newly_detected: isNew.has(`${a.skill_name}\u0000${a.metric}`) })),
          recent_window: recent.window,
          baseline_window: baseline.window,
          stored: stored.length,
          insufficient_data_total: insufficient_data.length,
          insufficient_data: insufficient_data.slice(0, MAX_INSUFFICIENT_LISTED),
          rule: `${report.rule} Recent window: the last ${time_window_hours} hour(s); baseline: the ${baseline_days * 24} hours before it. ${WINDOW_RULE}`,
        },
        text,
      };
    },
  );
}
