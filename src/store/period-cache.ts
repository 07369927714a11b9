/**
 * Rollup pieces of whole periods (one UTC day or one hour, every skill) kept
 * in memory with the period's version, so a long window's reads do not ship
 * the same past days' rows from the database on every call.
 *
 * - The version of a period is read from its rollup rows in the same
 *   consistent state as any piece read (the back-end reads both in one
 *   transaction): the number of rows and the sum of their invocations (API
 *   calls for costs). Rollups only ever grow: every write adds at least one
 *   invocation (call) to a row of its period, and nothing subtracts, so an
 *   unchanged version means an unchanged period; a changed one (a write into
 *   it, e.g. the current hour or a late import into a past day) reads the
 *   period again. The one rewrite of rollups, a skill-cost reprice, keeps the
 *   counts and changes the costs: the SQLite cost store adds the database's
 *   reprice generation to each version (sqlite/skill-costs.ts).
 * - Pieces are exact integer counts or the rollup rows themselves, so a
 *   window summed from cached pieces equals the same window summed from the
 *   database.
 * - A cache holds at most `capacity` periods; the least recently used goes first.
 * - The combined pieces of a segment (consecutive periods: a window's whole
 *   days, or the hours at one of its edges) are kept too, with the versions
 *   of all its periods, so a segment none of whose periods changed is not
 *   summed again; a write into the current hour recombines only the segment
 *   holding it.
 */
import type { BucketCount } from '../analytics/histogram.js';
import type { SkillHistogram } from '../analytics/types.js';

/** Version of each period: its rollup rows' count and sum of invocations or calls, joined (see above). */
export type PeriodVersions = ReadonlyMap<number, string>;

/** Combined segments kept per cache (a few windows' days and edges). */
const SEGMENTS = 16;

export class PeriodCache<V, S = V[]> {
  private readonly entries = new Map<number, { version: string; value: V }>();
  private readonly segments = new Map<string, { signature: string; value: S }>();
  /** Periods answered from memory, periods read, segments reused. */
  readonly stats = { hits: 0, reads: 0, segmentHits: 0 };

  constructor(
    private readonly capacity: number,
    private readonly combine: (pieces: V[]) => S,
  ) {}

  /**
   * The pieces of the periods in `versions` combined (see `pieces`), reused
   * while the versions of the segment's periods (`key`: its range) are those
   * it was combined from.
   */
  segment(key: string, versions: PeriodVersions, read: (periods: number[]) => Map<number, V>, empty: () => V): S {
    let signature = '';
    for (const [period, version] of versions) signature += `${period}=${version};`;
    const hit = this.segments.get(key);
    if (hit && hit.signature === signature) {
      this.stats.segmentHits++;
      return hit.value;
    }
    const value = this.combine(this.pieces(versions, read, empty));
    this.segments.delete(key);
    this.segments.set(key, { signature, value });
    while (this.segments.size > SEGMENTS) this.segments.delete(this.segments.keys().next().value!);
    return value;
  }

  /**
   * The pieces of the periods in `versions` (a period without rollup rows has
   * none), reading those missing or stale with `read` (given the periods to read,
   * it returns their pieces; a period it leaves out has an empty piece `empty`).
   */
  pieces(versions: PeriodVersions, read: (periods: number[]) => Map<number, V>, empty: () => V): V[] {
    const out: V[] = [];
    const missing: { period: number; at: number }[] = [];
    for (const [period, version] of versions) {
      const hit = this.entries.get(period);
      if (hit && hit.version === version) {
        this.entries.delete(period);
        this.entries.set(period, hit);
        out.push(hit.value);
        this.stats.hits++;
      } else {
        missing.push({ period, at: out.length });
        out.push(empty());
      }
    }
    if (missing.length > 0) {
      this.stats.reads += missing.length;
      const fresh = read(missing.map((m) => m.period));
      for (const { period, at } of missing) {
        const value = fresh.get(period) ?? out[at]!;
        this.entries.delete(period);
        this.entries.set(period, { version: versions.get(period)!, value });
        out[at] = value;
      }
      while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    return out;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Versions from rows (period, count of rollup rows, sum of invocations or calls). */
export function periodVersions(rows: readonly (readonly number[])[]): PeriodVersions {
  return new Map(rows.map((r) => [r[0]!, `${r[1]}:${r[2]}`]));
}

/** One period's duration histograms: per skill, bucket and count arrays. */
export type PeriodHistograms = Map<string, { buckets: Int32Array; counts: Float64Array }>;

/** Groups rows (period, skill, bucket, count) into per-period histograms. */
export function periodHistograms(rows: readonly (readonly [period: number, skill: string, bucket: number, count: number])[]): Map<number, PeriodHistograms> {
  const lists = new Map<number, Map<string, number[]>>();
  for (const [period, skill, bucket, count] of rows) {
    let p = lists.get(period);
    if (!p) lists.set(period, (p = new Map()));
    let l = p.get(skill);
    if (!l) p.set(skill, (l = []));
    l.push(bucket, count);
  }
  const out = new Map<number, PeriodHistograms>();
  for (const [period, skills] of lists) {
    const h: PeriodHistograms = new Map();
    for (const [skill, l] of skills) {
      let ascending = true;
      for (let i = 2; i < l.length; i += 2) if (l[i]! <= l[i - 2]!) ascending = false;
      if (!ascending) {
        const pairs = Array.from({ length: l.length / 2 }, (_, i) => [l[2 * i]!, l[2 * i + 1]!] as const).sort((a, b) => a[0] - b[0]);
        l.length = 0;
        for (const [b, c] of pairs) l.push(b, c);
      }
      const buckets = new Int32Array(l.length / 2);
      const counts = new Float64Array(l.length / 2);
      for (let i = 0; i < buckets.length; i++) {
        buckets[i] = l[2 * i]!;
        counts[i] = l[2 * i + 1]!;
      }
      h.set(skill, { buckets, counts });
    }
    out.set(period, h);
  }
  return out;
}

/** The pieces' histograms summed per skill (every skill), buckets ascending. */
export function combineHistograms(pieces: readonly PeriodHistograms[]): PeriodHistograms {
  const out: PeriodHistograms = new Map();
  const skills = new Set<string>();
  for (const piece of pieces) for (const skill of piece.keys()) skills.add(skill);
  for (const h of sumPeriodHistograms(pieces, [...skills])) {
    out.set(h.skill, { buckets: Int32Array.from(h.buckets, (b) => b.bucket), counts: Float64Array.from(h.buckets, (b) => b.count) });
  }
  return out;
}

/** The histograms of `skills` summed over the pieces; buckets ascending, skills in byte order, empty ones left out. */
export function sumPeriodHistograms(pieces: readonly PeriodHistograms[], skills: readonly string[]): SkillHistogram[] {
  const out: SkillHistogram[] = [];
  for (const skill of [...new Set(skills)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const mine: { buckets: Int32Array; counts: Float64Array }[] = [];
    let lo = Infinity;
    let hi = -Infinity;
    for (const piece of pieces) {
      const h = piece.get(skill);
      if (!h || h.buckets.length === 0) continue;
      mine.push(h);
      // Buckets are ascending within a piece (periodHistograms).
      lo = Math.min(lo, h.buckets[0]!);
      hi = Math.max(hi, h.buckets[h.buckets.length - 1]!);
    }
    if (mine.length === 0) continue;
    const dense = new Float64Array(hi - lo + 1);
    for (const h of mine) for (let i = 0; i < h.buckets.length; i++) dense[h.buckets[i]! - lo]! += h.counts[i]!;
    const buckets: BucketCount[] = [];
    for (let i = 0; i < dense.length; i++) if (dense[i]! > 0) buckets.push({ bucket: i + lo, count: dense[i]! });
    if (buckets.length > 0) out.push({ skill, buckets });
  }
  return out;
}
