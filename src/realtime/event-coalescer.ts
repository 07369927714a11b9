/**
 * Coalesces bus events into pushes. The first event after a quiet spell is
 * pushed at once (on the next turn of the event loop, so one synchronous burst
 * becomes one push); further events wait until `flushMs` has passed since the
 * previous push. So a client gets at most 1000 / flushMs pushes per second,
 * whatever the ingest rate, and sparse events are not delayed.
 *
 * A push keeps at most `maxEvents` invocations (the latest) but counts all of
 * them per skill, so subscribers can be told how many were left out.
 */
import type { AnomalyEvent, InvocationEvent } from '../events.js';

export interface CoalescedBatch {
  /** The latest invocations, at most `maxEvents`, oldest first. */
  invocations: InvocationEvent[];
  /** Every invocation since the previous push, counted per skill. */
  invocationCounts: Map<string, number>;
  invocationTotal: number;
  /** Anomalies since the previous push (at most `maxEvents`, the latest). */
  anomalies: AnomalyEvent[];
}

export interface CoalescerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: CoalescerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    // Not unref'd: an unref'd immediate lets the loop block in poll, delaying the push by milliseconds.
    if (ms <= 0) return setImmediate(fn);
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => {
    clearTimeout(h as NodeJS.Timeout);
    clearImmediate(h as NodeJS.Immediate);
  },
};

export class EventCoalescer {
  private invocations: InvocationEvent[] = [];
  private counts = new Map<string, number>();
  private total = 0;
  private anomalies: AnomalyEvent[] = [];
  private lastFlush = -Infinity;
  private timer: unknown = null;
  private closed = false;

  constructor(
    private readonly flushMs: number,
    private readonly maxEvents: number,
    private readonly onFlush: (batch: CoalescedBatch) => void,
    private readonly clock: CoalescerClock = realClock,
  ) {}

  /** `omitted`: further invocations, counted per skill, that come without their events. */
  addInvocations(events: readonly InvocationEvent[], omitted?: ReadonlyMap<string, number>): void {
    let extra = 0;
    if (omitted) for (const n of omitted.values()) extra += n;
    if (this.closed || events.length + extra === 0) return;
    for (const e of events) {
      this.counts.set(e.skill_name, (this.counts.get(e.skill_name) ?? 0) + 1);
      this.invocations.push(e);
    }
    if (omitted) for (const [skill, n] of omitted) this.counts.set(skill, (this.counts.get(skill) ?? 0) + n);
    this.total += events.length + extra;
    // Trim in amortised O(1): let the array grow to twice the cap, then cut.
    if (this.invocations.length > 2 * this.maxEvents) this.invocations = this.invocations.slice(-this.maxEvents);
    this.schedule();
  }

  addAnomalies(events: readonly AnomalyEvent[]): void {
    if (this.closed || events.length === 0) return;
    this.anomalies.push(...events);
    if (this.anomalies.length > this.maxEvents) this.anomalies = this.anomalies.slice(-this.maxEvents);
    this.schedule();
  }

  /** Drops pending events and stops the timer. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.reset();
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastFlush + this.flushMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    if (this.closed) return;
    this.lastFlush = this.clock.now();
    const batch: CoalescedBatch = {
      invocations: this.invocations.length > this.maxEvents ? this.invocations.slice(-this.maxEvents) : this.invocations,
      invocationCounts: this.counts,
      invocationTotal: this.total,
      anomalies: this.anomalies,
    };
    this.reset();
    this.onFlush(batch);
  }

  private reset(): void {
    this.invocations = [];
    this.counts = new Map();
    this.total = 0;
    this.anomalies = [];
  }
}
