import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { RELATIONSHIP_RULE } from '../../analytics/dependencies.js';
import { roundRate, roundTo } from '../../analytics/round.js';
import { skillDependenciesFor } from '../../insights/skill-dependencies.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { createAnalyticsContext, intField, numberField, requireSkill, skillNameField, type AnalyticsContext } from './analytics-window.js';

const DEPENDENCY_RULE =
  'Over all recorded sessions (N): support(A→B) = sessions with both / N; confidence(A→B) = sessions with both / ' +
  'sessions with A; lift(A→B) = confidence / (sessions with B / N). Lift > 1: B occurs with A more often than ' +
  'chance. Sorted by lift, then support, then confidence (highest first, compared unrounded); rules equal in all three by ' +
  'antecedent name, then consequent name (ascending, by character code: "B" before "a"). The limit applies after sorting. ' +
  'Support and confidence rounded to 4 decimals, lift to 4. ' +
  RELATIONSHIP_RULE;

export function registerGetSkillDependenciesTool(server: McpServer, deps: ToolDeps, ctx: AnalyticsContext = createAnalyticsContext(deps)): void {
  defineTool(
    server,
    deps,
    {
      name: 'get_skill_dependencies',
      title: 'Skill dependencies',
      description:
        'Association rules between skills used in the same session: support, confidence and lift of A→B. ' +
        'With skill_name, only rules whose antecedent is that skill. ' +
        DEPENDENCY_RULE,
      inputSchema: {
        skill_name: skillNameField.optional().describe('Only rules starting from this skill'),
        min_support: numberField(0, 1).default(0.01).describe('Minimum share of all sessions containing both skills'),
        min_lift: numberField(0, 1_000_000).default(0).describe('Minimum lift (e.g. 1.1 for complements only); 0 keeps every rule'),
        limit: intField(1, 100).default(20).describe('At most this many rules'),
      },
      outputSchema: {
        total_sessions: z.number().int(),
        rules_matched: z.number().int(),
        rules: z.array(
          z.object({
            antecedent: z.string(),
            consequent: z.string(),
            sessions_together: z.number().int(),
            support: z.number(),
            confidence: z.number(),
            lift: z.number(),
            relationship: z.enum(['complements', 'substitutes', 'independent']),
          }),
        ),
        reason: z.string().optional(),
        rule: z.string(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ skill_name, min_support, min_lift, limit }) => {
      if (skill_name !== undefined) await requireSkill(ctx, skill_name);
      const result = await skillDependenciesFor(
        { store: deps.analyticsQueries, queries: ctx.queries },
        { ...(skill_name !== undefined ? { skill: skill_name } : {}), minSupport: min_support, minLift: min_lift, limit },
      );
      const totalSessions = result.total_sessions;
      const rules = result.rules.map((r) => ({
        ...r,
        support: roundRate(r.support),
        confidence: roundRate(r.confidence),
        lift: roundTo(r.lift, 4),
      }));
      const text =
        rules.length === 0
          ? `No rules: ${result.reason ?? 'nothing matched'} (${totalSessions} session(s)).`
          : `${result.rules_matched} rule(s) over ${totalSessions} session(s); top: ` +
            rules
              .slice(0, 5)
              .map((r) => `${r.antecedent} → ${r.consequent} (${r.relationship}; support ${r.support}, confidence ${r.confidence}, lift ${r.lift})`)
              .join('; ') +
            '.';
      return {
        structured: {
          total_sessions: result.total_sessions,
          rules_matched: result.rules_matched,
          rules,
          ...(result.reason !== undefined ? { reason: result.reason } : {}),
          rule: DEPENDENCY_RULE,
        },
        text,
      };
    },
  );
}
