/**
 * The anomaly use case, shared by the `detect_anomalies` tool and the
 * scheduled detector: take the recent window and the baseline before it,
 * detect (analytics/anomalies.ts), store what is new once per episode (the
 * store's repeat rule), and publish the new ones on the bus (the WebSocket
 * stream, the Prometheus counter and the fan-out listen there).
 */
import { detectAnomalies, type AnomalyReport } from '../analytics/anomalies.js';
import { rollingWindow, windowBefore, type RollingWindow } from '../analytics/window.js';
import type { AnomalyEvent, EventBus } from '../events.js';
import type { AnalyticsQueries, AnalyticsRecords } from '../store/analytics-types.js';

export interface AnomalyRunOptions {
  threshold: number;
  timeWindowHours: number;
  baselineDays: number;
}

export interface AnomalyRun {
  report: AnomalyReport;
  /** The last `timeWindowHours` hours ending now (analytics/window.ts). */
  recent: RollingWindow;
  /** The `baselineDays` × 24 hours right before it. */
  baseline: RollingWindow;
  /** The anomalies stored (and published) by this run: the new ones. */
  stored: AnomalyEvent[];
  /** Whether an anomaly of the report was newly stored by this run. */
  isNew(a: { skill_name: string; metric: string }): boolean;
}

export interface AnomalyServiceDeps {
  queries: Pick<AnalyticsQueries, 'windowTotals'>;
  records: Pick<AnalyticsRecords, 'saveAnomalies'>;
  bus: EventBus;
  now: () => number;
}

export class AnomalyService {
  constructor(private readonly deps: AnomalyServiceDeps) {}

  async run(opts: AnomalyRunOptions): Promise<AnomalyRun> {
    const { queries, records, bus } = this.deps;
    const now = this.deps.now();
    const recent = rollingWindow(now, opts.timeWindowHours);
    const baseline = windowBefore(recent, opts.baselineDays * 24);
    const report = detectAnomalies({
      recent: await queries.windowTotals(recent),
      baseline: await queries.windowTotals(baseline),
      threshold: opts.threshold,
      now,
    });
    const events: AnomalyEvent[] = report.anomalies.map((a) => ({
      skill_name: a.skill_name,
      metric: a.metric,
      baseline_value: a.baseline_value,
      observed_value: a.observed_value,
      deviation_score: a.deviation_score,
      direction: a.direction,
      severity: a.severity,
      detected_at: now,
      window_hours: opts.timeWindowHours,
    }));
    const stored = await records.saveAnomalies(events, opts.timeWindowHours);
    if (stored.length > 0) bus.emit('anomalies.detected', stored);
    const keys = new Set(stored.map((e) => `${e.skill_name}\u0000${e.metric}`));
    return { report, recent, baseline, stored, isNew: (a) => keys.has(`${a.skill_name}\u0000${a.metric}`) };
  }
}
