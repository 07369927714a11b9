import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { subjectUserHash } from '../caller-identity.js';
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
        'in one transaction. get_community_baselines then reads them. Cost grows with the number of skills, not invocations. ' +
        'For a per-user token (answered about itself, as get_community_baselines) `top` lists only skills at least k users ' +
        'used (community_min_users).',
      inputSchema: {},
      outputSchema: {
        computed_at: z.string(),
        skills_updated: z.number().int(),
        top: z
          .array(baselineSchema)
          .describe(`The ${UPDATE_RESULT_TOP} best-ranked skills (for a per-user token, of those at least community_min_users users used)`),
        effectiveness_rule: z.string(),
        community_min_users: z.number().int().describe('k (SESSION_BUDDY_COMMUNITY_MIN_USERS): a per-user token is shown no baseline of fewer users'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      const { result, saved } = await deps.baselines.refresh();
      // A caller bound to a user (a per-user token) gets a per-user answer, as get_community_baselines without user_id.
      const perUser = subjectUserHash(deps.caller, deps.hashUser, undefined) !== null;
      const k = deps.baselines.communityMinUsers;
      const top = (perUser ? result.skills.filter((b) => deps.baselines.shownPerUser(b)) : result.skills).slice(0, UPDATE_RESULT_TOP);
      return {
        structured: {
          computed_at: result.computed_at,
          skills_updated: saved,
          top,
          effectiveness_rule: result.effectiveness_rule,
          community_min_users: k,
        },
        text:
          saved === 0
            ? 'No skills recorded yet; the stored baselines are now empty.'
            : `Stored baselines for ${saved} skill(s) as of ${result.computed_at}. ` +
              (top.length === 0
                ? `None listed: fewer than ${k} users used each.`
                : `Best: ${top.map((b) => `${b.skill_name} (percentile ${b.effectiveness_percentile})`).join(', ')}.`),
      };
    },
  );
}
