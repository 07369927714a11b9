/**
 * What tools may use. Built by the composition root for each MCP session.
 * Only store interfaces: the tools run unchanged on every back-end.
 */
import type { EventBus } from '../events.js';
import type { Logger } from '../logger.js';
import type { ReflectionService } from '../memory/reflection-service.js';
import type { SessionManager } from '../session/session-manager.js';
import type { AnalyticsQueries, AnalyticsRecords } from '../store/analytics-types.js';
import type { UserHasher } from '../store/salt.js';
import type { InvocationStore } from '../store/types.js';
import type { Tracker } from '../tracking/tracker.js';
import type { RateLimiter } from './rate-limiter.js';
import type { InsightServices } from '../insights/insight-services.js';

export interface ToolDeps {
  store: InvocationStore;
  analyticsQueries: AnalyticsQueries;
  analyticsRecords: AnalyticsRecords;
  tracker: Tracker;
  bus: EventBus;
  logger: Logger;
  hashUser: UserHasher;
  rateLimiter: RateLimiter;
  /** Rate-limit key: the MCP session id over HTTP, the transport name otherwise. */
  clientId: string;
  now: () => number;
  sessions: SessionManager;
  reflections: ReflectionService;
  /** App-level objects of the insight tools (recommendation index, experiments, models); those tools are registered only when present. */
  insights?: InsightServices;
}
