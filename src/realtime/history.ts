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

/** The series for one subscription: the window of `windowHours` ending at each boundary of historyTimes. */
export async function loadHistory(
  queries: Pick<AnalyticsQueries, 'windowTotals' | 'windowHistograms'>,
  now: number,
  windowHours: number,
  skills: ReadonlySet<string> | null,
  points = HISTORY_POINTS,
): Promise<HistoryPoint[]> {
  const out: HistoryPoint[] = [];
  // One window at a time: a burst of 2 × points small reads, not all at once.
  for (const t of historyTimes(now, points)) out.push(historyPoint(await loadSnapshotData(queries, t, windowHours), skills));
  return out;
}
