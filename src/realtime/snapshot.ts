/**
 * The live metrics snapshot. Once per interval the hub loads the hourly
 * rollups and histograms of the snapshot window (two small rollup queries,
 * whatever the number of clients), then builds one message per distinct
 * subscription from that shared data.
 */
import { summarizeWindow, topSkills } from '../analytics/realtime-metrics.js';
import { histogramQuantile, type BucketCount } from '../analytics/histogram.js';
import { roundMs } from '../analytics/round.js';
import { HOUR_MS, hourOf, type HourlyRollup, type SkillHistogram } from '../analytics/types.js';
import type { InvocationStore } from '../store/types.js';
import { PROTOCOL_VERSION, type SnapshotMessage } from './ws-protocol.js';

export interface SnapshotData {
  /** When the data was loaded (epoch ms). */
  at: number;
  fromHour: number;
  toHour: number;
  rows: HourlyRollup[];
  histograms: SkillHistogram[];
}

/** Loads the window: the clock hour of `now` and the `windowHours - 1` hours before it. */
export async function loadSnapshotData(
  store: Pick<InvocationStore, 'hourlyRollups' | 'hourlyHistograms'>,
  now: number,
  windowHours: number,
): Promise<SnapshotData> {
  const toHour = hourOf(now);
  const fromHour = toHour - windowHours + 1;
  const [rows, histograms] = await Promise.all([
    store.hourlyRollups({ fromHour, toHour }),
    store.hourlyHistograms({ fromHour, toHour }),
  ]);
  return { at: now, fromHour, toHour, rows, histograms };
}

/**
 * The snapshot for one subscription: summary and top `limit` skills over the
 * subscribed skills only (`skills` null = all). The summary's p95 merges the
 * histograms of those skills.
 */
export function buildSnapshot(
  data: SnapshotData,
  skills: ReadonlySet<string> | null,
  limit: number,
  connections: number,
): SnapshotMessage {
  const rows = skills === null ? data.rows : data.rows.filter((r) => skills.has(r.skill));
  const histograms = skills === null ? data.histograms : data.histograms.filter((h) => skills.has(h.skill));
  const allBuckets: BucketCount[] = [];
  for (const h of histograms) for (const b of h.buckets) allBuckets.push(b);
  return {
    v: PROTOCOL_VERSION,
    type: 'snapshot',
    at: new Date(data.at).toISOString(),
    window: { from: new Date(data.fromHour * HOUR_MS).toISOString(), to: new Date(data.at).toISOString() },
    summary: { ...summarizeWindow(rows), p95_duration_ms: roundMs(histogramQuantile(allBuckets, 0.95)) },
    top_skills: topSkills(rows, histograms, limit),
    connections,
  };
}
