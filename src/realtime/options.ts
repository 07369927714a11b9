/**
 * Options of the real-time monitoring components (Prometheus exporter,
 * WebSocket hub, web dashboard), with their defaults. The configuration layer
 * fills these from CLI flags and environment variables; anything left out
 * takes the default below.
 */
import type { RealtimeConfig } from '../config.js';
import { AppError } from '../errors.js';
import { checkWindowHours } from '../analytics/window.js';

/** Everything the real-time components take: the configurable parts (see RealtimeConfig) and tuning knobs. */
export interface RealtimeOptions extends RealtimeConfig {
  /** Largest accepted client message, in bytes. */
  wsMaxMessageBytes: number;
  /** Interval of WebSocket protocol pings; a client that missed the previous ping is dropped. */
  heartbeatMs: number;
  /** Interval of the metrics snapshot pushed to subscribers. */
  snapshotIntervalMs: number;
  /** How often the live feed reads rows other processes wrote to the store (0: never). */
  storeFeedMs: number;
  /** How often stored anomalies are read for those this process's bus did not carry (0: never; see anomaly-feed.ts). */
  anomalyFeedMs: number;
  /** Shortest gap between two pushes of coalesced events to a client. */
  eventFlushMs: number;
  /** Events kept per push; further events of the same push are only counted (`omitted`). */
  maxEventsPerPush: number;
  /** Number of skills in the snapshot's top list. */
  topSkills: number;
  /** Snapshot window: the last `windowHours` hours ending now (fractional allowed, at least 5 minutes; see analytics/window.ts). */
  windowHours: number;
  /** Distinct skill_name label values in Prometheus; further skills are counted as "__other__". */
  maxSkillLabels: number;
  /** Export the process/Node.js runtime metrics (process_*, nodejs_*). */
  processMetrics: boolean;
}

const DEFAULT_REALTIME_OPTIONS: Readonly<RealtimeOptions> = Object.freeze({
  metrics: true,
  ws: true,
  dashboard: true,
  wsMaxClients: 1000,
  wsRequireToken: false,
  wsAllowedOrigins: [],
  wsMaxMessageBytes: 64 * 1024,
  heartbeatMs: 30_000,
  snapshotIntervalMs: 1000,
  storeFeedMs: 1000,
  anomalyFeedMs: 5000,
  eventFlushMs: 100,
  maxEventsPerPush: 100,
  topSkills: 10,
  windowHours: 2,
  maxSkillLabels: 500,
  processMetrics: true,
});

/** Fills in defaults and checks the numeric options. */
export function resolveRealtimeOptions(partial: Partial<RealtimeOptions> = {}): RealtimeOptions {
  const o: RealtimeOptions = { ...DEFAULT_REALTIME_OPTIONS, wsAllowedOrigins: [], ...stripUndefined(partial) };
  positiveInt('ws-max-clients', o.wsMaxClients);
  positiveInt('ws-max-message-bytes', o.wsMaxMessageBytes);
  positiveInt('heartbeat-ms', o.heartbeatMs);
  positiveInt('snapshot-interval-ms', o.snapshotIntervalMs);
  if (!Number.isInteger(o.storeFeedMs) || o.storeFeedMs < 0) throw AppError.invalid('store-feed-ms', 'must be an integer >= 0');
  if (!Number.isInteger(o.anomalyFeedMs) || o.anomalyFeedMs < 0) throw AppError.invalid('anomaly-feed-ms', 'must be an integer >= 0');
  positiveInt('event-flush-ms', o.eventFlushMs);
  positiveInt('max-events-per-push', o.maxEventsPerPush);
  positiveInt('top-skills', o.topSkills);
  checkWindowHours(o.windowHours, 'window-hours');
  positiveInt('max-skill-labels', o.maxSkillLabels);
  for (const origin of o.wsAllowedOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw AppError.invalid('ws-allowed-origins', 'each origin must look like http(s)://host[:port]');
  }
  return o;
}

function positiveInt(field: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw AppError.invalid(field, 'must be an integer >= 1');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
