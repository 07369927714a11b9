/**
 * Community baselines: computed from the all-time rollups (analytics/baselines.ts)
 * and stored as one set. The update tool and the server's scheduled refresh
 * both go through `refresh`, so stored baselines never grow older than the
 * refresh interval while a server runs.
 */
import {
  type CommunityBaseline,
  type CommunityBaselines,
  compareUserToCommunity,
  computeCommunityBaselines,
  type UserComparison,
} from '../analytics/baselines.js';
import type { AnalyticsRecords } from '../store/analytics-types.js';
import type { RollupReads } from '../store/types.js';

export interface BaselinesServiceDeps {
  store: Pick<RollupReads, 'skillTotals' | 'skillHistograms' | 'userSkillStats'>;
  records: Pick<AnalyticsRecords, 'replaceCommunityBaselines' | 'communityBaselines'>;
  now: () => number;
}

export interface BaselinesQuery {
  /** Only this skill (percentiles still rank it against all skills). */
  skillName?: string;
  /** Compare this user (hash) with the community. */
  subjectHash: string | null;
  limit: number;
}

export interface BaselinesAnswer {
  /** The stored set, or computed now (not stored) when none was stored or the skill is newer than the stored set. */
  source: 'stored' | 'computed_now';
  computedAt: number;
  ageSeconds: number;
  /** How many skills the baselines cover in all (the skills the percentiles rank against), whichever were asked for. */
  totalSkills: number;
  /** The skills asked for (all, or the one named), most effective first. */
  matching: CommunityBaseline[];
  /** At most `limit` of them. */
  listed: CommunityBaseline[];
  comparison: UserComparison | null;
}

export class BaselinesService {
  constructor(private readonly deps: BaselinesServiceDeps) {}

  /** Baselines from the current totals, not stored (all skills: percentiles rank skills against each other). */
  async computeNow(now: number = this.deps.now()): Promise<CommunityBaselines> {
    const [totals, histograms] = await Promise.all([this.deps.store.skillTotals(), this.deps.store.skillHistograms()]);
    return computeCommunityBaselines({ totals, histograms, now });
  }

  /** The stored baselines (or, when they cannot answer, ones computed now) and a user's comparison with them. */
  async answer(q: BaselinesQuery): Promise<BaselinesAnswer> {
    const now = this.deps.now();
    const stored = await this.deps.records.communityBaselines();
    const useStored = stored.length > 0 && (q.skillName === undefined || stored.some((b) => b.skill_name === q.skillName));
    const computedAt = useStored ? stored[0]!.computed_at : now;
    const all: CommunityBaseline[] = useStored ? stored.map(({ computed_at: _c, ...b }) => b) : (await this.computeNow(now)).skills;
    const matching = q.skillName === undefined ? all : all.filter((b) => b.skill_name === q.skillName);
    let comparison: UserComparison | null = null;
    if (q.subjectHash !== null) {
      const stats = await this.deps.store.userSkillStats(q.subjectHash);
      comparison = compareUserToCommunity({ userStats: q.skillName === undefined ? stats : stats.filter((s) => s.skill === q.skillName), baselines: all });
    }
    return {
      source: useStored ? 'stored' : 'computed_now',
      computedAt,
      ageSeconds: Math.max(0, Math.floor((now - computedAt) / 1000)),
      totalSkills: all.length,
      matching,
      listed: matching.slice(0, q.limit),
      comparison,
    };
  }

  /** Recomputes and replaces the stored set; resolves to the result and how many rows were stored. */
  async refresh(): Promise<{ result: CommunityBaselines; saved: number }> {
    const now = this.deps.now();
    const result = await this.computeNow(now);
    const saved = await this.deps.records.replaceCommunityBaselines(result.skills, now);
    return { result, saved };
  }
}
