/**
 * Token-bucket rate limiter keyed by client. Each call takes one token; a
 * bucket refills continuously up to its capacity.
 */
import { AppError } from '../errors.js';
import type { RateLimitConfig } from '../config.js';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token for `clientId` or throws RATE_LIMITED with the wait time. */
  take(clientId: string): void {
    const t = this.now();
    let b = this.buckets.get(clientId);
    if (!b) {
      if (this.buckets.size > 10_000) this.evictFull(t);
      b = { tokens: this.config.capacity, updatedAt: t };
      this.buckets.set(clientId, b);
    }
    b.tokens = Math.min(this.config.capacity, b.tokens + ((t - b.updatedAt) / 1000) * this.config.refillPerSecond);
    b.updatedAt = t;
    if (b.tokens < 1) {
      const retryAfterMs = Math.ceil(((1 - b.tokens) / this.config.refillPerSecond) * 1000);
      throw new AppError(
        'RATE_LIMITED',
        `rate limit exceeded: at most ${this.config.capacity} calls in a burst and ${this.config.refillPerSecond} per second; retry in ${retryAfterMs} ms`,
        {
          retry_after_ms: retryAfterMs,
        },
      );
    }
    b.tokens -= 1;
  }

  forget(clientId: string): void {
    this.buckets.delete(clientId);
  }

  /** Drops buckets that have refilled completely: they hold no state worth keeping. */
  private evictFull(t: number): void {
    for (const [id, b] of this.buckets) {
      if (b.tokens + ((t - b.updatedAt) / 1000) * this.config.refillPerSecond >= this.config.capacity) this.buckets.delete(id);
    }
  }
}
