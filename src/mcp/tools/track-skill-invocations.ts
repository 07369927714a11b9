import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { invocationInputSchema } from '../../tracking/invocation-input.js';
import { ownUserHash } from '../caller-identity.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';

/** Largest batch accepted over MCP (the CLI importer streams larger ones in chunks). */
const MAX_TOOL_BATCH = 1000;

export function registerTrackSkillInvocationsTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'track_skill_invocations',
      title: 'Track skill invocations (batch)',
      description: `Record up to ${MAX_TOOL_BATCH} invocations atomically: if any item is invalid (or, with a per-user access token, names another user), nothing is written and the error names its index and field.`,
      inputSchema: {
        invocations: z.array(invocationInputSchema).min(1, 'must hold at least 1 item').max(MAX_TOOL_BATCH, `must hold at most ${MAX_TOOL_BATCH} items`),
      },
      outputSchema: {
        ids: z.array(z.string()),
        inserted: z.number().int(),
        duplicates: z.number().int(),
      },
      annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ invocations }) => {
      invocations.forEach((inv, i) => ownUserHash(deps.caller, deps.hashUser, inv.user_id, `invocations.${i}.user_id`));
      const result = await deps.tracker.trackBatch(invocations);
      return {
        structured: { ...result },
        text: `Recorded ${result.inserted} invocation(s)${result.duplicates ? `, skipped ${result.duplicates} duplicate(s)` : ''}.`,
      };
    },
  );
}
