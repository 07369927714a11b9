import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { FEATURE_NAMES } from '../../analytics/prediction.js';
import { roundRate } from '../../analytics/round.js';
import { beatsBaseline, type ModelTrainer } from '../../insights/model-trainer.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { intField, iso } from './insight-fields.js';

const TRAINING_METHOD =
  `A random forest (50 trees, depth ≤ 10, ≥ 5 rows per leaf) over the features ${FEATURE_NAMES.join(', ')}; the rates ` +
  "are the user's and the skill's success rates (s + 1) / (n + 2) over earlier invocations of the window. The most " +
  'recent 20% of the invocations are held out and predicted (a time split, not a random one); baseline_accuracy is ' +
  'what always predicting the held-out majority outcome scores. At most 50,000 invocations are read: when the window ' +
  'holds more, every k-th one (in recording order), so that the sample spans the whole window; the forest then trains ' +
  'on at most 20,000 of the non-held-out ones (the most recent of each outcome, class shares kept).';

const importanceSchema = z.array(z.object({ feature: z.string(), importance: z.number() }));

export function registerTrainSuccessModelTool(server: McpServer, deps: ToolDeps, trainer: ModelTrainer): void {
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
        reason: z.string().nullable().describe('Why no model was trained'),
        window: z.object({ from: z.string(), to: z.string(), days: z.number().int() }),
        samples: z.number().int().describe('Invocations used (training + holdout)'),
        window_invocations: z.number().int().describe('Invocations recorded in the window'),
        capped: z.boolean().describe('The window held more invocations than the cap: an evenly spread subset was used'),
        train_size: z.number().int().nullable(),
        holdout_size: z.number().int().nullable(),
        holdout_accuracy: z.number().nullable(),
        baseline_accuracy: z.number().nullable(),
        beats_baseline: z.boolean().nullable().describe('Held-out accuracy exceeds the baseline by more than two standard errors, 2·√(b(1−b)/n)'),
        feature_importance: importanceSchema,
        success_rate: z.number().nullable().describe('Share of successful invocations among the samples'),
        ran_in: z.enum(['worker', 'main-thread']),
        training_ms: z.number().int(),
        method: z.string(),
      },
      annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ days }) => {
      const run = await trainer.train(days, deps.now());
      const r = run.result;
      const window = { from: iso(run.window.from), to: iso(run.window.to), days };
      const common = {
        model_id: run.model_id,
        window,
        samples: r.samples,
        window_invocations: run.window_total,
        capped: run.capped,
        ran_in: run.ran_in,
        training_ms: run.timings_ms.train,
        method: TRAINING_METHOD,
      };
      if (r.status === 'insufficient_data') {
        return {
          structured: {
            ...common,
            status: r.status,
            reason: r.reason,
            train_size: null,
            holdout_size: null,
            holdout_accuracy: null,
            baseline_accuracy: null,
            beats_baseline: null,
            feature_importance: [],
            success_rate: null,
          },
          text: `Not enough data to train a useful model from the last ${days} day(s): ${r.reason}. No model was stored.`,
        };
      }
      const accuracy = roundRate(r.holdout_accuracy);
      const baseline = roundRate(r.baseline_accuracy);
      const beats = beatsBaseline(r);
      const top = r.feature_importance
        .slice(0, 3)
        .map((f) => `${f.feature} ${f.importance}`)
        .join(', ');
      const verdict = beats
        ? `beats the ${baseline} of always predicting the majority outcome`
        : `does NOT clearly beat the ${baseline} of always predicting the majority outcome (the difference is within ` +
          'noise), so its predictions add little';
      return {
        structured: {
          ...common,
          status: r.status,
          reason: null,
          train_size: r.train_size,
          holdout_size: r.holdout_size,
          holdout_accuracy: accuracy,
          baseline_accuracy: baseline,
          beats_baseline: beats,
          feature_importance: r.feature_importance,
          success_rate: roundRate(r.class_balance.success_rate),
        },
        text:
          `Trained model ${run.model_id} on ${r.samples} invocations from the last ${days} day(s)` +
          `${run.capped ? ` (every ${run.stride}th of ${run.window_total})` : ''}: held-out accuracy ${accuracy} ${verdict}. ` +
          `Most important: ${top}.`,
      };
    },
  );
}
