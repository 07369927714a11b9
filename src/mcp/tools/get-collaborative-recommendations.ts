import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { roundRate } from '../../analytics/round.js';
import type { SkillRecommender } from '../../insights/recommendations.js';
import { subjectUserHash } from '../caller-identity.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { intField, userIdField } from './insight-fields.js';

const RECOMMENDATION_METHOD =
  "Users whose set of successfully used skills is most similar to this user's (Jaccard similarity, up to 50 " +
  'neighbours) are found; each skill the user has never invoked is scored by the neighbours’ success rates with it, ' +
  'weighted by similarity and divided by the total similarity of all neighbours (so a skill few neighbours use scores ' +
  'lower). A skill is recommended only when at least community_min_users (k) neighbours used it successfully, so ' +
  'no recommendation describes fewer than k people. Only counts and rates are returned, never other users’ identities.';

export function registerGetCollaborativeRecommendationsTool(server: McpServer, deps: ToolDeps, recommender: SkillRecommender): void {
  defineTool(
    server,
    deps,
    {
      name: 'get_collaborative_recommendations',
      title: 'Collaborative skill recommendations',
      description:
        'Recommends skills this user has not used yet, based on what similar users use successfully. ' +
        RECOMMENDATION_METHOD +
        ' When the user has no successful invocation or no similar user, answers with the most successful skills overall ' +
        'that at least k users used instead (basis "cold_start", rule in cold_start_rule).',
      inputSchema: {
        user_id: userIdField.describe('The user to recommend for (hashed before lookup, as when tracking)'),
        limit: intField(1, 50).default(5).describe('Maximum number of recommendations'),
      },
      outputSchema: {
        recommendations: z.array(
          z.object({
            skill_name: z.string(),
            score: z.number().describe('Similarity-weighted neighbour success rate in [0, 1] (cold start: Wilson 95% lower bound of the overall success rate)'),
            supporting_users: z
              .number()
              .int()
              .describe('Similar users who used the skill successfully (cold start: all users who used it); never below community_min_users'),
            neighbor_success_rate: z.number().describe('Successes / invocations of the skill over the similar users who tried it (cold start: over all users)'),
          }),
        ),
        neighbors_considered: z.number().int(),
        target_skill_count: z.number().int().describe('Skills this user has used successfully'),
        reason: z.string().nullable().describe('Why the list is empty, or why it is a cold-start answer'),
        basis: z.enum(['similar_users', 'cold_start']).describe('similar_users: collaborative filtering; cold_start: most successful skills overall'),
        cold_start_rule: z.string().nullable(),
        community_min_users: z.number().int().describe('k: skills fewer users support are withheld (SESSION_BUDDY_COMMUNITY_MIN_USERS)'),
        method: z.string(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ user_id, limit }) => {
      const r = await recommender.recommend(subjectUserHash(deps.caller, deps.hashUser, user_id)!, limit);
      const recommendations = r.recommendations.map((x) => ({
        skill_name: x.skill_name,
        score: roundRate(x.score),
        supporting_users: x.supporting_users,
        neighbor_success_rate: roundRate(x.neighbor_success_rate),
      }));
      const text =
        recommendations.length === 0
          ? `No recommendations: ${r.reason ?? 'nothing to recommend'}.`
          : (r.basis === 'cold_start'
              ? `${recommendations.length} cold-start recommendation(s) (${r.reason}): `
              : `${recommendations.length} recommendation(s) from ${r.neighbors_considered} similar user(s): `) +
            recommendations.map((x) => `${x.skill_name} (score ${x.score}, ${x.supporting_users} user(s))`).join(', ') +
            '.';
      return {
        structured: {
          recommendations,
          neighbors_considered: r.neighbors_considered,
          target_skill_count: r.target_skill_count,
          reason: r.reason ?? null,
          basis: r.basis,
          cold_start_rule: r.cold_start_rule,
          community_min_users: r.community_min_users,
          method: RECOMMENDATION_METHOD,
        },
        text,
      };
    },
  );
}
