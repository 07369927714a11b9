/**
 * What a training run reports to the user: the run's figures in the shape of
 * the train_success_model output (rates rounded, nulls where no model was
 * trained) and a one-paragraph summary that says whether the model beats
 * always predicting the majority outcome. The model's figures across users
 * (accuracies, success rate, feature importance) describe every user of the
 * training sample: a caller bound to one user sees them only when it held at
 * least k users (see acrossUsersWithheld); so too the invocation counts of the
 * run (the sample's, its training and held-out parts, the window's, whether it
 * was capped), which count every user's invocations, and, when too little data
 * was found to train, those counts and the size or single outcome the reason
 * would name.
 */
import { roundRate } from '../analytics/round.js';
import { acrossUsersWithheld, beatsBaseline, type TrainingRun } from './model-trainer.js';

/** The English ordinal of a positive integer: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 101st, 111th. */
export function ordinal(n: number): string {
  const lastTwo = n % 100;
  const suffix = lastTwo >= 11 && lastTwo <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Who reads the summary: k (config `communityMinUsers`) and the caller's role. */
export interface TrainingAudience {
  communityMinUsers: number;
  role: 'admin' | 'user';
}

/** Said when the run's counts are withheld with its figures across users (see summarizeTraining). */
const COUNTS_WITHHELD =
  'the invocation counts of the training sample (samples, window_invocations, train_size, holdout_size, capped) are withheld too: they count the invocations of every user of the sample';

/** Said when too little data was found and its counts are withheld (see summarizeTraining). */
function notTrainedWithheld(k: number): string {
  return `the invocation counts of the window (samples, window_invocations, capped) are withheld: its sample held fewer than ${k} users, so they may describe fewer than ${k} people`;
}

export function summarizeTraining(audience: TrainingAudience, run: TrainingRun, days: number) {
  const r = run.result;
  const windowCounts = { samples: r.samples, window_invocations: run.window_total, capped: run.capped };
  const common = {
    model_id: run.model_id,
    window: { from: new Date(run.window.from).toISOString(), to: new Date(run.window.to).toISOString(), days },
    ran_in: run.ran_in,
    training_ms: run.timings_ms.train,
  };
  if (r.status === 'insufficient_data') {
    const empty = { train_size: null, holdout_size: null, holdout_accuracy: null, baseline_accuracy: null, beats_baseline: null, success_rate: null };
    const notTrained = { ...common, ...empty, status: r.status, feature_importance: [], training_users: null };
    const said = `Not enough data to train a useful model from the last ${days} day(s)`;
    // No model, but the counts (and the reason's size or outcome) are still every user's of the window: the same k.
    if (acrossUsersWithheld(r.users, audience.communityMinUsers, audience.role).withheld) {
      const caveat = notTrainedWithheld(audience.communityMinUsers);
      return {
        fields: { ...notTrained, samples: null, window_invocations: null, capped: null, reason: r.withheld_reason, figures_withheld: true, caveats: [caveat] },
        text: `${said}: ${r.withheld_reason}. No model was stored; ${caveat}.`,
      };
    }
    return {
      fields: { ...notTrained, ...windowCounts, reason: r.reason, figures_withheld: false, caveats: [] },
      text: `${said}: ${r.reason}. No model was stored.`,
    };
  }
  const shown = acrossUsersWithheld(r.users, audience.communityMinUsers, audience.role);
  if (shown.withheld) {
    // The counts too are every user's: the sample's and the window's invocations, and so whether it was capped.
    const counts = { samples: null, window_invocations: null, capped: null, train_size: null, holdout_size: null };
    const withheld = { holdout_accuracy: null, baseline_accuracy: null, beats_baseline: null, feature_importance: null, success_rate: null };
    return {
      fields: {
        ...common,
        ...counts,
        ...withheld,
        status: r.status,
        reason: null,
        training_users: null,
        figures_withheld: true,
        caveats: [shown.caveat!, COUNTS_WITHHELD],
      },
      text: `Trained model ${run.model_id} from the last ${days} day(s); ${shown.caveat}, and so are the invocation counts of its training sample.`,
    };
  }
  const trained = `Trained model ${run.model_id} on ${r.samples} invocations from the last ${days} day(s)${run.capped ? ` (every ${ordinal(run.stride)} of ${run.window_total})` : ''}`;
  const counts = { status: r.status, reason: null, train_size: r.train_size, holdout_size: r.holdout_size, caveats: shown.caveat ? [shown.caveat] : [] };
  const accuracy = roundRate(r.holdout_accuracy);
  const baseline = roundRate(r.baseline_accuracy);
  const beats = beatsBaseline(r);
  const top = r.feature_importance
    .slice(0, 3)
    .map((f) => `${f.feature} ${f.importance}`)
    .join(', ');
  const verdict = beats
    ? `beats the ${baseline} of always predicting the majority outcome`
    : `does NOT clearly beat the ${baseline} of always predicting the majority outcome (the difference is within noise), so its predictions add little`;
  return {
    fields: {
      ...common,
      ...windowCounts,
      ...counts,
      training_users: r.users,
      figures_withheld: false,
      holdout_accuracy: accuracy,
      baseline_accuracy: baseline,
      beats_baseline: beats,
      feature_importance: r.feature_importance,
      success_rate: roundRate(r.class_balance.success_rate),
    },
    text: `${trained}: held-out accuracy ${accuracy} ${verdict}. Most important: ${top}.`,
  };
}
