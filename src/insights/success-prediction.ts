/**
 * The prediction use case: assemble the features exactly as training does
 * (all-time user and skill success rates with the (s + 1) / (n + 2) prior,
 * the hour of day, the skill's median measured duration bucket) and ask the
 * latest stored model, with the caveats a reader needs to weigh the answer.
 * A skill the model never saw is answered with the mean of the predictions
 * for every skill it knows, each with that skill's own success rate.
 *
 * The answer is about one user and follows the community's k
 * (`communityMinUsers`, as the skill report's per-user figures and the
 * recommendations): a skill fewer than k distinct users used (all time) gets
 * no figure across users (its success rate and invocation count are
 * withheld) and its probability is generalised, predicted as for a skill the
 * model never saw; every average over known skills (unknown or generalised
 * skill) takes only the known skills at least k users used. With no such
 * skill there is nothing to generalise over and no probability is given.
 * The model's own figures (held-out and baseline accuracy) describe every
 * user of its training sample: a caller bound to one user sees them only when
 * that sample held at least k users (see acrossUsersWithheld).
 */
import { priorSuccessRate } from '../analytics/prediction.js';
import { roundRate } from '../analytics/round.js';
import { AppError } from '../errors.js';
import type { RollupReads } from '../store/types.js';
import { acrossUsersWithheld, beatsBaseline } from './model-trainer.js';
import type { LoadedModel, PredictorCache } from './predictor-cache.js';

export interface SuccessPredictionInput {
  skill: string;
  phase: string;
  userHash: string;
  hourOfDay: number;
  /** Who asks: a caller bound to one user (`user`) sees the model's figures across users only when its sample held at least k users. */
  callerRole: 'admin' | 'user';
}

export interface SuccessPredictionDeps {
  predictors: PredictorCache;
  store: Pick<RollupReads, 'userSkillStats' | 'skillTotals'>;
  /** k: figures across users only of skills at least this many distinct users used (config `communityMinUsers`). */
  communityMinUsers: number;
}

export interface SuccessPrediction {
  /** null: withheld, no skill the model knows was used by at least k users (nothing to generalise over). */
  probability: number | null;
  unknownSkill: boolean;
  unknownPhase: boolean;
  userSuccessRate: number;
  userInvocations: number;
  /**
   * The skill's (s + 1) / (n + 2) as the model used it; null for a skill the model never saw (no single rate was
   * used: each known skill was predicted with its own, see the caveat).
   */
  skillSuccessRate: number | null;
  /** The skill's recorded invocations (all time), used or not; null when withheld (fewer than k users). */
  skillInvocations: number | null;
  /** Fewer than k users used the skill: its figures across users are withheld and its probability generalised. */
  skillWithheld: boolean;
  /** k. */
  communityMinUsers: number;
  /** The model's figures across users (held-out and baseline accuracy) are withheld from this caller: see acrossUsersWithheld. */
  modelFiguresWithheld: boolean;
  /** Distinct users in the model's training sample; null: unknown (a model saved before they were counted) or withheld. */
  trainingUsers: number | null;
  model: LoadedModel;
  caveats: string[];
}

/** NOT_FOUND when no model has been trained yet. */
export async function predictSuccess(deps: SuccessPredictionDeps, q: SuccessPredictionInput): Promise<SuccessPrediction> {
  const model = await deps.predictors.current();
  if (!model) throw new AppError('NOT_FOUND', 'no success model has been trained yet; train first with train_success_model');
  const k = deps.communityMinUsers;
  let userN = 0;
  let userS = 0;
  for (const row of await deps.store.userSkillStats(q.userHash)) {
    userN += row.invocations;
    userS += row.successes;
  }
  const skill = (await deps.store.skillTotals([q.skill]))[0];
  const skillN = skill?.invocations ?? 0;
  const withheld = (skill?.users ?? 0) < k;
  const userRate = priorSuccessRate(userS, userN);
  const skillRate = priorSuccessRate(skill?.successes ?? 0, skillN);
  const known = model.report.encodings.skills;
  const unknownSkill = !known.includes(q.skill);
  // Averaged over the known skills (each with its own rate) when the model never saw the skill or its figures are withheld.
  const averaged = unknownSkill || withheld ? await knownSkills(deps.store, known, k) : null;
  const p =
    averaged === null || averaged.eligible.length > 0
      ? model.predict({
          skill: q.skill,
          phase: q.phase,
          hourOfDay: q.hourOfDay,
          userSuccessRate: userRate,
          skillSuccessRate: skillRate,
          ...(averaged ? { knownSkillSuccessRates: averaged.rates, averageOverSkills: averaged.eligible, generalise: true } : {}),
        })
      : null;
  const report = model.report;
  const caveats: string[] = [];
  const over = averaged && `${averaged.eligible.length} skills it knows${averaged.eligible.length < known.length ? ` that at least ${k} users used` : ''}`;
  const withheldText = `${q.skill}'s figures across users are withheld: fewer than ${k} users used it`;
  if (averaged && averaged.eligible.length === 0) {
    caveats.push(
      `no probability is given: ${unknownSkill ? `the model never saw ${q.skill}` : withheldText}, and none of the ${known.length} skills ` +
        `the model knows was used by at least ${k} users, so there is nothing to generalise over that does not describe fewer than ${k} users`,
    );
  } else if (unknownSkill) {
    const own =
      skillN === 0
        ? `${q.skill} has no recorded invocations`
        : withheld
          ? withheldText
          : `not ${q.skill}'s own, ${roundRate(skillRate)} over ${skillN} invocations`;
    caveats.push(
      `the model never saw ${q.skill}: the probability is averaged over the ${over}, each with its own success rate, ` +
        `so skill_success_rate is null: no single rate was used (${own})`,
    );
  } else if (withheld) {
    caveats.push(
      `${withheldText}, so skill_success_rate and skill_invocations are null and the probability is generalised: averaged over the ${over}, each with its own success rate`,
    );
  }
  if (p?.unknown_phase) caveats.push(`the model never saw phase ${q.phase}: the probability is averaged over all phases it knows`);
  if (userN === 0) caveats.push('no invocations of this user are recorded: the user rate is the prior 0.5');
  const modelFigures = acrossUsersWithheld(report.users, k, q.callerRole);
  if (modelFigures.caveat) caveats.push(modelFigures.caveat);
  if (modelFigures.withheld) {
    caveats.push('how much better than always predicting the majority outcome the model does cannot be shown: treat the probability as a rough prior');
  } else if (!beatsBaseline(report)) {
    caveats.push(
      `the model's held-out accuracy (${roundRate(report.holdout_accuracy)}) does not clearly beat always predicting ` +
        `the majority outcome (${roundRate(report.baseline_accuracy)}): treat the probability as a rough prior`,
    );
  }
  return {
    probability: p ? p.probability : null,
    unknownSkill,
    unknownPhase: !report.encodings.phases.includes(q.phase),
    userSuccessRate: userRate,
    userInvocations: userN,
    skillSuccessRate: unknownSkill || withheld ? null : skillRate,
    skillInvocations: withheld && skillN > 0 ? null : skillN,
    skillWithheld: withheld && skillN > 0,
    communityMinUsers: k,
    modelFiguresWithheld: modelFigures.withheld,
    trainingUsers: modelFigures.withheld ? null : (report.users ?? null),
    model,
    caveats,
  };
}

/**
 * The all-time success rate of each skill the model knows, with the training prior ((0 + 1) / (0 + 2) for one no
 * longer recorded), and those of them at least k users used, the only ones an average may take.
 */
async function knownSkills(
  store: Pick<RollupReads, 'skillTotals'>,
  skills: readonly string[],
  k: number,
): Promise<{ rates: Map<string, number>; eligible: string[] }> {
  const rates = new Map(skills.map((name) => [name, priorSuccessRate(0, 0)]));
  const eligible: string[] = [];
  for (const t of await store.skillTotals(skills)) {
    rates.set(t.skill, priorSuccessRate(t.successes, t.invocations));
    if (t.users >= k) eligible.push(t.skill);
  }
  return { rates, eligible };
}
