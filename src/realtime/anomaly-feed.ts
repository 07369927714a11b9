/**
 * Anomalies that another process stored (the instance that ran the scheduled detection, a stdio MCP
 * server's `detect_anomalies`) reach this process's bus only through the Redis fan-out, and not at all
 * while that process's Redis connection is down or without fan-out. The AnomalyFeed reads the anomalies
 * stored in the last few minutes every `intervalMs` and emits on the bus (with origin `store`, so they
 * are neither published again nor counted in this instance's Prometheus counter) those the bus has not
 * carried: the live stream and the `hello` of later connections then list them too.
 *
 * Anomalies found at one tick are emitted at the next, after another look at the bus: the process that
 * stored one emits it just after its write commits, which a read may see first.
 */
import type { AnomalyEvent, EventBus } from '../events.js';
import type { Logger } from '../logger.js';
import type { AnalyticsRecords, StoredAnomaly } from '../store/analytics-types.js';
import { PollLoop } from './poll-loop.js';

/** The origin of the anomalies this feed emits (EventMeta.origin). */
const STORE_ORIGIN = 'store';

/** How far back each read looks: longer than any delay between detecting an anomaly and reading it. */
const LOOKBACK_MS = 10 * 60_000;
/** Anomalies read at most per tick. */
const READ_LIMIT = 200;

export interface AnomalyFeedDeps {
  bus: EventBus;
  store: Pick<AnalyticsRecords, 'recentAnomalies'>;
  logger: Logger;
  now?: () => number;
}

const keyOf = (a: Pick<AnomalyEvent, 'skill_name' | 'metric' | 'detected_at'>) => `${a.skill_name}\u0000${a.metric}\u0000${Number(a.detected_at)}`;

export class AnomalyFeed {
  private readonly loop: PollLoop;
  /** Anomalies this process has carried on its bus or emitted: key → detected_at. */
  private readonly seen = new Map<string, number>();
  private held: StoredAnomaly[] = [];
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly deps: AnomalyFeedDeps,
    intervalMs: number,
  ) {
    this.loop = new PollLoop(deps.logger, 'reading anomalies stored by other processes', intervalMs, () => this.poll());
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /**
   * Starts polling. `known`: the anomalies already shown (read at start), never emitted again; every
   * anomaly the bus carries from now on is known too.
   */
  start(known: readonly Pick<AnomalyEvent, 'skill_name' | 'metric' | 'detected_at'>[] = []): void {
    if (this.loop.started) return;
    for (const a of known) this.seen.set(keyOf(a), Number(a.detected_at));
    this.unsubscribe = this.deps.bus.on('anomalies.detected', (events) => {
      for (const a of events) this.seen.set(keyOf(a), Number(a.detected_at));
    });
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.held = [];
  }

  /** One poll; exposed for tests. */
  tick(): Promise<void> {
    return this.loop.tick();
  }

  /** One read: false when stopped meanwhile. */
  private async poll(): Promise<boolean> {
    this.handOver();
    const since = this.now() - LOOKBACK_MS;
    const rows = await this.deps.store.recentAnomalies({ sinceMs: since, limit: READ_LIMIT });
    if (!this.loop.started) return false; // stopped meanwhile
    this.held = rows.filter((a) => !this.seen.has(keyOf(a)));
    for (const [key, at] of this.seen) if (at < since - LOOKBACK_MS) this.seen.delete(key);
    return true;
  }

  private handOver(): void {
    const fresh = this.held.filter((a) => !this.seen.has(keyOf(a)));
    this.held = [];
    if (fresh.length === 0) return;
    // Oldest first, as detected; without the row id, as the bus carries anomalies.
    const events: AnomalyEvent[] = fresh.reverse().map(({ id: _id, ...event }) => ({ ...event, detected_at: Number(event.detected_at) }));
    this.deps.bus.emit('anomalies.detected', events, { origin: STORE_ORIGIN });
  }
}
