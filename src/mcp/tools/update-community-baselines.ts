import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { baselineSchema } from './get-community-baselines.js';

/** How many of the best-ranked skills the result lists (the full set is read with get_community_baselines). */
const UPDATE_RESULT_TOP = 5;

export function registerUpdateCommunityBaselinesTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'update_community_baselines',
      title: 'Update community baselines',
      description:
        'Recomputes the per-skill community baselines from all recorded invocations and replaces the stored set ' +
        'in one transaction. get_community_baselines then reads them. Cost grows with the number of skills, not invocations.',
      inputSchema: {},
      outputSchema: {
        computed_at: z.string(),
        skills_updated: z.number().int(),
        top: z.array(baselineSchema).describe(`The ${UPDATE_RESULT_TOP} best-ranked skills`),
        effectiveness_rule: z.string(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      const { result, saved } = await deps.baselines.refresh();
      const top = result.skills.slice(0, UPDATE_RESULT_TOP);
      return {
        structured: { computed_at: result.computed_at, skills_updated: saved, top, effectiveness_rule: result.effectiveness_rule },
        text:
          saved === 0
            ? 'No skills recorded yet; the stored baselines are now empty.'
            : `Stored baselines for ${saved} skill(s) as of ${result.computed_at}. Best: ` +
              top.map((b) => `${b.skill_name} (percentile ${b.effectiveness_percentile})`).join(', ') +
              '.',
      };
    },
  );
}
