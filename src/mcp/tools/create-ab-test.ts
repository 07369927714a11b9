import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ZERO_SHARE_RULE, type ExperimentService } from '../../insights/experiment-service.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { descriptionField, experimentNameField, experimentOutput, experimentSchema, intField, metricNameField, variantNameField } from './insight-fields.js';

export function registerCreateAbTestTool(server: McpServer, deps: ToolDeps, experiments: ExperimentService): void {
  defineTool(
    server,
    deps,
    {
      name: 'create_ab_test',
      title: 'Create A/B test',
      description:
        'Creates a running A/B experiment. Users are assigned deterministically: the first 8 bytes of ' +
        'SHA-256("<experiment>:<user hash>") place each user in [0, 1), and the traffic split maps that point to a ' +
        'variant; the assignment is then stored, so it never changes. The first variant is the control. ' +
        'Record outcomes with record_ab_test_outcome, read results with get_ab_test_results.',
      inputSchema: {
        name: experimentNameField.describe('Unique experiment name'),
        description: descriptionField.optional().describe('What is being tested'),
        variants: z
          .array(variantNameField)
          .min(2, 'must list at least 2 variants')
          .max(10, 'must list at most 10 variants')
          .describe('Variant names; the first is the control'),
        traffic_split: z
          .array(z.number().gt(0, ZERO_SHARE_RULE).max(1, 'must be <= 1'))
          .min(2, 'must have at least 2 weights')
          .max(10, 'must have at most 10 weights')
          .optional()
          .describe('Share of users per variant, each > 0 and summing to 1; an even split when omitted'),
        metric: metricNameField.default('outcome').describe('Name of the outcome metric (informational)'),
        min_sample_size: intField(2, 1_000_000).default(30).describe('Outcomes needed in every variant before a winner can be declared'),
      },
      outputSchema: { experiment: experimentSchema },
      annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args) => {
      const split = args.traffic_split ?? args.variants.map(() => 1 / args.variants.length);
      const e = await experiments.create(
        {
          name: args.name,
          ...(args.description !== undefined ? { description: args.description } : {}),
          variants: args.variants,
          trafficSplit: split,
          metric: args.metric,
          minSampleSize: args.min_sample_size,
        },
        deps.now(),
      );
      const text =
        `Created experiment "${e.name}": ` +
        e.variants.map((v, i) => `${v} ${Math.round(e.traffic_split[i]! * 1000) / 10}%`).join(', ') +
        ` (control: ${e.variants[0]}); a winner needs p < 0.05 and at least ${e.min_sample_size} outcomes per variant.`;
      return { structured: { experiment: experimentOutput(e) }, text };
    },
  );
}
