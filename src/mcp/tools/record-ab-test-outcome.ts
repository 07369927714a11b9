import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ExperimentService } from '../../insights/experiment-service.js';
import { ownUserHash } from '../caller-identity.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { experimentNameField, userIdField, variantNameField } from './insight-fields.js';

export function registerRecordAbTestOutcomeTool(server: McpServer, deps: ToolDeps, experiments: ExperimentService): void {
  defineTool(
    server,
    deps,
    {
      name: 'record_ab_test_outcome',
      title: 'Record A/B test outcome',
      description:
        "Records one metric value for a user; it counts for the user's stored variant (a user without one is assigned " +
        'first). Every call adds one outcome. Use e.g. 1/0 for success/failure or a duration in ms.',
      inputSchema: {
        experiment: experimentNameField.describe('Experiment name'),
        user_id: userIdField.describe('The user (hashed before use, as when tracking)'),
        value: z.number().min(-1e12, 'must be >= -1e12').max(1e12, 'must be <= 1e12').describe('The metric value observed for this user'),
        variant: variantNameField.optional().describe('Optional check: the variant the caller believes the user is in; must match the stored assignment'),
      },
      outputSchema: {
        experiment: z.string(),
        variant: z.string().describe('The variant the outcome was attributed to'),
        value: z.number(),
        outcome_id: z.number().int(),
        assigned_now: z.boolean().describe('The user had no assignment and was assigned by this call'),
      },
      annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ experiment, user_id, value, variant }) => {
      const userHash = ownUserHash(deps.caller, deps.hashUser, user_id);
      const r = await experiments.recordOutcome(experiment, userHash, value, deps.now(), variant);
      return {
        structured: { experiment, variant: r.variant, value, outcome_id: r.outcome_id, assigned_now: r.assigned_now },
        text: `Recorded ${value} for variant "${r.variant}" of "${experiment}"${r.assigned_now ? ' (user assigned now)' : ''}.`,
      };
    },
  );
}
