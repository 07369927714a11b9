/**
 * A progress bar on stderr. On a terminal it redraws one line (at most ten
 * times a second). Otherwise (CI, pipes, log files) it writes a few lines at
 * most: one at each quarter that is reached at least `quietMs` after the
 * previous line (so a quick run writes none of them), and the final state
 * when the work finishes.
 */
import type { Output } from './context.js';

export interface Progress {
  update(done: number): void;
  finish(summary?: string): void;
}

export interface ProgressOptions {
  /** Clock in ms (tests). */
  now?: () => number;
  /** Off a terminal: least time between two lines (default 2 s). */
  quietMs?: number;
}

export function createProgress(label: string, total: number, out: Output & { isTTY?: boolean }, opts: ProgressOptions = {}): Progress {
  const now = opts.now ?? Date.now;
  const quietMs = opts.quietMs ?? 2000;
  const started = now();
  let lastDraw = out.isTTY ? -Infinity : started;
  let lastQuarter = 0;
  let last = 0;
  let lastWritten = -1;
  const render = (done: number) => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? Math.max(0, total - done) / rate : 0;
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total} ${Math.round(rate)}/s eta ${eta.toFixed(0)}s`;
  };
  const line = (done: number) => {
    lastWritten = done;
    out.write(`${render(done)}\n`);
  };
  return {
    update(done) {
      last = done;
      const t = now();
      if (out.isTTY) {
        if (t - lastDraw < 100 && done < total) return;
        lastDraw = t;
        out.write(`\r${render(done)}`);
        return;
      }
      const quarter = total > 0 ? Math.floor((Math.min(done, total) / total) * 4) : 4;
      if (quarter > lastQuarter && quarter < 4 && t - lastDraw >= quietMs) {
        lastQuarter = quarter;
        lastDraw = t;
        line(done);
      }
    },
    finish(summary) {
      if (out.isTTY) out.write('\n');
      else if (lastWritten !== last) line(last);
      if (summary) out.write(`${summary}\n`);
    },
  };
}

/**
 * A progress bar made on the first report, when the total is known (work that
 * learns its total only once it starts); no bar at all while the total is
 * below `minTotal`. `finish` does nothing when no bar was made.
 */
export function lazyProgress(label: string, out: Output & { isTTY?: boolean }, minTotal = 0) {
  let bar: Progress | null = null;
  return {
    update(done: number, total: number): void {
      if (total < minTotal) return;
      bar ??= createProgress(label, total, out);
      bar.update(done);
    },
    finish(): void {
      bar?.finish();
    },
  };
}
