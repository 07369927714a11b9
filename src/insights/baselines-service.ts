/**
 * Community baselines: computed from the all-time rollups (analytics/baselines.ts)
 * and stored as one set. The update tool and the server's scheduled refresh
 * both go through `refresh`, so stored baselines never grow older than the
 * refresh interval while a server runs.
 *
 * Per user (`subjectHash`, as the skill report): a baseline is a figure
 * across users, so it is given only for skills that at least
 * `communityMinUsers` (k) distinct users used; the others are withheld (not
 * listed, only counted), and the user's comparison gives no community
 * figures for them. Without a subject (an admin, the local user) every
 * baseline is listed and nothing is withheld.
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
  /** k (config `communityMinUsers`): per-user answers give figures of skills at least k users used only. */
  communityMinUsers: number;
}

export interface BaselinesQuery {
  /** Only this skill (percentiles still rank it against all skills). */
  skillName?: string;
  /** Compare this user (hash) with the community; the answer is then per user (baselines below k withheld). */
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
  /** The skills asked for (all, or the one named) and not withheld, most effective first. */
  matching: CommunityBaseline[];
  /** At most `limit` of them. */
  listed: CommunityBaseline[];
  /** Of the skills asked for, how many were withheld: fewer than k users used them (per-user answers only; else 0). */
  withheld: number;
  /** Whether the answer is about one user (a subject was given). */
  perUser: boolean;
  /** k. */
  communityMinUsers: number;
  comparison: UserComparison | null;
}

export class BaselinesService {
  constructor(private readonly deps: BaselinesServiceDeps) {}

  /** k: the fewest users a skill needs for its baseline to be given in a per-user answer. */
  get communityMinUsers(): number {
    return this.deps.communityMinUsers;
  }

  /** Whether a baseline may be given in a per-user answer: at least k users used the skill. */
  shownPerUser(b: Pick<CommunityBaseline, 'users'>): boolean {
    return b.users >= this.deps.communityMinUsers;
  }

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
    const asked = q.skillName === undefined ? all : all.filter((b) => b.skill_name === q.skillName);
    const perUser = q.subjectHash !== null;
    const k = this.deps.communityMinUsers;
    const matching = perUser ? asked.filter((b) => this.shownPerUser(b)) : asked;
    let comparison: UserComparison | null = null;
    if (q.subjectHash !== null) {
      const stats = await this.deps.store.userSkillStats(q.subjectHash);
      comparison = compareUserToCommunity({
        userStats: q.skillName === undefined ? stats : stats.filter((s) => s.skill === q.skillName),
        baselines: all,
        communityMinUsers: k,
      });
    }
    return {
      source: useStored ? 'stored' : 'computed_now',
      computedAt,
      ageSeconds: Math.max(0, Math.floor((now - computedAt) / 1000)),
      totalSkills: all.length,
      matching,
      listed: matching.slice(0, q.limit),
      withheld: asked.length - matching.length,
      perUser,
      communityMinUsers: k,
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
