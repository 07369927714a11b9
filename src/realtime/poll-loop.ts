/**
 * The loop under the feeds that poll the store for what other processes wrote (StoreFeed,
 * AnomalyFeed): one read every `intervalMs` on a timer that keeps no process alive, never two reads at
 * once, and a read that keeps failing said once (FailureNote) rather than on every attempt.
 */
import type { Logger } from '../logger.js';
import { FailureNote } from './failure-note.js';

export class PollLoop {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly failures: FailureNote;

  constructor(
    logger: Logger,
    /** What the read does, as the failure messages name it: `reading rows written by other processes`. */
    what: string,
    private readonly intervalMs: number,
    /** One read; resolves true when it read the store (a failing store then works again), false when it had nothing to judge by. */
    private readonly poll: () => Promise<boolean>,
  ) {
    this.failures = new FailureNote(logger, what);
  }

  /** Between start and stop. */
  get started(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One read now, unless one is still running. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      if (await this.poll()) this.failures.worked();
    } catch (err) {
      this.failures.failed(err);
    } finally {
      this.running = false;
    }
  }
}
