import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ExperimentService } from '../../insights/experiment-service.js';
import { ownUserHash } from '../caller-identity.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { experimentNameField, iso, userIdField } from './insight-fields.js';

export function registerAssignAbTestVariantTool(server: McpServer, deps: ToolDeps, experiments: ExperimentService): void {
  defineTool(
    server,
    deps,
    {
      name: 'assign_ab_test_variant',
      title: 'Assign A/B test variant',
      description:
        "Returns the user's variant in an experiment, assigning it on the first call (hash-based, then stored): " +
        'the same user always gets the same variant. A stopped experiment takes no new users.',
      inputSchema: {
        experiment: experimentNameField.describe('Experiment name'),
        user_id: userIdField.describe('The user (hashed before use, as when tracking)'),
      },
      outputSchema: {
        experiment: z.string(),
        variant: z.string(),
        assigned_at: z.string(),
        newly_assigned: z.boolean(),
      },
      annotations: { readOnlyHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ experiment, user_id }) => {
      const userHash = ownUserHash(deps.caller, deps.hashUser, user_id);
      const a = await experiments.assign(experiment, userHash, deps.now());
      return {
        structured: { experiment, variant: a.variant, assigned_at: iso(a.assigned_at), newly_assigned: a.created },
        text: `${a.created ? 'Assigned' : 'Already assigned'} to variant "${a.variant}" of "${experiment}".`,
      };
    },
  );
}
