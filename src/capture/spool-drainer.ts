/**
 * Server-side ingestion of the hook spool: drains once at start, then every
 * `intervalMs`, so invocations captured while the server was down arrive
 * without anyone asking. Overlapping runs are skipped.
 */
import type { Logger } from '../logger.js';
import { drainSpool, REJECTED_FILE, spoolSize, type DrainSummary } from './spool.js';
import type { RecordBatch } from './types.js';

const DEFAULT_DRAIN_INTERVAL_MS = 30_000;

export interface SpoolDrainer {
  /** Drains now unless a drain is running; null when skipped or nothing was spooled. */
  drainNow(): Promise<DrainSummary | null>;
  /**
   * Waits for a drain in progress, then drains what is spooled now: when it resolves, every
   * call spooled before it was called has been offered to the store (a reader that must see
   * them, such as a session checkpoint, calls this first).
   */
  flush(): Promise<DrainSummary | null>;
  stop(): void;
}

export function startSpoolDrainer(opts: { dataDir: string; record: RecordBatch; logger: Logger; intervalMs?: number }): SpoolDrainer {
  let running: Promise<DrainSummary | null> | null = null;
  const drainNow = (): Promise<DrainSummary | null> => {
    if (running) return Promise.resolve(null);
    running = (async () => {
      try {
        const sum = await drainSpool(opts.dataDir, opts.record);
        if (sum.lines > 0) opts.logger.info('ingested spooled hook invocations', { ...sum });
        if (sum.rejected > 0) opts.logger.warn('spooled lines rejected or quarantined (kept with the reason)', { rejected: sum.rejected, file: REJECTED_FILE });
        return sum.files > 0 ? sum : null;
      } catch (err) {
        opts.logger.warn('spool drain failed; will retry', { err, spoolBytes: spoolSize(opts.dataDir) });
        return null;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  void drainNow();
  const timer = setInterval(() => void drainNow(), opts.intervalMs ?? DEFAULT_DRAIN_INTERVAL_MS);
  timer.unref();
  const flush = async (): Promise<DrainSummary | null> => {
    while (running) await running;
    return drainNow();
  };
  return { drainNow, flush, stop: () => clearInterval(timer) };
}
