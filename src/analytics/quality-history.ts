/**
 * A project's Quality Score V2 history, from the records its checkpoints
 * stored (oldest first): the scores in order, a small trend (first → last,
 * the change, and a text sparkline) and the dimension that moved most between
 * the first and the last checkpoint where both measured it.
 */

/** One checkpoint's stored record, as far as the history needs it. */
export interface QualityPoint {
  /** ISO 8601. */
  at: string;
  total: number | null;
  dimensions: Record<string, number | null>;
}

export interface QualityHistory {
  /** Checkpoints in the window (oldest first). */
  points: { at: string; total: number | null }[];
  /** Last measured total minus the first measured total; null with fewer than two measured totals. */
  change: number | null;
  direction: 'up' | 'down' | 'flat' | 'unknown';
  /** One block character per measured total (▁ lowest .. █ highest of the window); '' when none. */
  sparkline: string;
  /** Largest absolute change of a dimension between its first and last measured score; null when none moved or too few points. */
  mostMoved: { id: string; from: number; to: number; delta: number } | null;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

function round1(x: number): number {
  const r = Math.round(x * 10) / 10;
  return r === 0 ? 0 : r; // never -0
}

export function qualityHistory(points: readonly QualityPoint[]): QualityHistory {
  const measured = points.map((p) => p.total).filter((t): t is number => t !== null);
  const change = measured.length >= 2 ? round1(measured[measured.length - 1]! - measured[0]!) : null;
  const direction = change === null ? 'unknown' : change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
  let sparkline = '';
  if (measured.length > 0) {
    const lo = Math.min(...measured);
    const span = Math.max(...measured) - lo;
    sparkline = measured.map((t) => BLOCKS[span === 0 ? 3 : Math.round(((t - lo) / span) * (BLOCKS.length - 1))]).join('');
  }
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  for (const p of points) {
    for (const [id, score] of Object.entries(p.dimensions)) {
      if (score === null || score === undefined) continue;
      if (!first.has(id)) first.set(id, score);
      last.set(id, score);
    }
  }
  let mostMoved: QualityHistory['mostMoved'] = null;
  for (const [id, from] of first) {
    const to = last.get(id)!;
    const delta = round1(to - from);
    if (delta !== 0 && (mostMoved === null || Math.abs(delta) > Math.abs(mostMoved.delta))) mostMoved = { id, from, to, delta };
  }
  return { points: points.map((p) => ({ at: p.at, total: p.total })), change, direction, sparkline, mostMoved };
}

/** "72.0 → 80.5 (+8.5 over 3 checkpoints) ▁▄█; most moved: tests +20" or a note that there is no history yet. */
export function describeQualityHistory(h: QualityHistory): string {
  const measured = h.points.filter((p) => p.total !== null);
  if (measured.length === 0) return 'no checkpoint has measured this project yet';
  const first = measured[0]!.total!;
  const last = measured[measured.length - 1]!.total!;
  const n = h.points.length;
  const sign = (x: number) => (x > 0 ? `+${x}` : `${x}`);
  let text = measured.length === 1 ? `${last} (1 checkpoint)` : `${first} → ${last} (${sign(h.change!)} over ${n} checkpoints) ${h.sparkline}`;
  if (h.mostMoved) text += `; most moved: ${h.mostMoved.id} ${sign(h.mostMoved.delta)} (${h.mostMoved.from} → ${h.mostMoved.to})`;
  return text;
}
