/**
 * In-process event bus. The tracker publishes what it wrote; the WebSocket
 * hub, the Prometheus exporter and any cross-instance fan-out subscribe.
 */
import { EventEmitter } from 'node:events';

export interface InvocationEvent {
  id: string;
  skill_name: string;
  session_id: string;
  /** Salted hash of the user id. */
  user_hash: string;
  workflow_phase: string;
  completed: boolean;
  duration_ms: number;
  /**
   * false when the duration was not measured (a typed skill activation, a call whose Pre/Post
   * hooks never matched): duration_ms is then 0 and no latency figure counts it. Absent (from
   * an older instance over the fan-out) means measured.
   */
  duration_known?: boolean;
  error_type: string | null;
  invoked_at: number;
  project: string | null;
  agent: string | null;
}

export interface AnomalyEvent {
  skill_name: string;
  metric: 'success_rate' | 'duration';
  baseline_value: number;
  observed_value: number;
  deviation_score: number;
  direction: 'up' | 'down';
  severity: 'warning' | 'critical';
  detected_at: number;
  /** Hours of the recent window compared with the baseline (absent from instances that predate it). */
  window_hours?: number;
}

export interface ToolCallEvent {
  tool: string;
  outcome: 'ok' | 'error';
  /** Error code when outcome is error. */
  code?: string;
  seconds: number;
}

/** Where an event came from: absent for this instance, the publishing instance's id for fan-out. */
export interface EventMeta {
  origin?: string;
  /**
   * The invocations are history (recorded more than the backfill threshold
   * after they happened: imports, demo data): stored and analysed, but not
   * live traffic — no live Prometheus series, no /ws push.
   */
  backfill?: boolean;
}

/** Counts from Claude Code's OTLP telemetry, for the Prometheus exporter (see capture/otlp-metrics.ts). */
export interface TelemetryCount {
  /** Prometheus family name, help text and label names. */
  family: { name: string; help: string; labels: Readonly<Record<string, string>> };
  labels: Record<string, string>;
  value: number;
}

export interface BusEvents {
  'invocations.recorded': [events: InvocationEvent[], meta?: EventMeta];
  'anomalies.detected': [events: AnomalyEvent[], meta?: EventMeta];
  'tool.called': [event: ToolCallEvent];
  'telemetry.counted': [counts: TelemetryCount[]];
}

/** Told about an error a listener threw (the emitter and the other listeners carry on). */
export type ListenerErrorHandler = (event: keyof BusEvents, err: unknown) => void;

/**
 * Listeners are isolated: one that throws (or rejects) is reported to
 * `onListenerError` and neither stops the other listeners nor reaches the
 * emitter, so a broken subscriber cannot fail a write that already happened.
 */
export class EventBus {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor(private readonly onListenerError: ListenerErrorHandler = () => {}) {
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void): () => void {
    const report = (err: unknown) => {
      try {
        this.onListenerError(event, err);
      } catch {
        // a failing error handler must not break the emitter either
      }
    };
    const isolated = (...args: unknown[]) => {
      try {
        const r: unknown = (listener as (...a: unknown[]) => unknown)(...args);
        if (r instanceof Promise) r.catch(report);
      } catch (err) {
        report(err);
      }
    };
    this.emitter.on(event, isolated);
    return () => this.emitter.off(event, isolated);
  }

  emit<K extends keyof BusEvents>(event: K, ...args: BusEvents[K]): void {
    this.emitter.emit(event, ...args);
  }

  /** Whether anything listens to `event`: an emitter can skip building events nobody receives. */
  listens(event: keyof BusEvents): boolean {
    return this.emitter.listenerCount(event) > 0;
  }
}
