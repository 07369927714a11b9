/**
 * A progress bar on stderr. On a terminal it redraws one line; otherwise
 * (CI, pipes) it prints a line at every 10 %.
 */
import type { Output } from './context.js';

export interface Progress {
  update(done: number): void;
  finish(summary?: string): void;
}

export function createProgress(label: string, total: number, out: Output & { isTTY?: boolean }): Progress {
  const started = Date.now();
  let lastDraw = 0;
  let lastDecile = -1;
  const render = (done: number) => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : 0;
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total} ${Math.round(rate)}/s eta ${eta.toFixed(0)}s`;
  };
  return {
    update(done) {
      if (out.isTTY) {
        const t = Date.now();
        if (t - lastDraw < 100 && done < total) return;
        lastDraw = t;
        out.write(`\r${render(done)}`);
      } else {
        const decile = total > 0 ? Math.floor((done / total) * 10) : 10;
        if (decile !== lastDecile) {
          lastDecile = decile;
          out.write(`${render(done)}\n`);
        }
      }
    },
    finish(summary) {
      if (out.isTTY) out.write('\n');
      if (summary) out.write(`${summary}\n`);
    },
  };
}
