/**
 * Turns OTLP Sum points into increments, per series (metric + attributes):
 *
 * - delta (Claude Code's default): each point is the increment since the
 *   previous export. A point whose end time is not after the last one seen
 *   for its series is a resend (an exporter retry after a timeout) and adds
 *   nothing.
 * - cumulative: each point is the running total since its start time. The
 *   increment is the difference to the last point of the same series and
 *   start time; a new start time, or a value below the last, is a restart of
 *   the sender and counts from zero. The first point of a series counts in
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
  /** Start time in ns (decimal string; '0' when unknown). */
  startNano: string;
  /** End time in ms (null when unknown). */
  timeMs: number | null;
  value: number;
}

interface SeriesState {
  startNano: string;
  timeMs: number | null;
  value: number;
}

export class MetricSums {
  private readonly last = new Map<string, SeriesState>();

  constructor(
    /** Epoch ms the receiver started: cumulative series started before it hold history. */
    private readonly sinceMs: number,
    private readonly maxSeries = 100_000,
  ) {}

  get size(): number {
    return this.last.size;
  }

  /** The increment a point adds (0 for a resend or a baseline). */
  increment(p: SumPointInput): number {
    if (!Number.isFinite(p.value)) return 0;
    const prev = this.last.get(p.series);
    if (prev && p.timeMs !== null && prev.timeMs !== null && p.timeMs <= prev.timeMs && prev.startNano === p.startNano) return 0;
    let inc: number;
    if (p.temporality === 1) {
      inc = p.value;
    } else if (!prev) {
      const startMs = p.startNano === '0' ? null : Number(BigInt(p.startNano) / 1_000_000n);
      inc = startMs !== null && startMs >= this.sinceMs ? p.value : 0;
    } else if (prev.startNano !== p.startNano || p.value < prev.value) {
      inc = p.value;
    } else {
      inc = p.value - prev.value;
    }
    this.remember(p.series, { startNano: p.startNano, timeMs: p.timeMs, value: p.value });
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
