import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { roundPValue, roundRate, roundTo } from '../../analytics/round.js';
import type { ExperimentService } from '../../insights/experiment-service.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { experimentNameField, experimentOutput, experimentSchema } from './insight-fields.js';

const AB_DECISION_RULE =
  "Each variant is compared with the control (the first variant) by Welch's unequal-variance t-test on the recorded " +
  'outcome values (two-sided). A variant wins only when p < 0.05, it is better in the chosen direction, and every ' +
  'variant has at least min_sample_size outcomes; with several such variants the best mean wins. Comparisons are not ' +
  'corrected for multiple testing. Outcomes are treated as independent, also when one user recorded several.';

const nullableRound = (x: number | null, decimals: number): number | null => (x === null ? null : roundTo(x, decimals));

export function registerGetAbTestResultsTool(server: McpServer, deps: ToolDeps, experiments: ExperimentService): void {
  defineTool(
    server,
    deps,
    {
      name: 'get_ab_test_results',
      title: 'A/B test results',
      description: `Per-variant outcome statistics of an experiment, Welch t-tests against the control, and the winner if any. ${AB_DECISION_RULE}`,
      inputSchema: {
        experiment: experimentNameField.describe('Experiment name'),
        direction: z
          .enum(['higher', 'lower'], "must be 'higher' or 'lower'")
          .default('higher')
          .describe('Whether a higher (default) or a lower metric value is better'),
      },
      outputSchema: {
        experiment: experimentSchema,
        control: z.string(),
        alpha: z.number(),
        direction: z.enum(['higher', 'lower']),
        variants: z.array(
          z.object({
            variant: z.string(),
            assigned_users: z.number().int(),
            n: z.number().int().describe('Outcomes recorded'),
            mean: z.number().nullable(),
            std_dev: z.number().nullable(),
          }),
        ),
        comparisons: z.array(
          z.object({
            variant: z.string(),
            control: z.string(),
            t: z.number().nullable(),
            df: z.number().nullable(),
            p_value: z.number().nullable(),
            lift: z.number().nullable().describe('(mean − control mean) / |control mean|'),
            significant: z.boolean(),
          }),
        ),
        winner: z.string().nullable(),
        decision: z.string(),
        decision_rule: z.string(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ experiment, direction }) => {
      const { experiment: e, results: r, assigned } = await experiments.results(experiment, { direction });
      const structured = {
        experiment: experimentOutput(e),
        control: r.control,
        alpha: r.alpha,
        direction: r.direction,
        variants: r.variants.map((v) => ({
          variant: v.variant,
          assigned_users: assigned.get(v.variant) ?? 0,
          n: v.n,
          mean: nullableRound(v.mean, 6),
          std_dev: nullableRound(v.std_dev, 6),
        })),
        comparisons: r.comparisons.map((c) => ({
          variant: c.variant,
          control: c.control,
          t: nullableRound(c.t, 4),
          df: nullableRound(c.df, 2),
          p_value: roundPValue(c.p_value),
          lift: roundRate(c.lift),
          significant: c.significant,
        })),
        winner: r.winner,
        decision: r.decision,
        decision_rule: AB_DECISION_RULE,
      };
      const counts = structured.variants.map((v) => `${v.variant} n=${v.n}${v.mean !== null ? ` mean ${v.mean}` : ''}`).join(', ');
      return { structured, text: `${e.name} (${e.status}): ${counts}. ${r.decision}` };
    },
  );
}
