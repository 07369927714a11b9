import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { FEATURE_NAMES } from '../../analytics/prediction.js';
import type { ModelTrainer } from '../../insights/model-trainer.js';
import { summarizeTraining } from '../../insights/training-summary.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { intField } from './insight-fields.js';

const TRAINING_METHOD =
  `A random forest (50 trees, depth ≤ 10, ≥ 5 rows per leaf) over the features ${FEATURE_NAMES.join(', ')}; the rates ` +
  "are the user's and the skill's success rates (s + 1) / (n + 2) over earlier invocations of the window; an invocation " +
  "whose duration was not measured (stored as 0 ms) gets its skill's median measured duration bucket (the median over " +
  'all measured durations for a skill with none), not 0 ms. The most ' +
  'recent 20% of the invocations are held out and predicted (a time split, not a random one); baseline_accuracy is ' +
  'what always predicting the held-out majority outcome scores. At most 50,000 invocations are read: when the window ' +
  'holds more, every k-th one (in recording order), so that the sample spans the whole window; the forest then trains ' +
  'on at most 20,000 of the non-held-out ones (the most recent of each outcome, class shares kept). The accuracies, ' +
  'success rate and feature importance, and the invocation counts (samples, window_invocations, train_size, holdout_size, ' +
  'capped), describe every user of the sample: a per-user token sees them only when the sample held at least ' +
  'community_min_users (k) distinct users (null otherwise, the caveats say so); an admin sees them always. So too when ' +
  'there is too little data to train: below k users a per-user token gets no counts, and a reason without the ' +
  "sample's size or which outcome it lacks.";

const importanceSchema = z.array(z.object({ feature: z.string(), importance: z.number() }));

export function registerTrainSuccessModelTool(server: McpServer, deps: ToolDeps, trainer: ModelTrainer, communityMinUsers: number): void {
  defineTool(
    server,
    deps,
    {
      name: 'train_success_model',
      title: 'Train success model',
      description:
        'Trains the success-prediction model on the invocations of the last `days` days and stores it for ' +
        'predict_skill_success. Reports held-out accuracy next to the majority baseline and the feature importance, ' +
        'or says plainly that there is too little data. ' +
        TRAINING_METHOD,
      inputSchema: {
        days: intField(1, 90).default(30).describe('Training window in days, ending now'),
      },
      outputSchema: {
        status: z.enum(['trained', 'insufficient_data']),
        model_id: z.number().int().nullable(),
        reason: z.string().nullable().describe("Why no model was trained; without the sample's size or its one outcome when figures_withheld"),
        window: z.object({ from: z.string(), to: z.string(), days: z.number().int() }),
        samples: z.number().int().nullable().describe('Invocations used (training + holdout); null: withheld (figures_withheld)'),
        window_invocations: z.number().int().nullable().describe('Invocations recorded in the window; null: withheld (figures_withheld)'),
        capped: z
          .boolean()
          .nullable()
          .describe('The window held more invocations than the cap: an evenly spread subset was used; null: withheld (figures_withheld)'),
        train_size: z.number().int().nullable().describe('null: no model trained, or withheld (figures_withheld)'),
        holdout_size: z.number().int().nullable().describe('null: no model trained, or withheld (figures_withheld)'),
        training_users: z.number().int().nullable().describe('Distinct users in the sample; null: no model trained, or withheld (figures_withheld)'),
        figures_withheld: z
          .boolean()
          .describe(
            'The figures across users (accuracies, success rate, feature importance) and the invocation counts (samples, window_invocations, ' +
              'train_size, holdout_size, capped) are withheld from this caller: the sample held fewer than k users',
          ),
        holdout_accuracy: z.number().nullable(),
        baseline_accuracy: z.number().nullable(),
        beats_baseline: z.boolean().nullable().describe('Held-out accuracy exceeds the baseline by more than two standard errors, 2·√(b(1−b)/n)'),
        feature_importance: importanceSchema.nullable().describe('null: withheld (figures_withheld)'),
        success_rate: z.number().nullable().describe('Share of successful invocations among the samples'),
        caveats: z.array(z.string()),
        ran_in: z.enum(['worker', 'main-thread']),
        training_ms: z.number().int(),
        method: z.string(),
      },
      annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ days }) => {
      const { fields, text } = summarizeTraining({ communityMinUsers, role: deps.caller.role }, await trainer.train(days, deps.now()), days);
      return { structured: { ...fields, method: TRAINING_METHOD }, text };
    },
  );
}
