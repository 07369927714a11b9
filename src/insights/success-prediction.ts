/**
 * The prediction use case: assemble the features exactly as training does
 * (all-time user and skill success rates with the (s + 1) / (n + 2) prior,
 * the hour of day; the duration bucket is left to the model: the skill's
 * median measured one) and ask the latest stored model, with the caveats a
 * reader needs to weigh the answer. A skill the model never saw is answered
 * with the mean of the predictions for every skill it knows, each with that
 * skill's own success rate.
 */
import { priorSuccessRate } from '../analytics/prediction.js';
import { roundRate } from '../analytics/round.js';
import { AppError } from '../errors.js';
import type { RollupReads } from '../store/types.js';
import { beatsBaseline } from './model-trainer.js';
import type { LoadedModel, PredictorCache } from './predictor-cache.js';

export interface SuccessPredictionInput {
  skill: string;
  phase: string;
  userHash: string;
  hourOfDay: number;
}

export interface SuccessPrediction {
  probability: number;
  unknownSkill: boolean;
  unknownPhase: boolean;
  userSuccessRate: number;
  userInvocations: number;
  /**
   * The skill's (s + 1) / (n + 2) as the model used it; null for a skill the model never saw (no single rate was
   * used: each known skill was predicted with its own, see the caveat).
   */
  skillSuccessRate: number | null;
  /** The skill's recorded invocations (all time), used or not. */
  skillInvocations: number;
  model: LoadedModel;
  caveats: string[];
}

/** NOT_FOUND when no model has been trained yet. */
export async function predictSuccess(
  deps: { predictors: PredictorCache; store: Pick<RollupReads, 'userSkillStats' | 'skillTotals'> },
  q: SuccessPredictionInput,
): Promise<SuccessPrediction> {
  const model = await deps.predictors.current();
  if (!model) throw new AppError('NOT_FOUND', 'no success model has been trained yet; train first with train_success_model');
  let userN = 0;
  let userS = 0;
  for (const row of await deps.store.userSkillStats(q.userHash)) {
    userN += row.invocations;
    userS += row.successes;
  }
  const skill = (await deps.store.skillTotals([q.skill]))[0];
  const skillN = skill?.invocations ?? 0;
  const userRate = priorSuccessRate(userS, userN);
  const skillRate = priorSuccessRate(skill?.successes ?? 0, skillN);
  const known = model.report.encodings.skills;
  const knownSkillSuccessRates = known.includes(q.skill) ? undefined : await knownSkillRates(deps.store, known);
  const p = model.predict({
    skill: q.skill,
    phase: q.phase,
    hourOfDay: q.hourOfDay,
    userSuccessRate: userRate,
    skillSuccessRate: skillRate,
    ...(knownSkillSuccessRates ? { knownSkillSuccessRates } : {}),
  });
  const report = model.report;
  const caveats: string[] = [];
  if (p.unknown_skill) {
    caveats.push(
      `the model never saw ${q.skill}: the probability is averaged over the ${known.length} skills it knows, each with its own success rate, ` +
        `so skill_success_rate is null: no single rate was used (${skillN > 0 ? `not ${q.skill}'s own, ${roundRate(skillRate)} over ${skillN} invocations` : `${q.skill} has no recorded invocations`})`,
    );
  }
  if (p.unknown_phase) caveats.push(`the model never saw phase ${q.phase}: the probability is averaged over all phases it knows`);
  if (userN === 0) caveats.push('no invocations of this user are recorded: the user rate is the prior 0.5');
  if (!beatsBaseline(report)) {
    caveats.push(
      `the model's held-out accuracy (${roundRate(report.holdout_accuracy)}) does not clearly beat always predicting ` +
        `the majority outcome (${roundRate(report.baseline_accuracy)}): treat the probability as a rough prior`,
    );
  }
  return {
    probability: p.probability,
    unknownSkill: p.unknown_skill,
    unknownPhase: p.unknown_phase,
    userSuccessRate: userRate,
    userInvocations: userN,
    skillSuccessRate: p.unknown_skill ? null : skillRate,
    skillInvocations: skillN,
    model,
    caveats,
  };
}

/** The all-time success rate of each skill the model knows, with the training prior; (0 + 1) / (0 + 2) for one no longer recorded. */
async function knownSkillRates(store: Pick<RollupReads, 'skillTotals'>, skills: readonly string[]): Promise<Map<string, number>> {
  const rates = new Map(skills.map((name) => [name, priorSuccessRate(0, 0)]));
  for (const t of await store.skillTotals(skills)) rates.set(t.skill, priorSuccessRate(t.successes, t.invocations));
  return rates;
}
