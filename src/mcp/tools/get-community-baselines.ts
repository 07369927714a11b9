import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { computeCommunityBaselines } from '../../analytics/baselines.js';
import { subjectUserHash } from '../caller-identity.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { createAnalyticsContext, intField, requireSkill, skillNameField, type AnalyticsContext } from './analytics-window.js';
import { NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE } from '../../validation.js';

export const baselineSchema = z.object({
  skill_name: z.string(),
  invocations: z.number().int(),
  users: z.number().int(),
  success_rate: z.number(),
  mean_duration_ms: z.number().nullable(),
  p50_duration_ms: z.number().nullable(),
  p95_duration_ms: z.number().nullable(),
  effectiveness_score: z.number(),
  effectiveness_percentile: z.number(),
});

const userIdField = z.string().trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters').regex(NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE);

/** The ranking rule as baselines.ts states it (it returns the text with every computation). */
const EFFECTIVENESS_RULE = computeCommunityBaselines({ totals: [], histograms: [], now: 0 }).effectiveness_rule;

const labels = ['above', 'typical', 'below', 'insufficient_data'] as const;

/** How many baselines the text names (the structured answer lists up to `limit`). */
const TEXT_NAMED = 5;

export function registerGetCommunityBaselinesTool(server: McpServer, deps: ToolDeps, ctx: AnalyticsContext = createAnalyticsContext(deps)): void {
  defineTool(
    server,
    deps,
    {
      name: 'get_community_baselines',
      title: 'Community baselines',
      description:
        'Per skill across all users: invocations, users, success rate, mean/p50/p95 duration and an effectiveness ' +
        'percentile (rank by the Wilson 95% lower bound of the success rate). Reads the baselines stored by ' +
        'update_community_baselines or by the server\'s scheduled refresh (source "stored", with its age); if none were ever stored, or the skill asked for is newer ' +
        'than the stored set, computes them now (source "computed_now") without storing. With user_id, compares ' +
        "that user's success rate per skill with the community (binomial z, |z| >= 1.96). Baselines are listed most " +
        'effective first, at most `limit` of them; total_skills is how many skills the baselines cover in all (skill_name and ' +
        '`limit` narrow the list, not that count). Per user (with user_id, or for a per-user token, which is always answered ' +
        'about itself) figures across users are given only for skills at least k users used (community_min_users, as the ' +
        "skill report's): the baselines of the others are withheld (not listed, counted in withheld_skills) and the " +
        'comparison gives them no community figures (insufficient_data, with the reason). Without a user (an admin, the ' +
        'local user) every baseline is listed.',
      inputSchema: {
        skill_name: skillNameField.optional().describe('Only this skill (percentiles still rank it against all skills)'),
        user_id: userIdField
          .optional()
          .describe(
            'Compare this user with the community (a per-user answer: figures across users only where at least k users contribute); hashed, never stored or echoed',
          ),
        limit: intField(1, 1000).default(50).describe('At most this many baselines, most effective first'),
      },
      outputSchema: {
        source: z.enum(['stored', 'computed_now']),
        computed_at: z.string().describe('When the baselines were computed, ISO 8601 UTC'),
        age_seconds: z.number().int().describe('How old they are now; a running server refreshes them every 15 minutes by default'),
        baselines: z
          .array(baselineSchema)
          .describe('Per user, only skills at least community_min_users users used (percentiles still rank against all total_skills)'),
        total_skills: z
          .number()
          .int()
          .describe('How many skills the baselines cover in all (the skills the percentiles rank against), whatever skill_name and `limit` list'),
        effectiveness_rule: z.string(),
        per_user: z.boolean().describe('true: answered about one user (user_id, or a per-user token): baselines below k are withheld'),
        community_min_users: z
          .number()
          .int()
          .describe('k: in a per-user answer, skills fewer users used have no figures across users (SESSION_BUDDY_COMMUNITY_MIN_USERS)'),
        withheld_skills: z
          .number()
          .int()
          .describe('Skills asked for (all, or skill_name) whose baselines are withheld, not listed: fewer than k users used them (0 unless per_user)'),
        user_comparison: z
          .object({
            skills: z.array(
              z.object({
                skill_name: z.string(),
                user_invocations: z.number().int(),
                user_successes: z.number().int(),
                user_success_rate: z.number(),
                community_success_rate: z.number().nullable(),
                community_invocations: z.number().int().nullable(),
                community_users: z.number().int().nullable(),
                difference: z.number().nullable(),
                z_score: z.number().nullable(),
                label: z.enum(labels),
                reason: z.string().nullable().describe('Why the label is insufficient_data (e.g. community figures withheld below k); null otherwise'),
              }),
            ),
            summary: z.object({ above: z.number().int(), typical: z.number().int(), below: z.number().int(), insufficient_data: z.number().int() }),
            withheld: z.number().int().describe('Skills (counted in insufficient_data) whose community figures are withheld: fewer than k users used them'),
            rule: z.string(),
          })
          .nullable(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ skill_name, user_id, limit }) => {
      if (skill_name !== undefined) await requireSkill(ctx, skill_name);
      const subjectHash = subjectUserHash(deps.caller, deps.hashUser, user_id);
      const a = await deps.baselines.answer({ ...(skill_name !== undefined ? { skillName: skill_name } : {}), subjectHash, limit });
      const { source, matching, listed: baselines, comparison, totalSkills, withheld, communityMinUsers: k } = a;
      // The text names at most TEXT_NAMED of the listed baselines; "+N more" counts the matching skills it does not name.
      const named = baselines.slice(0, TEXT_NAMED);
      const withheldText = withheld > 0 ? ` ${withheld} skill(s) withheld: fewer than ${k} users used them.` : '';
      const head =
        baselines.length === 0
          ? withheld > 0
            ? `No baselines listed: ${withheld} skill(s) withheld, fewer than ${k} users used them.`
            : 'No skills recorded yet.'
          : `Baselines of ${totalSkills} skill(s)${totalSkills > baselines.length ? ` (${baselines.length} listed)` : ''} (${source === 'stored' ? 'stored' : 'computed now'}, as of ${new Date(a.computedAt).toISOString()}, ${a.ageSeconds} s ago). ` +
            named
              .map(
                (b) =>
                  `${b.skill_name}: ${b.invocations}× by ${b.users} user(s), ${(b.success_rate * 100).toFixed(1)}% ok, percentile ${b.effectiveness_percentile}`,
              )
              .join('; ') +
            (matching.length > named.length ? `; +${matching.length - named.length} more.` : '.') +
            withheldText;
      const userText =
        comparison === null
          ? ''
          : comparison.skills.length === 0
            ? ` The user has no recorded invocations${skill_name ? ` of ${skill_name}.` : '.'}`
            : ` User vs community: ${comparison.summary.above} above, ${comparison.summary.typical} typical, ` +
              `${comparison.summary.below} below, ${comparison.summary.insufficient_data} with too little data` +
              (comparison.withheld > 0 ? ` (${comparison.withheld} with community figures withheld: fewer than ${k} users).` : '.');
      return {
        structured: {
          source,
          computed_at: new Date(a.computedAt).toISOString(),
          age_seconds: a.ageSeconds,
          baselines,
          total_skills: totalSkills,
          effectiveness_rule: EFFECTIVENESS_RULE,
          per_user: a.perUser,
          community_min_users: k,
          withheld_skills: withheld,
          user_comparison: comparison,
        },
        text: head + userText,
      };
    },
  );
}
