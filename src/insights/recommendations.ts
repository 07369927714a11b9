/**
 * Skill recommendations for one user: collaborative filtering over similar
 * users (analytics/collaborative.ts), or, when the user has no successful
 * invocation or no similar user, the cold-start answer — the most successful
 * skills overall that the user has not tried (analytics/cold-start.ts),
 * marked as such.
 *
 * Both answers follow the community's k (`communityMinUsers`, as the skill
 * report's per-user figures): a skill is recommended only when at least k
 * similar users used it successfully, or, in cold start, at least k users
 * invoked it. A recommendation names a skill other users use and gives figures
 * across them, so none describes fewer than k people.
 */
import { coldStartRecommendations, coldStartRule } from '../analytics/cold-start.js';
import { REASON_NO_NEIGHBOURS, REASON_NO_SUCCESSES, type RecommendationResult } from '../analytics/collaborative.js';
import type { RollupReads } from '../store/types.js';
import type { UserSkillCache } from './user-skill-cache.js';

export interface SkillRecommendations extends RecommendationResult {
  /** similar_users: collaborative filtering; cold_start: most successful skills overall. */
  basis: 'similar_users' | 'cold_start';
  /** How cold-start recommendations were chosen; null when basis is similar_users. */
  cold_start_rule: string | null;
  /** k: the users a recommended skill needs (similar users with a success, or in cold start users who invoked it). */
  community_min_users: number;
}

export interface SkillRecommenderDeps {
  cache: UserSkillCache;
  store: Pick<RollupReads, 'skillTotals'>;
  /** k (config `communityMinUsers`). */
  communityMinUsers: number;
}

export class SkillRecommender {
  constructor(private readonly deps: SkillRecommenderDeps) {}

  async recommend(userHash: string, limit: number): Promise<SkillRecommendations> {
    const k = this.deps.communityMinUsers;
    const index = await this.deps.cache.get();
    const r = index.recommend(userHash, limit, { minSupportingUsers: k });
    if (r.reason !== REASON_NO_SUCCESSES && r.reason !== REASON_NO_NEIGHBOURS) {
      return { ...r, basis: 'similar_users', cold_start_rule: null, community_min_users: k };
    }
    const recommendations = coldStartRecommendations({
      totals: await this.deps.store.skillTotals(),
      exclude: index.invokedSkills(userHash),
      minUsers: k,
      limit,
    });
    return {
      recommendations,
      neighbors_considered: 0,
      target_skill_count: r.target_skill_count,
      reason: `${r.reason}: most successful skills overall instead${recommendations.length === 0 ? ` (none recorded that this user has not tried and at least ${k} users used)` : ''}`,
      basis: 'cold_start',
      cold_start_rule: coldStartRule(k),
      community_min_users: k,
    };
  }
}
