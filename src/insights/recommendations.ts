/**
 * Skill recommendations for one user: collaborative filtering over similar
 * users (analytics/collaborative.ts), or, when the user has no successful
 * invocation or no similar user, the cold-start answer — the most successful
 * skills overall that the user has not tried (analytics/cold-start.ts),
 * marked as such.
 */
import { COLD_START_RULE, coldStartRecommendations } from '../analytics/cold-start.js';
import { REASON_NO_NEIGHBOURS, REASON_NO_SUCCESSES, type RecommendationResult } from '../analytics/collaborative.js';
import type { RollupReads } from '../store/types.js';
import type { UserSkillCache } from './user-skill-cache.js';

export interface SkillRecommendations extends RecommendationResult {
  /** similar_users: collaborative filtering; cold_start: most successful skills overall. */
  basis: 'similar_users' | 'cold_start';
  /** How cold-start recommendations were chosen; null when basis is similar_users. */
  cold_start_rule: string | null;
}

export async function recommendSkillsFor(
  deps: { cache: UserSkillCache; store: Pick<RollupReads, 'skillTotals'> },
  userHash: string,
  limit: number,
): Promise<SkillRecommendations> {
  const index = await deps.cache.get();
  const r = index.recommend(userHash, limit);
  if (r.reason !== REASON_NO_SUCCESSES && r.reason !== REASON_NO_NEIGHBOURS) {
    return { ...r, basis: 'similar_users', cold_start_rule: null };
  }
  const recommendations = coldStartRecommendations({ totals: await deps.store.skillTotals(), exclude: index.invokedSkills(userHash), limit });
  return {
    recommendations,
    neighbors_considered: 0,
    target_skill_count: r.target_skill_count,
    reason: `${r.reason}: most successful skills overall instead${recommendations.length === 0 ? ' (none recorded that this user has not tried)' : ''}`,
    basis: 'cold_start',
    cold_start_rule: COLD_START_RULE,
  };
}
