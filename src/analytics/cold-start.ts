/**
 * Recommendations for a user collaborative filtering cannot serve (no
 * successful invocation yet, or no user with a similar skill set): the most
 * successful skills overall, which the user has not tried.
 *
 * "Most successful" is the community's effectiveness rule (baselines.ts): the
 * lower bound of the 95 % Wilson score interval of the success rate, so a
 * skill with 95/100 successes (0.888) ranks above one with 10/10 (0.722).
 */
import { AppError } from '../errors.js';
import { wilsonLowerBound } from './baselines.js';

export const COLD_START_RULE =
  'Cold start (no successful invocation of this user, or no similar user): the skills with the highest lower bound ' +
  'of the 95% Wilson score interval of their success rate over all users, excluding skills this user has invoked; ' +
  'ties by more invocations, then by name. score is that lower bound, supporting_users the users who used the ' +
  'skill, neighbor_success_rate its success rate over all users.';

export interface SkillOutcomeTotals {
  skill: string;
  invocations: number;
  successes: number;
  /** Distinct users who invoked the skill. */
  users: number;
}

export interface ColdStartRecommendation {
  skill_name: string;
  /** Wilson 95 % lower bound of the overall success rate. */
  score: number;
  supporting_users: number;
  /** successes / invocations over all users. */
  neighbor_success_rate: number;
}

export function coldStartRecommendations(input: {
  totals: readonly SkillOutcomeTotals[];
  /** Skills the user has already invoked. */
  exclude: ReadonlySet<string>;
  limit: number;
}): ColdStartRecommendation[] {
  const { totals, exclude, limit } = input;
  if (!Number.isInteger(limit) || limit < 1) throw AppError.invalid('limit', 'must be an integer >= 1');
  return totals
    .filter((t) => t.successes > 0 && !exclude.has(t.skill))
    .map((t) => ({ t, score: wilsonLowerBound(t.successes, t.invocations) }))
    .sort((a, b) => b.score - a.score || b.t.invocations - a.t.invocations || (a.t.skill < b.t.skill ? -1 : a.t.skill > b.t.skill ? 1 : 0))
    .slice(0, limit)
    .map(({ t, score }) => ({
      skill_name: t.skill,
      score,
      supporting_users: t.users,
      neighbor_success_rate: t.successes / t.invocations,
    }));
}
