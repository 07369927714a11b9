/**
 * The live metrics snapshot. Once per interval the hub loads the totals and
 * histograms of the snapshot window (the same rolling window as the tools,
 * analytics/window.ts; two reads whatever the number of clients), then builds
 * one message per distinct subscription from that shared data.
 */
import { rowsRange, summarizeWindow, topSkills } from '../analytics/realtime-metrics.js';
import { histogramQuantile, type BucketCount } from '../analytics/histogram.js';
import { roundMs } from '../analytics/round.js';
import type { HourlyRollup, SkillHistogram } from '../analytics/types.js';
import { rollingWindow } from '../analytics/window.js';
import type { AnalyticsQueries } from '../store/analytics-types.js';
import { PROTOCOL_VERSION, type SnapshotMessage, type SnapshotSummary } from './ws-protocol.js';

export interface SnapshotData {
  /** When the data was loaded (epoch ms): the end of the window. */
  at: number;
  /** Start of the window (epoch ms, inclusive). */
  fromMs: number;
  /** One row per skill with the window's sums. */
  rows: HourlyRollup[];
  histograms: SkillHistogram[];
}

/** Loads the last `windowHours` hours ending at `now`. */
export async function loadSnapshotData(
  queries: Pick<AnalyticsQueries, 'windowTotals' | 'windowHistograms'>,
  now: number,
  windowHours: number,
): Promise<SnapshotData> {
  const w = rollingWindow(now, windowHours);
  const [rows, histograms] = await Promise.all([queries.windowTotals(w), queries.windowHistograms(w, null)]);
  return { at: now, fromMs: w.fromMs, rows, histograms };
}

/**
 * The snapshot for one subscription: summary and top `limit` skills over the
 * subscribed skills only (`skills` null = all). The summary's p95 merges the
 * histograms of those skills.
 */
export function buildSnapshot(data: SnapshotData, skills: ReadonlySet<string> | null, limit: number, connections: number): SnapshotMessage {
  const { rows, histograms } = selectSkills(data, skills);
  return {
    v: PROTOCOL_VERSION,
    type: 'snapshot',
    at: new Date(data.at).toISOString(),
    window: { from: new Date(data.fromMs).toISOString(), to: new Date(data.at).toISOString() },
    summary: summarizeSnapshot(rows, histograms),
    top_skills: topSkills(rows, histograms, limit),
    connections,
  };
}

/** The snapshot summary of the subscribed skills (`skills` null = all); also each point of the history series (history.ts). */
export function snapshotSummary(data: SnapshotData, skills: ReadonlySet<string> | null): SnapshotSummary {
  const { rows, histograms } = selectSkills(data, skills);
  return summarizeSnapshot(rows, histograms);
}

function selectSkills(data: SnapshotData, skills: ReadonlySet<string> | null): { rows: HourlyRollup[]; histograms: SkillHistogram[] } {
  if (skills === null) return { rows: data.rows, histograms: data.histograms };
  return { rows: data.rows.filter((r) => skills.has(r.skill)), histograms: data.histograms.filter((h) => skills.has(h.skill)) };
}

/** Window totals plus the p95 of the merged histograms of the given skills. */
function summarizeSnapshot(rows: HourlyRollup[], histograms: SkillHistogram[]): SnapshotSummary {
  const allBuckets: BucketCount[] = [];
  for (const h of histograms) for (const b of h.buckets) allBuckets.push(b);
  return { ...summarizeWindow(rows), p95_duration_ms: roundMs(histogramQuantile(allBuckets, 0.95, rowsRange(rows))) };
}
