/**
 * How a rolling window (analytics/window.ts) is read, the same way on every
 * back-end: the whole hours inside it from the hourly rollups, the partial
 * hours at its edges from the raw rows (indexed by invoked_at).
 *
 * - The head: from `fromMs` to the next hour boundary, raw (less than an hour).
 * - The tail: the hour holding `toMs`. When the window ends at `now`, that
 *   hour has no rows after `toMs`, so its hourly rollup is exactly the part
 *   inside the window (min, max and last_at included) and is read as a whole
 *   hour; a cheap probe of the raw index checks it ("tail probe"). When rows
 *   exist after `toMs` in that hour (a window that ends in the past, e.g. a
 *   baseline, or rows recorded with a future time), the tail is read raw.
 * - A window inside one hour (not starting on its boundary) is read raw.
 *
 * So a window reads at most about two hours of raw rows, whatever its length;
 * a raw range inside a past hour is read from that hour's per-minute summary
 * and the raw rows of its partial minutes (edge-hours.ts).
 * The whole hours are read in turn (splitDays) as whole UTC days from the
 * daily rollups and the hours before the first and after the last whole day
 * from the hourly ones, so a 30-day window reads about 30 + 2 × 23 rows per
 * skill instead of 720. Every write updates the hourly and the daily rollups
 * in one transaction (and neither is ever pruned), so both give the same sums.
 * Each back-end takes the probe and the reads from one consistent state.
 */
import { durationBucket } from '../analytics/histogram.js';
import { HOUR_MS, hourOf, type HourlyRollup, type SkillHistogram } from '../analytics/types.js';
import type { TimeRange } from '../analytics/window.js';

export interface WindowPieces {
  /** Whole hours read from the hourly rollups (inclusive); null when none. */
  hours: { fromHour: number; toHour: number } | null;
  /** Ranges read from raw rows (inclusive ms). */
  raw: TimeRange[];
}

/** Whole hours as whole days (inclusive; null when none) and the hour ranges outside them (inclusive). */
export interface DaySplit {
  days: { fromDay: number; toDay: number } | null;
  hours: { fromHour: number; toHour: number }[];
}

/** Splits the whole hours [fromHour, toHour] into the whole UTC days inside them and the hours at either end. */
export function splitDays(fromHour: number, toHour: number): DaySplit {
  if (toHour < fromHour) return { days: null, hours: [] };
  const fromDay = Math.ceil(fromHour / 24);
  const toDay = Math.floor((toHour + 1) / 24) - 1;
  if (toDay < fromDay) return { days: null, hours: [{ fromHour, toHour }] };
  const hours: DaySplit['hours'] = [];
  if (fromHour < fromDay * 24) hours.push({ fromHour, toHour: fromDay * 24 - 1 });
  if ((toDay + 1) * 24 <= toHour) hours.push({ fromHour: (toDay + 1) * 24, toHour });
  return { days: { fromDay, toDay }, hours };
}

/** A raw invocation as the window reads it. */
export interface RawWindowRow {
  skill: string;
  completed: boolean | number;
  durationMs: number;
  invokedAt: number;
  /** false when the duration was not measured (duration_known = 0): counted, but in no duration figure. Measured when omitted. */
  durationKnown?: boolean;
}

/** The range to probe for rows after the window's end in its last hour; null when the window ends on the hour's last ms. */
export function tailProbe(range: TimeRange): TimeRange | null {
  const end = (hourOf(range.toMs) + 1) * HOUR_MS - 1;
  return range.toMs >= end ? null : { fromMs: range.toMs + 1, toMs: end };
}

/** `tailHasLaterRows`: whether the tail probe found rows. */
export function planWindow(range: TimeRange, tailHasLaterRows: boolean): WindowPieces {
  const { fromMs, toMs } = range;
  if (toMs < fromMs) return { hours: null, raw: [] };
  const lastHour = hourOf(toMs);
  const lastStart = lastHour * HOUR_MS;
  if (fromMs > lastStart) return { hours: null, raw: [{ fromMs, toMs }] };
  const firstFull = Math.ceil(fromMs / HOUR_MS);
  const raw: TimeRange[] = [];
  if (fromMs < firstFull * HOUR_MS) raw.push({ fromMs, toMs: firstFull * HOUR_MS - 1 });
  if (!tailHasLaterRows) return { hours: { fromHour: firstFull, toHour: lastHour }, raw };
  raw.push({ fromMs: lastStart, toMs });
  return { hours: firstFull <= lastHour - 1 ? { fromHour: firstFull, toHour: lastHour - 1 } : null, raw };
}

interface Sums {
  skill: string;
  invocations: number;
  successes: number;
  timed: number;
  durationSum: number;
  durationSqSum: number;
  lastAt: number;
  durationMin: number;
  durationMax: number;
}

/**
 * One row per skill with the sums of the window (`hour` = the hour of
 * `fromMs`), from the whole-hour rows and the raw rows; sorted by skill name
 * (byte order, as both back-ends sort).
 */
export function mergeWindowTotals(fromMs: number, hourRows: readonly HourlyRollup[], rawRows: readonly RawWindowRow[]): HourlyRollup[] {
  const by = new Map<string, Sums>();
  const get = (skill: string): Sums => {
    let s = by.get(skill);
    if (!s) {
      s = { skill, invocations: 0, successes: 0, timed: 0, durationSum: 0, durationSqSum: 0, lastAt: -Infinity, durationMin: Infinity, durationMax: -Infinity };
      by.set(skill, s);
    }
    return s;
  };
  for (const r of hourRows) {
    if (r.invocations <= 0) continue;
    const s = get(r.skill);
    s.invocations += r.invocations;
    s.successes += r.successes;
    s.timed += r.timed;
    s.durationSum += r.durationSum;
    s.durationSqSum += r.durationSqSum;
    if (r.lastAt > s.lastAt) s.lastAt = r.lastAt;
    // A row's range covers its measured invocations only (none when timed = 0).
    if (r.timed <= 0) continue;
    if (r.durationMin != null && r.durationMin < s.durationMin) s.durationMin = r.durationMin;
    if (r.durationMax != null && r.durationMax > s.durationMax) s.durationMax = r.durationMax;
  }
  for (const r of rawRows) {
    const s = get(r.skill);
    s.invocations++;
    if (r.completed === true || r.completed === 1) s.successes++;
    if (r.invokedAt > s.lastAt) s.lastAt = r.invokedAt;
    if (r.durationKnown === false) continue;
    s.timed++;
    s.durationSum += r.durationMs;
    s.durationSqSum += r.durationMs * r.durationMs;
    if (r.durationMs < s.durationMin) s.durationMin = r.durationMs;
    if (r.durationMs > s.durationMax) s.durationMax = r.durationMs;
  }
  const hour = hourOf(fromMs);
  return [...by.values()]
    .sort((a, b) => (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : 0))
    .map((s) => {
      const row: HourlyRollup = { ...s, hour };
      // No measured invocation: no duration range.
      if (s.timed === 0) {
        delete row.durationMin;
        delete row.durationMax;
      }
      return row;
    });
}

/**
 * Histograms of the window: the whole-hour histograms plus the raw rows
 * bucketed the way the writers bucket them; only `skills` (null = all).
 */
export function mergeWindowHistograms(
  hourHistograms: readonly SkillHistogram[],
  rawRows: readonly RawWindowRow[],
  skills: readonly string[] | null,
): SkillHistogram[] {
  const wanted = skills === null ? null : new Set(skills);
  if (rawRows.length === 0) {
    const fast = alreadyMerged(hourHistograms, wanted);
    if (fast) return fast;
  }
  const by = new Map<string, Map<number, number>>();
  const add = (skill: string, bucket: number, count: number) => {
    let m = by.get(skill);
    if (!m) by.set(skill, (m = new Map()));
    m.set(bucket, (m.get(bucket) ?? 0) + count);
  };
  for (const h of hourHistograms) if (!wanted || wanted.has(h.skill)) for (const b of h.buckets) add(h.skill, b.bucket, b.count);
  for (const r of rawRows) if (r.durationKnown !== false && (!wanted || wanted.has(r.skill))) add(r.skill, durationBucket(r.durationMs), 1);
  return [...by.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([skill, m]) => ({
      skill,
      buckets: [...m.entries()]
        .filter(([, n]) => n > 0)
        .sort((a, b) => a[0] - b[0])
        .map(([bucket, count]) => ({ bucket, count })),
    }))
    .filter((h) => h.buckets.length > 0);
}

/**
 * mergeWindowHistograms' answer without re-counting when every skill comes
 * once with distinct buckets (a window read as all-time minus the hours
 * outside it, without raw edges); null otherwise.
 */
function alreadyMerged(histograms: readonly SkillHistogram[], wanted: ReadonlySet<string> | null): SkillHistogram[] | null {
  const seen = new Set<string>();
  const out: SkillHistogram[] = [];
  for (const h of histograms) {
    if (seen.has(h.skill)) return null;
    seen.add(h.skill);
    if (wanted && !wanted.has(h.skill)) continue;
    const buckets = h.buckets.filter((b) => b.count > 0).sort((a, b) => a.bucket - b.bucket);
    for (let i = 1; i < buckets.length; i++) if (buckets[i]!.bucket === buckets[i - 1]!.bucket) return null;
    if (buckets.length > 0) out.push({ skill: h.skill, buckets: buckets.map((b) => ({ bucket: b.bucket, count: b.count })) });
  }
  return out.sort((a, b) => (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : 0));
}

/** The raw edges of a window as per-skill sums (for mergeWindowTotals) and histograms (for mergeWindowHistograms). */
export interface RawEdges {
  totals: HourlyRollup[];
  histograms: SkillHistogram[];
}

interface EdgeSums {
  totals: HourlyRollup;
  buckets: Map<number, number>;
}

/**
 * Sums raw rows per skill as they are read (no object per row): the sums
 * skill_hourly holds and the duration histogram, bucketed as the writers
 * bucket (durationBucket).
 */
export class RawEdgeSums {
  private readonly by = new Map<string, EdgeSums>();

  /** `known`: whether the duration was measured (an unmeasured row counts in no duration figure). */
  add(skill: string, completed: boolean | number, durationMs: number, invokedAt: number, known: boolean): void {
    let s = this.by.get(skill);
    if (!s) {
      s = {
        totals: {
          skill,
          hour: 0,
          invocations: 0,
          successes: 0,
          timed: 0,
          durationSum: 0,
          durationSqSum: 0,
          lastAt: invokedAt,
          durationMin: Infinity,
          durationMax: -Infinity,
        },
        buckets: new Map(),
      };
      this.by.set(skill, s);
    }
    const t = s.totals;
    t.invocations++;
    if (completed === true || completed === 1) t.successes++;
    if (invokedAt > t.lastAt) t.lastAt = invokedAt;
    if (!known) return;
    t.timed++;
    t.durationSum += durationMs;
    t.durationSqSum += durationMs * durationMs;
    if (durationMs < t.durationMin!) t.durationMin = durationMs;
    if (durationMs > t.durationMax!) t.durationMax = durationMs;
    const b = durationBucket(durationMs);
    s.buckets.set(b, (s.buckets.get(b) ?? 0) + 1);
  }

  /** Adds the sums of several rows of one skill at once (e.g. whole minutes of an hour summary, edge-hours.ts). */
  addSums(
    skill: string,
    t: {
      invocations: number;
      successes: number;
      timed: number;
      durationSum: number;
      durationSqSum: number;
      durationMin: number;
      durationMax: number;
      lastAt: number;
    },
    buckets: Iterable<readonly [number, number]>,
  ): void {
    if (t.invocations <= 0) return;
    let s = this.by.get(skill);
    if (!s) {
      s = { totals: { skill, hour: 0, ...t }, buckets: new Map(buckets) };
      this.by.set(skill, s);
      return;
    }
    const o = s.totals;
    o.invocations += t.invocations;
    o.successes += t.successes;
    o.timed += t.timed;
    o.durationSum += t.durationSum;
    o.durationSqSum += t.durationSqSum;
    if (t.lastAt > o.lastAt) o.lastAt = t.lastAt;
    if (t.durationMin < o.durationMin!) o.durationMin = t.durationMin;
    if (t.durationMax > o.durationMax!) o.durationMax = t.durationMax;
    for (const [b, c] of buckets) s.buckets.set(b, (s.buckets.get(b) ?? 0) + c);
  }

  result(): RawEdges {
    const all = [...this.by.values()];
    return {
      totals: all.map((s) => s.totals),
      histograms: all.map((s) => ({ skill: s.totals.skill, buckets: [...s.buckets].map(([bucket, count]) => ({ bucket, count })) })),
    };
  }
}

/** Per-day rows (whole days and partial edge days, read apart) in the order dailyTotals answers: by skill (byte order), then day. */
export function sortDaily(rows: HourlyRollup[]): HourlyRollup[] {
  return rows.sort((a, b) => (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : a.hour - b.hour));
}
