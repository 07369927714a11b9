/**
 * What tools may use. Built by the composition root for each MCP session.
 * Only store interfaces: the tools run unchanged on every back-end.
 */
import type { EventBus } from '../events.js';
import type { AnomalyService } from '../insights/anomaly-service.js';
import type { BaselinesService } from '../insights/baselines-service.js';
import type { Logger } from '../logger.js';
import type { ReflectionService } from '../memory/reflection-service.js';
import type { SessionManager } from '../session/session-manager.js';
import type { AnalyticsQueries, AnalyticsRecords } from '../store/analytics-types.js';
import type { UserHasher } from '../store/salt.js';
import type { InvocationStore } from '../store/types.js';
import type { Tracker } from '../tracking/tracker.js';
import type { CallerIdentity } from './caller-identity.js';
import type { RateLimiter } from './rate-limiter.js';
import type { InsightServices } from '../insights/insight-services.js';
import type { SkillReportService } from '../insights/skill-report.js';

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
  /** Who calls (per-user tokens are answered about themselves only, see caller-identity.ts). */
  caller: CallerIdentity;
  now: () => number;
  sessions: SessionManager;
  reflections: ReflectionService;
  /** The anomaly use case (also run by the server's scheduled detection). */
  anomalies: AnomalyService;
  /** Community baselines (also refreshed by the server on a schedule). */
  baselines: BaselinesService;
  /** The skill report (also behind the CLI, the dashboard and the cost gauges). */
  skillReport: SkillReportService;
  /** App-level objects of the insight tools (recommendation index, experiments, models); those tools are registered only when present. */
  insights?: InsightServices;
}
