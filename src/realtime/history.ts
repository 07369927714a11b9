/**
 * The recent past of the live charts: the snapshot summary (success rate,
 * average and p95 duration of the snapshot window) as it stood at each of
 * the last whole-hour boundaries, so the dashboard's charts show history as
 * soon as the page opens and the live snapshots continue the line.
 *
 * Each point is computed exactly like a snapshot (loadSnapshotData and
 * snapshotSummary: the same window rule, analytics/window.ts) with `now` set
 * to the boundary. Every boundary is a whole hour, so with a whole number of
 * window hours each point reads hourly rollups only; a fractional window
 * adds the raw rows of one partial hour at its start (window-pieces.ts).
 */
import { HOUR_MS, hourOf } from '../analytics/types.js';
import type { AnalyticsQueries } from '../store/analytics-types.js';
import { loadSnapshotData, snapshotSummary, type SnapshotData } from './snapshot.js';
import type { HistoryPoint } from './ws-protocol.js';

/** Points of the history series: one per hour over the last day. */
const HISTORY_POINTS = 24;

/** The `points` whole-hour boundaries at or before `now`, oldest first (the newest is the start of now's hour). */
export function historyTimes(now: number, points: number): number[] {
  const last = hourOf(now);
  return Array.from({ length: points }, (_, i) => (last - points + 1 + i) * HOUR_MS);
}

/** One history point from the window data loaded at its time, over the subscribed skills (null = all). */
export function historyPoint(data: SnapshotData, skills: ReadonlySet<string> | null): HistoryPoint {
  const s = snapshotSummary(data, skills);
  return {
    at: new Date(data.at).toISOString(),
    invocations: s.invocations,
    success_rate: s.success_rate,
    avg_duration_ms: s.avg_duration_ms,
    p95_duration_ms: s.p95_duration_ms,
  };
}

/** The window data at each boundary of historyTimes, oldest first. */
async function loadHistoryWindows(
  queries: Pick<AnalyticsQueries, 'windowTotals' | 'windowHistograms'>,
  now: number,
  windowHours: number,
  points: number,
): Promise<SnapshotData[]> {
  const out: SnapshotData[] = [];
  // One window at a time: a burst of 2 × points small reads, not all at once.
  for (const t of historyTimes(now, points)) out.push(await loadSnapshotData(queries, t, windowHours));
  return out;
}

/** How long the history windows read once serve every new subscription (within the same hour). */
export const HISTORY_REUSE_MS = 60_000;

/**
 * The history windows read once and shared by every subscription: the
 * windows hold every skill (a subscription's selection is applied in memory,
 * historyPoint), so 300 dashboards connecting at once (a server restart) read
 * the store 2 × 24 times, not 300 × 2 × 24 times (about 0.2 s each on a busy
 * database, during which the server answers nothing). A read is reused until
 * the hour changes or HISTORY_REUSE_MS have passed, so rows recorded late
 * (an import, a spooled hook) reach new subscribers within a minute.
 */
export class HistoryWindows {
  private cached: { hour: number; readAt: number; windows: Promise<SnapshotData[]> } | null = null;

  constructor(
    private readonly queries: Pick<AnalyticsQueries, 'windowTotals' | 'windowHistograms'>,
    private readonly windowHours: number,
    private readonly points = HISTORY_POINTS,
  ) {}

  /** The series for one subscription (`skills` null = all) as it stands at `now`. */
  async series(now: number, skills: ReadonlySet<string> | null): Promise<HistoryPoint[]> {
    return (await this.windows(now)).map((d) => historyPoint(d, skills));
  }

  private windows(now: number): Promise<SnapshotData[]> {
    const hour = hourOf(now);
    const c = this.cached;
    if (c !== null && c.hour === hour && now - c.readAt < HISTORY_REUSE_MS) return c.windows;
    const windows = loadHistoryWindows(this.queries, now, this.windowHours, this.points);
    const entry = { hour, readAt: now, windows };
    this.cached = entry;
    // A failed read is not kept: the next subscription reads again.
    windows.catch(() => {
      if (this.cached === entry) this.cached = null;
    });
    return windows;
  }
}
