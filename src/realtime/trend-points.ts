/**
 * Hour-by-hour figures of one skill for the dashboard's trend view.
 */
import { roundMs, roundRate } from '../analytics/round.js';
import { HOUR_MS, type HourlyRollup } from '../analytics/types.js';
import type { TrendPoint } from './ws-protocol.js';

/**
 * One point per hour from `fromHour` to `toHour` inclusive; hours without rows
 * get zero invocations and null rates; the average duration is over the
 * invocations whose duration was measured (null when none was). Rows of several skills, or several rows
 * of one hour, are added up.
 */
export function trendPoints(rows: readonly HourlyRollup[], fromHour: number, toHour: number): TrendPoint[] {
  const byHour = new Map<number, { invocations: number; successes: number; timed: number; durationSum: number }>();
  for (const r of rows) {
    if (r.hour < fromHour || r.hour > toHour) continue;
    const a = byHour.get(r.hour) ?? { invocations: 0, successes: 0, timed: 0, durationSum: 0 };
    a.invocations += r.invocations;
    a.successes += r.successes;
    a.timed += r.timed;
    a.durationSum += r.durationSum;
    byHour.set(r.hour, a);
  }
  const points: TrendPoint[] = [];
  for (let hour = fromHour; hour <= toHour; hour++) {
    const a = byHour.get(hour);
    const n = a?.invocations ?? 0;
    const timed = a?.timed ?? 0;
    points.push({
      hour,
      at: new Date(hour * HOUR_MS).toISOString(),
      invocations: n,
      successes: a?.successes ?? 0,
      success_rate: n > 0 ? roundRate(a!.successes / n) : null,
      avg_duration_ms: timed > 0 ? roundMs(a!.durationSum / timed) : null,
    });
  }
  return points;
}
