/**
 * Logs a repeated background read (polling the store, re-reading totals) that fails while the store
 * is away once when it starts failing and once when it works again, not on every attempt.
 */
import type { Logger } from '../logger.js';

export class FailureNote {
  private failing = false;

  constructor(
    private readonly logger: Logger,
    /** What fails, as the messages name it: `reading rows written by other processes`. */
    private readonly what: string,
  ) {}

  failed(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(`${this.what} failed (said once until it works again)`, { err });
  }

  worked(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.info(`${this.what} works again`);
  }
}
