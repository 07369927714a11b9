/**
 * Duration histograms of some skills summed over an hour window, planned
 * and combined the same way on every back-end; each back-end does the reads
 * from one consistent state (SQLite: one synchronous step; PostgreSQL: one
 * query, or one repeatable-read transaction when several are needed), so a
 * concurrent write never falls between them.
 *
 * Cost: the hourly histogram rows of a long window are many (skills × hours ×
 * buckets). When the window covers most of the skills' recorded history, the
 * result is computed instead as the all-time histogram minus the hours
 * outside the window, reading whichever side spans fewer hours. Both give the
 * same counts because every write updates the hourly and the all-time
 * histogram in one transaction (and hourly rows are never pruned).
 */
import type { BucketCount } from '../analytics/histogram.js';
import { hourOf, type SkillHistogram } from '../analytics/types.js';

export interface HistRow {
  skill: string;
  bucket: number;
  count: number;
}

/** How to read a window's histograms: directly, or as all-time minus the hour ranges outside the window. */
export type WindowHistogramPlan =
  | { kind: 'empty' }
  | { kind: 'direct'; fromHour: number; toHour: number }
  | { kind: 'subtract'; outside: { fromHour: number; toHour: number }[] };

/** `span`: first and last invocation time over the requested skills (nulls when none). */
export function planWindowHistograms(
  fromHour: number,
  toHour: number,
  skillCount: number,
  span: { firstAt: number | null; lastAt: number | null } | null,
): WindowHistogramPlan {
  if (skillCount === 0 || toHour < fromHour || !span || span.firstAt === null || span.lastAt === null) return { kind: 'empty' };
  const first = hourOf(span.firstAt);
  const last = hourOf(span.lastAt);
  const outsideHours = Math.max(0, fromHour - first) + Math.max(0, last - toHour);
  if (outsideHours >= toHour - fromHour + 1) return { kind: 'direct', fromHour, toHour };
  const outside: { fromHour: number; toHour: number }[] = [];
  if (fromHour > first) outside.push({ fromHour: first, toHour: fromHour - 1 });
  if (last > toHour) outside.push({ fromHour: toHour + 1, toHour: last });
  return { kind: 'subtract', outside };
}

/** All-time rows minus the rows of the hours outside the window; buckets left at zero are dropped. */
export function subtractHistograms(allTime: readonly HistRow[], outside: readonly HistRow[][]): SkillHistogram[] {
  const counts = new Map<string, Map<number, number>>();
  const apply = (rows: readonly HistRow[], sign: 1 | -1) => {
    for (const r of rows) {
      let m = counts.get(r.skill);
      if (!m) counts.set(r.skill, (m = new Map()));
      m.set(r.bucket, (m.get(r.bucket) ?? 0) + sign * r.count);
    }
  };
  apply(allTime, 1);
  for (const rows of outside) apply(rows, -1);
  const out: SkillHistogram[] = [];
  for (const [skill, m] of counts) {
    const buckets: BucketCount[] = [];
    for (const [bucket, count] of m) if (count > 0) buckets.push({ bucket, count });
    if (buckets.length > 0) out.push({ skill, buckets: buckets.sort((a, b) => a.bucket - b.bucket) });
  }
  return out;
}

/** Consecutive rows of one skill become one histogram. */
export function groupHistograms(rows: readonly HistRow[]): SkillHistogram[] {
  const out: SkillHistogram[] = [];
  let current: SkillHistogram | undefined;
  for (const r of rows) {
    if (current?.skill !== r.skill) {
      current = { skill: r.skill, buckets: [] };
      out.push(current);
    }
    current.buckets.push({ bucket: r.bucket, count: r.count });
  }
  return out;
}
