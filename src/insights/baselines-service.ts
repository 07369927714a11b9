/**
 * Community baselines: computed from the all-time rollups (analytics/baselines.ts)
 * and stored as one set. The update tool and the server's scheduled refresh
 * both go through `refresh`, so stored baselines never grow older than the
 * refresh interval while a server runs.
 */
import { computeCommunityBaselines, type CommunityBaselines } from '../analytics/baselines.js';
import type { AnalyticsRecords } from '../store/analytics-types.js';
import type { InvocationStore } from '../store/types.js';

export interface BaselinesServiceDeps {
  store: Pick<InvocationStore, 'skillTotals' | 'skillHistograms'>;
  records: Pick<AnalyticsRecords, 'replaceCommunityBaselines'>;
  now: () => number;
}

export class BaselinesService {
  constructor(private readonly deps: BaselinesServiceDeps) {}

  /** Baselines from the current totals, not stored (all skills: percentiles rank skills against each other). */
  async computeNow(now: number = this.deps.now()): Promise<CommunityBaselines> {
    const [totals, histograms] = await Promise.all([this.deps.store.skillTotals(), this.deps.store.skillHistograms()]);
    return computeCommunityBaselines({ totals, histograms, now });
  }

  /** Recomputes and replaces the stored set; resolves to the result and how many rows were stored. */
  async refresh(): Promise<{ result: CommunityBaselines; saved: number }> {
    const now = this.deps.now();
    const result = await this.computeNow(now);
    const saved = await this.deps.records.replaceCommunityBaselines(result.skills, now);
    return { result, saved };
  }
}
