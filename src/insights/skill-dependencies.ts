/**
 * The co-occurrence use case: read the session pair counts (only pairs that
 * can reach the support floor, or those of one skill) and the skills' session
 * counts, then compute the association rules (analytics/dependencies.ts).
 */
import { type SkillDependenciesResult, skillDependencies } from '../analytics/dependencies.js';
import type { SkillPairCount } from '../analytics/types.js';
import type { AnalyticsQueries } from '../store/analytics-types.js';
import type { RollupReads } from '../store/types.js';

export async function skillDependenciesFor(
  deps: { store: Pick<RollupReads, 'sessionCount' | 'skillTotals'>; queries: Pick<AnalyticsQueries, 'pairsWith' | 'frequentPairs'> },
  q: { skill?: string; minSupport: number; minLift: number; limit: number },
): Promise<SkillDependenciesResult> {
  const totalSessions = await deps.store.sessionCount();
  let pairs: SkillPairCount[] = [];
  if (totalSessions > 0) {
    // Pairs below the support floor can never qualify: skip them in SQL.
    pairs =
      q.skill !== undefined
        ? await deps.queries.pairsWith(q.skill)
        : await deps.queries.frequentPairs(Math.max(1, Math.ceil(q.minSupport * totalSessions - 1e-6)));
  }
  const names = new Set<string>();
  for (const p of pairs) {
    names.add(p.a);
    names.add(p.b);
  }
  const totals = names.size > 0 ? await deps.store.skillTotals([...names]) : [];
  return skillDependencies({
    pairs,
    sessionsPerSkill: new Map(totals.map((t) => [t.skill, t.sessions])),
    totalSessions,
    minSupport: q.minSupport,
    minLift: q.minLift,
    limit: q.limit,
    ...(q.skill !== undefined ? { skill: q.skill } : {}),
  });
}
