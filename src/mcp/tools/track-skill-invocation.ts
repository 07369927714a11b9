import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { invocationShape } from '../../tracking/invocation-input.js';
import { ownUserHash } from '../caller-identity.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';

export function registerTrackSkillInvocationTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'track_skill_invocation',
      title: 'Track skill invocation',
      description:
        'Record one skill/tool invocation made by an agent. The user id is stored only as a salted SHA-256 hash. ' +
        'Returns the invocation id; with a dedupe_key, repeating the call returns the stored id and adds nothing.',
      inputSchema: invocationShape,
      outputSchema: {
        id: z.string(),
        duplicate: z.boolean(),
      },
      annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args) => {
      ownUserHash(deps.caller, deps.hashUser, args.user_id);
      const { id, duplicate } = await deps.tracker.track(args);
      return {
        structured: { id, duplicate },
        text: duplicate
          ? `Already recorded as ${id} (same dedupe_key); nothing added.`
          : `Recorded ${args.skill_name} (${args.completed ? 'ok' : 'failed'}, ${args.duration_ms} ms) as ${id}.`,
      };
    },
  );
}
