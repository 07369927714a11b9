/**
 * Turns OTLP Sum points into increments, per series (metric + attributes):
 *
 * - delta (Claude Code's default): each point is the increment since the
 *   previous export, and starts where the previous point of its series ended.
 *   A point that does not come after the last one seen for its series (an
 *   earlier start, or the same start and end) is a resend (an exporter retry
 *   after a timeout) and adds nothing.
 * - cumulative: each point is the running total since its start time. The
 *   increment is the difference to the last point of the same series and
 *   start time; a later start time, or a value below the last, is a restart
 *   of the sender and counts from zero. Points not newer than the last one
 *   (resends) add nothing. The first point of a series counts in
 *   full when the series started after `since` (the receiver's start), and is
 *   only a baseline otherwise (its total holds history from before).
 *
 * Series are remembered up to `maxSeries` (oldest forgotten first).
 */

export interface SumPointInput {
  /** Identifies the series: metric name and attributes, canonical. */
  series: string;
  /** 1 delta, 2 cumulative. */
  temporality: 1 | 2;
  /** Start and end time in ns (decimal strings; '0' when unknown). */
  startNano: string;
  timeNano: string;
  value: number;
}

interface SeriesState {
  start: bigint;
  time: bigint;
  value: number;
}

export class MetricSums {
  private readonly last = new Map<string, SeriesState>();
  private readonly sinceNano: bigint;

  constructor(
    /** Epoch ms the receiver started: cumulative series started before it hold history. */
    sinceMs: number,
    private readonly maxSeries = 100_000,
  ) {
    this.sinceNano = BigInt(Math.floor(sinceMs)) * 1_000_000n;
  }

  get size(): number {
    return this.last.size;
  }

  /** The increment a point adds (0 for a resend, an older point or a baseline). */
  increment(p: SumPointInput): number {
    if (!Number.isFinite(p.value)) return 0;
    const start = BigInt(p.startNano);
    const time = BigInt(p.timeNano);
    const prev = this.last.get(p.series);
    let inc: number;
    if (p.temporality === 1) {
      // Deltas follow each other (each starts where the previous ended): one that does not come after the last is a resend.
      if (prev && (start < prev.start || (start === prev.start && time <= prev.time))) return 0;
      inc = p.value;
    } else if (!prev) {
      inc = start !== 0n && start >= this.sinceNano ? p.value : 0;
    } else if (start !== prev.start) {
      if (start < prev.start) return 0; // a point of the sender's previous run
      inc = p.value;
    } else if (time <= prev.time) {
      return 0; // a resend or an older point of the same run
    } else {
      inc = p.value >= prev.value ? p.value - prev.value : p.value;
    }
    this.remember(p.series, { start, time, value: p.value });
    return inc;
  }

  private remember(series: string, state: SeriesState): void {
    this.last.delete(series);
    this.last.set(series, state);
    if (this.last.size > this.maxSeries) this.last.delete(this.last.keys().next().value as string);
  }
}

/** A canonical series id: the metric name and the attributes sorted by key. */
export function seriesKey(metric: string, attrs: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(attrs).sort();
  return `${metric}\u0000${keys.map((k) => `${k}=${String(attrs[k])}`).join('\u0000')}`;
}
