import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { roundRate } from '../../analytics/round.js';
import type { PredictorCache } from '../../insights/predictor-cache.js';
import { predictSuccess } from '../../insights/success-prediction.js';
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
  'averaged over all known phases likewise.';

export function registerPredictSkillSuccessTool(server: McpServer, deps: ToolDeps, predictors: PredictorCache): void {
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
        probability: z.number(),
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
        skill_invocations: z.number().int().describe("The skill's recorded invocations, all time (for an unknown skill, not used by the model)"),
        unknown_skill: z.boolean(),
        unknown_phase: z.boolean(),
        model: z.object({
          id: z.number().int(),
          trained_at: z.string(),
          window_days: z.number().int(),
          holdout_accuracy: z.number(),
          baseline_accuracy: z.number(),
        }),
        caveats: z.array(z.string()),
        method: z.string(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ skill_name, workflow_phase, user_id, hour_of_day }) => {
      const hour = hour_of_day ?? new Date(deps.now()).getUTCHours();
      const userHash = subjectUserHash(deps.caller, deps.hashUser, user_id)!;
      const r = await predictSuccess({ predictors, store: deps.analyticsQueries }, { skill: skill_name, phase: workflow_phase, userHash, hourOfDay: hour });
      const { model, caveats } = r;
      const report = model.report;
      const probability = roundRate(r.probability);
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
          unknown_skill: r.unknownSkill,
          unknown_phase: r.unknownPhase,
          model: {
            id: model.id,
            trained_at: iso(model.trained_at),
            window_days: model.window_days,
            holdout_accuracy: roundRate(report.holdout_accuracy),
            baseline_accuracy: roundRate(report.baseline_accuracy),
          },
          caveats,
          method: PREDICTION_METHOD,
        },
        text:
          `Estimated success probability of ${skill_name} (${workflow_phase}, ${hour}:00 UTC) for this user: ${probability} ` +
          `(model ${model.id}, held-out accuracy ${roundRate(report.holdout_accuracy)} vs baseline ${roundRate(report.baseline_accuracy)}).` +
          (caveats.length > 0 ? ` Caveats: ${caveats.join('; ')}.` : ''),
      };
    },
  );
}
