/**
 * Runs a job every `intervalMs` inside the server. Time is cut into slots of
 * intervalMs; before each run the job claims the current slot through the
 * store (JobLeases), so with several instances on one shared store exactly
 * one of them runs it per slot. A run that is still going when the next
 * timer fires is not overlapped. Errors are logged, never thrown.
 */
import type { Logger } from '../logger.js';
import type { JobLeases } from '../store/lease-types.js';

export interface ScheduledJobOptions {
  name: string;
  intervalMs: number;
  leases: JobLeases;
  logger: Logger;
  now: () => number;
  run: () => Promise<void>;
  /** Run a first time right away (default true), then every intervalMs. */
  runAtStart?: boolean;
}

export interface ScheduledJob {
  /** Claims the current slot and runs the job when this instance won it; resolves whether it ran. */
  tick(): Promise<boolean>;
  stop(): Promise<void>;
}

export function startScheduledJob(opts: ScheduledJobOptions): ScheduledJob {
  const { name, intervalMs, leases, logger, now, run } = opts;
  let current: Promise<boolean> | null = null;
  let stopped = false;

  const tick = (): Promise<boolean> => {
    if (stopped) return Promise.resolve(false);
    if (current) return current;
    current = (async () => {
      try {
        if (!(await leases.claim(name, Math.floor(now() / intervalMs)))) return false;
        await run();
        return true;
      } catch (err) {
        logger.warn('scheduled job failed', { job: name, err });
        return false;
      } finally {
        current = null;
      }
    })();
    return current;
  };

  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  if (opts.runAtStart ?? true) setImmediate(() => void tick());
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
