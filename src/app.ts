/**
 * The composition root: builds every component from a Config and wires them
 * together. Nothing else constructs long-lived components.
 */
import fs from 'node:fs';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Config } from './config.js';
import { EventBus } from './events.js';
import { createLogger, type Logger } from './logger.js';
import { ReflectionStore } from './memory/reflection-store.js';
import { RateLimiter } from './mcp/rate-limiter.js';
import { createInsightServices } from './mcp/tools/insight-tools.js';
import { buildMcpServer } from './mcp/server.js';
import type { ToolDeps } from './mcp/tool-deps.js';
import { createUserHasher, loadOrCreateSalt, type UserHasher } from './store/salt.js';
import { SessionManager } from './session/session-manager.js';
import { createSqlSessionSkillMetrics } from './session/session-skill-metrics.js';
import { readSqliteStorageStats } from './session/sqlite-storage-stats.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import { Tracker } from './tracking/tracker.js';
import { createUlidFactory } from './tracking/ulid.js';
import { VERSION } from './version.js';

export interface AppOptions {
  logger?: Logger;
  now?: () => number;
}

export interface App {
  config: Config;
  logger: Logger;
  bus: EventBus;
  store: SqliteStore;
  tracker: Tracker;
  hashUser: UserHasher;
  rateLimiter: RateLimiter;
  sessions: SessionManager;
  reflections: ReflectionStore;
  version: string;
  now: () => number;
  /** A new MCP server (all tools registered) for one client connection. */
  createMcpServer(clientId: string): McpServer;
  /** Registers clean-up to run (in reverse order) on close. */
  onClose(fn: () => void | Promise<void>): void;
  close(): Promise<void>;
}

export function createApp(config: Config, opts: AppOptions = {}): App {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const now = opts.now ?? Date.now;
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const hashUser = createUserHasher(loadOrCreateSalt(config.dataDir));
  const store = new SqliteStore(config.dbPath, { synchronous: config.sqliteSynchronous });
  const bus = new EventBus();
  const tracker = new Tracker({
    store,
    hashUser,
    newId: createUlidFactory(),
    bus,
    maxMetadataBytes: config.maxMetadataBytes,
    now,
  });
  const rateLimiter = new RateLimiter(config.rateLimit, now);
  const reflections = new ReflectionStore(store.db, { now });
  const sessions = new SessionManager({
    dataDir: config.dataDir,
    logger: logger.child({ component: 'session' }),
    now,
    audit: config.dependencyAudit,
    compaction: { compactThresholdBytes: config.compactThresholdBytes },
    sessionSkillMetrics: createSqlSessionSkillMetrics(store.db),
    storageStats: async () =>
      readSqliteStorageStats(store.db, config.dbPath, ['skill_invocations', 'skills', 'sessions', 'skill_anomalies', 'reflections']),
  });
  const insights = createInsightServices({ store, bus, logger: logger.child({ component: 'insights' }) });
  const closers: (() => void | Promise<void>)[] = [() => insights.dispose()];
  let closed = false;

  const app: App = {
    config,
    logger,
    bus,
    store,
    tracker,
    hashUser,
    rateLimiter,
    sessions,
    reflections,
    version: VERSION,
    now,
    createMcpServer(clientId) {
      const deps: ToolDeps = { store, tracker, bus, logger, hashUser, rateLimiter, clientId, now, sessions, reflections, insights };
      return buildMcpServer(deps, VERSION);
    },
    onClose(fn) {
      closers.push(fn);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const fn of closers.reverse()) {
        try {
          await fn();
        } catch (err) {
          logger.warn('error during shutdown', { err });
        }
      }
      store.close();
    },
  };
  return app;
}
