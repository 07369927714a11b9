/**
 * Per-minute summaries of the raw rows of a past hour, kept in memory so the
 * raw edge of a rolling window (window-pieces.ts) is not summed row by row on
 * every read. A 1 h or 24 h window ending now starts inside a nearly complete
 * past hour; its raw edge is that hour's rows after the window's start.
 *
 * - A summary of hour H holds, per skill and minute, what skill_hourly and
 *   skill_hourly_durations hold per hour: invocations, successes, the
 *   measured invocations (timed) and their duration sum and sum of squares,
 *   min, max and duration-histogram bucket counts (durationBucket, as the
 *   writers bucket), and last_at.
 * - It is built once from H's raw rows and kept with a version of H read
 *   from the hourly rollup (the sums of H's rollup rows). Every write updates
 *   the hourly rollup in the same transaction as the raw row, so an unchanged
 *   version means unchanged raw rows; a changed one rebuilds the summary.
 * - A raw range inside H is then read as its whole minutes from the summary
 *   plus the raw rows of the partial minutes at its ends (at most two minutes).
 *
 * The sums are integers well below 2^53, so adding per-minute sums gives
 * exactly what adding the rows one by one gives. Each store keeps its own
 * cache (EdgeHourCache), a few hours at most; the current hour (still being
 * written) is never summarised.
 */
import { durationBucket } from '../analytics/histogram.js';
import { HOUR_MS, hourOf } from '../analytics/types.js';
import type { TimeRange } from '../analytics/window.js';
import { AppError } from '../errors.js';
import type { RawEdgeSums } from './window-pieces.js';

const MINUTE_MS = 60_000;
const MINUTES = HOUR_MS / MINUTE_MS;

/** One skill's sums per minute of the hour (index 0..59). */
interface SkillMinutes {
  invocations: Float64Array;
  successes: Float64Array;
  timed: Float64Array;
  durationSum: Float64Array;
  durationSqSum: Float64Array;
  durationMin: Float64Array;
  durationMax: Float64Array;
  lastAt: Float64Array;
  /** Bucket -> count per minute (released once the running counts are built). */
  buckets: Map<number, Uint32Array>;
}

function skillMinutes(): SkillMinutes {
  return {
    invocations: new Float64Array(MINUTES),
    successes: new Float64Array(MINUTES),
    timed: new Float64Array(MINUTES),
    durationSum: new Float64Array(MINUTES),
    durationSqSum: new Float64Array(MINUTES),
    durationMin: new Float64Array(MINUTES).fill(Infinity),
    durationMax: new Float64Array(MINUTES).fill(-Infinity),
    lastAt: new Float64Array(MINUTES).fill(-Infinity),
    buckets: new Map(),
  };
}

/** The per-skill, per-minute summary of the raw rows of one hour. */
export class EdgeHourSummary {
  private readonly by = new Map<string, SkillMinutes>();

  constructor(
    readonly hour: number,
    readonly version: string,
  ) {}

  /** Adds one raw row of the hour (rows outside the hour are ignored); every row is added before the first read. */
  add(skill: string, completed: boolean | number, durationMs: number, invokedAt: number, known: boolean): void {
    const m = Math.floor((invokedAt - this.hour * HOUR_MS) / MINUTE_MS);
    if (m < 0 || m >= MINUTES) return;
    if (this.prefix) throw new AppError('INTERNAL', 'an hour summary takes no rows once it has been read');
    let s = this.by.get(skill);
    if (!s) this.by.set(skill, (s = skillMinutes()));
    s.invocations[m]!++;
    if (completed === true || completed === 1) s.successes[m]!++;
    if (invokedAt > s.lastAt[m]!) s.lastAt[m] = invokedAt;
    // An unmeasured duration counts in no duration figure.
    if (!known) return;
    s.timed[m]!++;
    s.durationSum[m]! += durationMs;
    s.durationSqSum[m]! += durationMs * durationMs;
    if (durationMs < s.durationMin[m]!) s.durationMin[m] = durationMs;
    if (durationMs > s.durationMax[m]!) s.durationMax[m] = durationMs;
    const b = durationBucket(durationMs);
    let counts = s.buckets.get(b);
    if (!counts) s.buckets.set(b, (counts = new Uint32Array(MINUTES)));
    counts[m]!++;
  }

  /**
   * Running sums per skill (index m = minutes before m, 0..60), so a range of
   * minutes costs one subtraction per sum and histogram bucket; built on first
   * use, when the per-minute bucket counts are released (a few MB per busy hour otherwise).
   */
  private prefix: Map<string, SkillPrefix> | null = null;

  /** Adds the minutes [fromMinute, toMinute) of every skill to `sums`. */
  addMinutes(sums: RawEdgeSums, fromMinute: number, toMinute: number): void {
    if (!this.prefix) this.prefix = new Map([...this.by].map(([skill, s]) => [skill, skillPrefix(s)]));
    const a = fromMinute;
    const b = toMinute;
    for (const [skill, p] of this.prefix) {
      const invocations = p.invocations[b]! - p.invocations[a]!;
      if (invocations === 0) continue;
      const s = this.by.get(skill)!;
      let durationMin = Infinity;
      let durationMax = -Infinity;
      let lastAt = -Infinity;
      for (let m = a; m < b; m++) {
        if (s.invocations[m] === 0) continue;
        if (s.durationMin[m]! < durationMin) durationMin = s.durationMin[m]!;
        if (s.durationMax[m]! > durationMax) durationMax = s.durationMax[m]!;
        if (s.lastAt[m]! > lastAt) lastAt = s.lastAt[m]!;
      }
      const buckets: [number, number][] = [];
      const w = MINUTES + 1;
      for (let i = 0; i < p.buckets.length; i++) {
        const c = p.bucketCounts[i * w + b]! - p.bucketCounts[i * w + a]!;
        if (c > 0) buckets.push([p.buckets[i]!, c]);
      }
      sums.addSums(
        skill,
        {
          invocations,
          successes: p.successes[b]! - p.successes[a]!,
          timed: p.timed[b]! - p.timed[a]!,
          durationSum: p.durationSum[b]! - p.durationSum[a]!,
          durationSqSum: p.durationSqSum[b]! - p.durationSqSum[a]!,
          durationMin,
          durationMax,
          lastAt,
        },
        buckets,
      );
    }
  }
}

interface SkillPrefix {
  invocations: Float64Array;
  successes: Float64Array;
  timed: Float64Array;
  durationSum: Float64Array;
  durationSqSum: Float64Array;
  /** The skill's buckets, and their running counts (61 per bucket, in that order). */
  buckets: number[];
  bucketCounts: Uint32Array;
}

function running<T extends Float64Array | Uint32Array>(perMinute: Float64Array | Uint32Array, out: T, offset = 0): T {
  for (let m = 0; m < MINUTES; m++) out[offset + m + 1] = out[offset + m]! + perMinute[m]!;
  return out;
}

function skillPrefix(s: SkillMinutes): SkillPrefix {
  const w = MINUTES + 1;
  const buckets = [...s.buckets.keys()];
  const bucketCounts = new Uint32Array(buckets.length * w);
  buckets.forEach((b, i) => running(s.buckets.get(b)!, bucketCounts, i * w));
  s.buckets.clear();
  return {
    invocations: running(s.invocations, new Float64Array(w)),
    successes: running(s.successes, new Float64Array(w)),
    timed: running(s.timed, new Float64Array(w)),
    durationSum: running(s.durationSum, new Float64Array(w)),
    durationSqSum: running(s.durationSqSum, new Float64Array(w)),
    buckets,
    bucketCounts,
  };
}

/** How a raw range inside one hour is read with a summary: whole minutes from it, the partial minutes at the ends raw. */
export interface MinutePlan {
  /** Whole minutes of the hour [fromMinute, toMinute) read from the summary. */
  fromMinute: number;
  toMinute: number;
  /** Ranges read from raw rows (inclusive ms). */
  raw: TimeRange[];
}

/** Splits a range inside one hour into whole minutes and partial-minute edges; null when it holds no whole minute or spans hours. */
export function planMinutes(range: TimeRange): MinutePlan | null {
  const hour = hourOf(range.fromMs);
  if (hourOf(range.toMs) !== hour || range.toMs < range.fromMs) return null;
  const base = hour * HOUR_MS;
  const first = Math.ceil((range.fromMs - base) / MINUTE_MS);
  const end = Math.floor((range.toMs + 1 - base) / MINUTE_MS);
  if (end <= first) return null;
  const raw: TimeRange[] = [];
  if (range.fromMs < base + first * MINUTE_MS) raw.push({ fromMs: range.fromMs, toMs: base + first * MINUTE_MS - 1 });
  if (range.toMs >= base + end * MINUTE_MS) raw.push({ fromMs: base + end * MINUTE_MS, toMs: range.toMs });
  return { fromMinute: first, toMinute: end, raw };
}

/** A small least-recently-used cache of hour summaries, one per store instance. */
export class EdgeHourCache {
  private readonly byHour = new Map<number, EdgeHourSummary>();
  /** Uses answered from a kept summary, and summaries built (a first use or a changed version). */
  readonly stats = { hits: 0, builds: 0 };

  constructor(private readonly capacity = 4) {}

  /** The summary of `hour` when it was built at `version`, else undefined. */
  get(hour: number, version: string): EdgeHourSummary | undefined {
    const s = this.byHour.get(hour);
    if (!s || s.version !== version) return undefined;
    this.byHour.delete(hour);
    this.byHour.set(hour, s);
    this.stats.hits++;
    return s;
  }

  set(summary: EdgeHourSummary): void {
    this.stats.builds++;
    this.byHour.delete(summary.hour);
    this.byHour.set(summary.hour, summary);
    while (this.byHour.size > this.capacity) this.byHour.delete(this.byHour.keys().next().value!);
  }
}
