import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { roundRate } from '../../analytics/round.js';
import { predictSuccess, type SuccessPredictionDeps } from '../../insights/success-prediction.js';
import { subjectUserHash } from '../caller-identity.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { intField, iso, skillNameField, userIdField, workflowPhaseField } from './insight-fields.js';

const PREDICTION_METHOD =
  'Uses the latest model stored by train_success_model (it is not trained on demand: train first). ' +
  "The user's and the skill's success rates are their all-time rates from the rollups with the same prior as in " +
  "training, (s + 1) / (n + 2); the duration bucket is the skill's median measured duration bucket in training (the " +
  'median over all measured durations for a skill with none), the value training gave its unmeasured durations. The ' +
  "probability is the mean of the trees' leaf probabilities. A skill the model never saw is averaged over all known " +
  "ones: the mean of the probabilities predicted for each skill the model knows, each with that skill's own success " +
  'rate (each skill counting once), and skill_success_rate is null (no single rate was used); a phase it never saw is ' +
  'averaged over all known phases likewise. The answer is about one user, so figures across users follow k ' +
  "(community_min_users, as the skill report's and the recommendations'): a skill fewer than k users used (all time) " +
  'has its figures across users withheld (skill_success_rate and skill_invocations null, skill_withheld true) and its ' +
  'probability generalised (predicted as for a skill the model never saw), and every average over known skills takes ' +
  "only those at least k users used; with none, no probability is given (null). The model's held-out and baseline " +
  'accuracy describe every user of its training sample: a per-user token sees them only when that sample held at least ' +
  'k distinct users (null otherwise, the caveat says so; also for a model saved before the count was kept); an admin sees them always.';

export function registerPredictSkillSuccessTool(
  server: McpServer,
  deps: ToolDeps,
  prediction: Pick<SuccessPredictionDeps, 'predictors' | 'communityMinUsers'>,
): void {
  defineTool(
    server,
    deps,
    {
      name: 'predict_skill_success',
      title: 'Predict skill success',
      description: `Estimates the probability that an invocation of a skill by a user in a workflow phase succeeds. ${PREDICTION_METHOD}`,
      inputSchema: {
        skill_name: skillNameField.describe('Skill to predict for'),
        workflow_phase: workflowPhaseField.describe('Workflow phase of the planned invocation'),
        user_id: userIdField.describe('The user (hashed before use, as when tracking)'),
        hour_of_day: intField(0, 23).optional().describe('UTC hour of the planned invocation; the current hour when omitted'),
      },
      outputSchema: {
        probability: z
          .number()
          .nullable()
          .describe('null: withheld, the model knows no skill at least community_min_users users used to generalise over (the caveat says so)'),
        skill_name: z.string(),
        workflow_phase: z.string(),
        hour_of_day: z.number().int(),
        user_success_rate: z.number().describe("(s + 1) / (n + 2) over the user's invocations"),
        user_invocations: z.number().int(),
        skill_success_rate: z
          .number()
          .nullable()
          .describe(
            "(s + 1) / (n + 2) over the skill's invocations, as the model used it; null for a skill the model never saw " +
              '(unknown_skill: each known skill was predicted with its own rate, no single rate was used; the caveat says so)',
          ),
        skill_invocations: z
          .number()
          .int()
          .nullable()
          .describe("The skill's recorded invocations, all time (for an unknown skill, not used by the model); null when withheld (skill_withheld)"),
        skill_withheld: z
          .boolean()
          .describe('Fewer than community_min_users users used the skill: its figures across users are withheld and its probability generalised'),
        community_min_users: z.number().int().describe('k: figures across users only of skills at least k users used (SESSION_BUDDY_COMMUNITY_MIN_USERS)'),
        unknown_skill: z.boolean(),
        unknown_phase: z.boolean(),
        model: z.object({
          id: z.number().int(),
          trained_at: z.string(),
          window_days: z.number().int(),
          training_users: z
            .number()
            .int()
            .nullable()
            .describe('Distinct users in the training sample; null: unknown (a model saved before they were counted) or withheld (figures_withheld)'),
          figures_withheld: z
            .boolean()
            .describe(
              'The accuracies are withheld from this caller (a per-user token): the training sample held fewer than community_min_users users, or an unknown number',
            ),
          holdout_accuracy: z.number().nullable().describe('null: withheld (figures_withheld)'),
          baseline_accuracy: z.number().nullable().describe('null: withheld (figures_withheld)'),
        }),
        caveats: z.array(z.string()),
        method: z.string(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ skill_name, workflow_phase, user_id, hour_of_day }) => {
      const hour = hour_of_day ?? new Date(deps.now()).getUTCHours();
      const userHash = subjectUserHash(deps.caller, deps.hashUser, user_id)!;
      const r = await predictSuccess(
        { ...prediction, store: deps.analyticsQueries },
        { skill: skill_name, phase: workflow_phase, userHash, hourOfDay: hour, callerRole: deps.caller.role },
      );
      const { model, caveats } = r;
      const report = model.report;
      const probability = r.probability === null ? null : roundRate(r.probability);
      const accuracy = r.modelFiguresWithheld ? null : roundRate(report.holdout_accuracy);
      const baseline = r.modelFiguresWithheld ? null : roundRate(report.baseline_accuracy);
      return {
        structured: {
          probability,
          skill_name,
          workflow_phase,
          hour_of_day: hour,
          user_success_rate: roundRate(r.userSuccessRate),
          user_invocations: r.userInvocations,
          skill_success_rate: r.skillSuccessRate === null ? null : roundRate(r.skillSuccessRate),
          skill_invocations: r.skillInvocations,
          skill_withheld: r.skillWithheld,
          community_min_users: r.communityMinUsers,
          unknown_skill: r.unknownSkill,
          unknown_phase: r.unknownPhase,
          model: {
            id: model.id,
            trained_at: iso(model.trained_at),
            window_days: model.window_days,
            training_users: r.trainingUsers,
            figures_withheld: r.modelFiguresWithheld,
            holdout_accuracy: accuracy,
            baseline_accuracy: baseline,
          },
          caveats,
          method: PREDICTION_METHOD,
        },
        text:
          (probability === null
            ? `No success probability of ${skill_name} (${workflow_phase}, ${hour}:00 UTC) for this user: withheld, see the caveat `
            : `Estimated success probability of ${skill_name} (${workflow_phase}, ${hour}:00 UTC) for this user: ${probability} `) +
          (accuracy === null ? `(model ${model.id}, its accuracy withheld).` : `(model ${model.id}, held-out accuracy ${accuracy} vs baseline ${baseline}).`) +
          (caveats.length > 0 ? ` Caveats: ${caveats.join('; ')}.` : ''),
      };
    },
  );
}
