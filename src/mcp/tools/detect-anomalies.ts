import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DEFAULT_FDR_Q } from '../../analytics/anomalies.js';
import { formatWindowHours } from '../../analytics/window.js';
import type { AnomalyRun } from '../../insights/anomaly-service.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { intField, numberField, WINDOW_RULE, windowHoursField, windowSchema } from './analytics-window.js';

/** Skills with too little data are listed up to this many (the total is always given). */
const MAX_INSUFFICIENT_LISTED = 50;

export function registerDetectAnomaliesTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'detect_anomalies',
      title: 'Detect skill anomalies',
      description:
        "Compares each skill's recent window with its own baseline (the baseline_days × 24 hours just before the " +
        'recent window) on success rate and mean duration by two-sample tests, the baseline being a sample too ' +
        "(pooled two-proportion z with Fisher's exact p; Student's pooled t with a Student t p). All " +
        `skill x metric tests of a call form one family: a deviation is reported only when it is a Benjamini-Hochberg ` +
        `discovery at false discovery rate ${DEFAULT_FDR_Q} and |z| >= threshold (warning; >= 1.5 × threshold critical). ` +
        'New anomalies are stored, counted and published to live subscribers; one already ' +
        'stored for the same skill, metric and direction within the window is reported again but not stored again, ' +
        'unless its severity rose, so polling does not multiply an ongoing anomaly. The server also runs detection ' +
        'on its own every minute. ' +
        WINDOW_RULE,
      inputSchema: {
        threshold: numberField(0.5, 10).default(2).describe('|z| (z, or t for duration) at or above which a deviation is reported'),
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
        fdr_q: z.number().describe('Benjamini-Hochberg level over all skill x metric tests of the run'),
        tests: z.number().int(),
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
        insufficient_data: z.array(z.object({ skill_name: z.string(), recent_invocations: z.number().int(), baseline_invocations: z.number().int() })),
        rule: z.string(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ threshold, time_window_hours, baseline_days }) => {
      const run = await deps.anomalies.run({ threshold, timeWindowHours: time_window_hours, baselineDays: baseline_days });
      const { insufficient_data, anomalies, ...rest } = run.report;
      return {
        structured: {
          ...rest,
          anomalies: anomalies.map((a) => ({ ...a, newly_detected: run.isNew(a) })),
          recent_window: run.recent.window,
          baseline_window: run.baseline.window,
          stored: run.stored.length,
          insufficient_data_total: insufficient_data.length,
          insufficient_data: insufficient_data.slice(0, MAX_INSUFFICIENT_LISTED),
          rule: `${run.report.rule} Recent window: the last ${formatWindowHours(time_window_hours)}; baseline: the ${baseline_days * 24} hours before it. ${WINDOW_RULE}`,
        },
        text: summary(run, time_window_hours, baseline_days),
      };
    },
  );
}

function summary({ report, stored }: AnomalyRun, hours: number, days: number): string {
  const found = report.anomalies;
  const short = report.insufficient_data.length;
  const unchecked = short > 0 ? ` ${short} skill(s) not checked: too few invocations in the recent window or the baseline (insufficient_data).` : '';
  if (found.length === 0)
    return `No anomalies among ${report.skills_checked} skill(s) checked (last ${formatWindowHours(hours)} vs the ${days} day(s) before).${unchecked}`;
  return (
    `${found.length} anomal${found.length === 1 ? 'y' : 'ies'} in ${report.skills_checked} skill(s) checked: ` +
    found
      .slice(0, 5)
      .map((a) => `${a.skill_name} ${a.metric} ${a.baseline_value} -> ${a.observed_value} (z ${a.z_score}, ${a.severity})`)
      .join('; ') +
    (found.length > 5 ? `; +${found.length - 5} more.` : '.') +
    ` ${stored.length} new (stored and published), ${found.length - stored.length} already reported.${unchecked}`
  );
}
