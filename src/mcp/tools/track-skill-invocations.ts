import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { invocationInputSchema } from '../../tracking/invocation-input.js';
import { ownUserHash } from '../caller-identity.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';

/** Largest batch accepted over MCP (the CLI importer streams larger ones in chunks). */
const MAX_TOOL_BATCH = 1000;
/**
 * The largest request the transports read, in MiB: the server's MAX_BODY_BYTES (HTTP) and
 * MAX_STDIO_REQUEST_BYTES (stdio); src/server/request-size-limit.test.ts keeps them equal.
 */
const MAX_HTTP_REQUEST_MIB = 4;
const MAX_STDIO_REQUEST_MIB = 10;

export function registerTrackSkillInvocationsTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'track_skill_invocations',
      title: 'Track skill invocations (batch)',
      description:
        `Record up to ${MAX_TOOL_BATCH} invocations atomically: if any item is invalid (or, with a per-user access token, names another user), nothing is written and the error names its index and field. ` +
        `One request may be at most ${MAX_HTTP_REQUEST_MIB} MiB of JSON over HTTP and ${MAX_STDIO_REQUEST_MIB} MiB over stdio; a larger one is refused whole with a JSON-RPC error naming the limit, ` +
        `so split a large batch (${MAX_TOOL_BATCH} items with 8 KiB of metadata each are about 8 MiB: two requests over HTTP).`,
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
