/**
 * Recommendations for a user collaborative filtering cannot serve (no
 * successful invocation yet, or no user with a similar skill set): the most
 * successful skills overall, which the user has not tried.
 *
 * Only skills at least `minUsers` distinct users have invoked are candidates
 * (the community's k): a recommendation names a skill and gives figures
 * across its users, so none describes fewer than k people, and one user, however
 * many invocations it records, cannot set every newcomer's list.
 *
 * "Most successful" is the community's effectiveness rule (baselines.ts): the
 * lower bound of the 95 % Wilson score interval of the success rate, so a
 * skill with 95/100 successes (0.888) ranks above one with 10/10 (0.722).
 */
import { AppError } from '../errors.js';
import { wilsonLowerBound } from './baselines.js';

/** The rule of `coldStartRecommendations`, in words, for a given k (`minUsers`). */
export function coldStartRule(minUsers: number): string {
  return (
    'Cold start (no successful invocation of this user, or no similar user): among the skills at least ' +
    `${minUsers} distinct user(s) have invoked (fewer are withheld), excluding skills this user has invoked, the ` +
    'skills with the highest lower bound of the 95% Wilson score interval of their success rate over all users; ' +
    'ties by more invocations, then by name. score is that lower bound, supporting_users the users who used the ' +
    'skill, neighbor_success_rate its success rate over all users.'
  );
}

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
  /** Only skills at least this many distinct users invoked (k). */
  minUsers: number;
  limit: number;
}): ColdStartRecommendation[] {
  const { totals, exclude, minUsers, limit } = input;
  if (!Number.isInteger(limit) || limit < 1) throw AppError.invalid('limit', 'must be an integer >= 1');
  if (!Number.isInteger(minUsers) || minUsers < 1) throw AppError.invalid('min_users', 'must be an integer >= 1');
  return totals
    .filter((t) => t.successes > 0 && t.users >= minUsers && !exclude.has(t.skill))
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
