/**
 * Rows that other processes write to the same store (`record`, `import`, an
 * instance without fan-out) reach no bus of this process. While someone
 * watches the live feed, the StoreFeed reads the rows after the last one it
 * saw every `intervalMs` (through the store), leaves out the rows this
 * process published on its bus (the feed has them already), and hands the
 * rest to the feed.
 *
 * Rows found at one tick are handed over at the next, after another look at
 * the bus: on PostgreSQL a row can be visible to the query a moment before
 * the process that wrote it has published it. When more rows arrived than
 * `limit`, only the latest are read and the rest are counted per skill.
 */
import type { EventBus, InvocationEvent } from '../events.js';
import type { Logger } from '../logger.js';
import { PollLoop } from './poll-loop.js';
import type { InvocationStore, TailCursor } from '../store/types.js';

export type ExternalRowsSink = (events: InvocationEvent[], omitted: ReadonlyMap<string, number>) => void;

export interface StoreFeedDeps {
  bus: EventBus;
  store: Pick<InvocationStore, 'tailCursor' | 'invocationsAfter'>;
  logger: Logger;
  /** Clock for forgetting this process's rows (default Date.now). */
  now?: () => number;
}

export interface StoreFeedOptions {
  intervalMs: number;
  /** Rows read per tick; further rows are only counted. */
  limit: number;
}

/**
 * Rows this process published are forgotten after this long if no read met them (e.g. archived at
 * once). It must outlast the longest time the store's tail may hold rows back (PostgreSQL: 30 s,
 * see store/postgres/invocation-tail.ts), or this process's own rows would come back as another
 * writer's.
 */
const OWN_TTL_MS = 120_000;

export class StoreFeed {
  private readonly loop: PollLoop;
  private sink: ExternalRowsSink | null = null;
  private cursor: TailCursor | null = null;
  private tickNo = 0;
  /** Ids this process published, not yet met by a read: id → [skill, tick, time]. */
  private readonly own = new Map<string, [string, number, number]>();
  private held: { events: InvocationEvent[]; omitted: Map<string, number> } | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly deps: StoreFeedDeps,
    private readonly opts: StoreFeedOptions,
  ) {
    this.loop = new PollLoop(deps.logger, 'reading rows written by other processes', opts.intervalMs, () => this.poll());
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Starts polling (idempotent): rows written from now on go to `sink`. */
  start(sink: ExternalRowsSink): void {
    this.sink = sink;
    if (this.loop.started) return;
    this.unsubscribe = this.deps.bus.on('invocations.recorded', (events) => {
      const at = this.now();
      for (const e of events) this.own.set(e.id, [e.skill_name, this.tickNo, at]);
    });
    this.loop.start();
  }

  /** Stops polling and forgets its place (idempotent). */
  stop(): void {
    this.loop.stop();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.cursor = null;
    this.held = null;
    this.own.clear();
  }

  /** One poll; exposed for tests. */
  tick(): Promise<void> {
    return this.loop.tick();
  }

  /** One read: false when it only found its place, or was stopped meanwhile. */
  private async poll(): Promise<boolean> {
    this.tickNo++;
    this.handOver();
    if (this.cursor === null) {
      this.cursor = await this.deps.store.tailCursor();
      return false;
    }
    const tail = await this.deps.store.invocationsAfter(this.cursor, this.opts.limit);
    if (!this.loop.started) return false; // stopped meanwhile
    this.cursor = tail.cursor;
    const omitted = new Map(tail.counts);
    const events: InvocationEvent[] = [];
    for (const e of tail.events) {
      omitted.set(e.skill_name, (omitted.get(e.skill_name) ?? 0) - 1);
      if (!this.own.delete(e.id)) events.push(e);
    }
    let rest = 0;
    for (const n of omitted.values()) rest += n;
    // Rows left unread: this process's rows published before the read began, and not met among the
    // read ones, are among them (those published during the read may be after its end: kept for the next).
    if (rest > 0) {
      for (const [id, [skill, tick]] of this.own) {
        const n = omitted.get(skill) ?? 0;
        if (n <= 0 || tick >= this.tickNo) continue;
        omitted.set(skill, n - 1);
        this.own.delete(id);
      }
    }
    for (const [skill, n] of omitted) if (n <= 0) omitted.delete(skill);
    const expired = this.now() - OWN_TTL_MS;
    for (const [id, [, , at]] of this.own) if (at < expired) this.own.delete(id);
    if (events.length > 0 || omitted.size > 0) this.held = { events, omitted };
    return true;
  }

  private handOver(): void {
    const held = this.held;
    this.held = null;
    if (!held || !this.sink) return;
    const events = held.events.filter((e) => !this.own.delete(e.id));
    if (events.length > 0 || held.omitted.size > 0) this.sink(events, held.omitted);
  }
}
