/**
 * The composition root: builds every component from a Config and wires them
 * together. Nothing else constructs long-lived components.
 */
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { EventBus } from './events.js';
import { createLogger, type Logger } from './logger.js';
import { LOCAL_ADMIN, type CallerIdentity } from './mcp/caller-identity.js';
import { ReflectionEmbedder } from './memory/reflection-embedder.js';
import { createReflectionService, type ReflectionService } from './memory/reflection-service.js';
import { OtlpIngest } from './capture/otlp-ingest.js';
import { AnomalyService } from './insights/anomaly-service.js';
import { BaselinesService } from './insights/baselines-service.js';
import { SkillReportService } from './insights/skill-report.js';
import { readSkillInventory } from './capture/skill-inventory.js';
import { RateLimiter } from './mcp/rate-limiter.js';
import { createInsightServices } from './insights/insight-services.js';
import { buildMcpServer } from './mcp/server.js';
import type { ToolDeps } from './mcp/tool-deps.js';
import { createUserHasher, loadOrCreateSalt, readSalt, SALT_FILE, saltFingerprint, type UserHasher } from './store/salt.js';
import { AccessPolicy } from './server/access-policy.js';
import { loadOrCreateToken } from './server/access-token.js';
import { UserTokens } from './server/user-tokens.js';
import { SessionManager } from './session/session-manager.js';
import { openSqliteStores, openStores } from './store/open-stores.js';
import type { Stores } from './store/stores.js';
import type { InvocationStore } from './store/types.js';
import { Tracker } from './tracking/tracker.js';
import { createUlidFactory } from './tracking/ulid.js';
import { VERSION } from './version.js';
import { ensureDir } from './ensure-dir.js';

export interface AppOptions {
  logger?: Logger;
  now?: () => number;
  /**
   * The stores to run on (closed with the app). Default: the SQLite stores of
   * config.dbPath, opened synchronously; a PostgreSQL config needs them opened
   * first (see openApp).
   */
  stores?: Stores;
  /**
   * A SQLite store this process cannot write (store/sqlite-access.ts), for the commands that only
   * read: opened read-only and not migrated, and the salt file only read (never created).
   */
  readonly?: boolean;
  /**
   * false: search by meaning uses the vectors already stored and computes none (nothing is written), for
   * the commands that only read; always so with `readonly`. Default true (the server, `mcp`).
   */
  embedBackfill?: boolean;
}

export interface App {
  config: Config;
  logger: Logger;
  bus: EventBus;
  /** Every store of the back-end (stores.invocations is `store`). */
  stores: Stores;
  store: InvocationStore;
  tracker: Tracker;
  hashUser: UserHasher;
  /**
   * The store's identity for other instances: the fingerprint of the salt its users are hashed with (the
   * same for every instance on one PostgreSQL store); null when no salt could be read (read-only).
   */
  storeId: string | null;
  rateLimiter: RateLimiter;
  sessions: SessionManager;
  reflections: ReflectionService;
  /** The anomaly use case, shared by the detect_anomalies tool and the scheduled detection. */
  anomalies: AnomalyService;
  /** Community baselines, shared by the baseline tools and the scheduled refresh. */
  baselines: BaselinesService;
  /** The skill report (tool, CLI, dashboard and Prometheus gauges). */
  skillReport: SkillReportService;
  version: string;
  now: () => number;
  /** The OTLP receiver's use case (Claude Code's own telemetry on /v1/logs and /v1/metrics). */
  otlp: OtlpIngest;
  /** Per-user access tokens (issued by `session-buddy token`). */
  userTokens: UserTokens;
  /** Who may use the HTTP server, and as whom (one policy for every route, /ws and the metrics port). */
  access: AccessPolicy;
  /** A new MCP server (all tools registered) for one client connection, answering as `caller` (default: the local admin). */
  createMcpServer(clientId: string, caller?: CallerIdentity): McpServer;
  /** Registers clean-up to run (in reverse order) on close. */
  onClose(fn: () => void | Promise<void>): void;
  close(): Promise<void>;
}

/** Opens the configured stores (SQLite or PostgreSQL), then builds the app on them. */
export async function openApp(config: Config, opts: Omit<AppOptions, 'stores'> = {}): Promise<App> {
  const stores = await openStores(config, { ...(opts.now ? { now: opts.now } : {}), ...(opts.readonly ? { readonly: true } : {}) });
  try {
    return createApp(config, { ...opts, stores });
  } catch (err) {
    await stores.close();
    throw err;
  }
}

/** A read-only app's user hasher, over the salt read (never created) for it; without one no user id can be hashed (it says so when asked). */
function readOnlyHasher(dataDir: string, salt: string | null): UserHasher {
  if (salt !== null) return createUserHasher(salt);
  return () => {
    throw new AppError('NOT_FOUND', `${path.join(dataDir, SALT_FILE)} is missing (and cannot be created here): user ids cannot be hashed`);
  };
}

/** Builds the app; synchronous for the default SQLite store (PostgreSQL: pass `opts.stores` or use openApp). */
export function createApp(config: Config, opts: AppOptions = {}): App {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const now = opts.now ?? Date.now;
  ensureDir(config.dataDir);
  if (!opts.stores && config.store.kind !== 'sqlite') {
    throw new AppError('INTERNAL', 'a PostgreSQL store must be opened before the app is built (use openApp)');
  }
  const stores =
    opts.stores ?? openSqliteStores(config.dbPath, { synchronous: config.sqliteSynchronous, now, readonly: opts.readonly ?? false, dataDir: config.dataDir });
  let hashUser: UserHasher;
  let storeId: string | null;
  try {
    const salt = stores.userSalt ?? (opts.readonly ? readSalt(config.dataDir) : loadOrCreateSalt(config.dataDir));
    storeId = salt === null ? null : saltFingerprint(salt);
    hashUser = opts.readonly ? readOnlyHasher(config.dataDir, salt) : createUserHasher(salt!);
  } catch (err) {
    void stores.close();
    throw err;
  }
  const store = stores.invocations;
  const bus = new EventBus((event, err) => logger.error('event listener failed', { event, err }));
  const tracker = new Tracker({
    store,
    hashUser,
    newId: createUlidFactory(),
    bus,
    maxMetadataBytes: config.maxMetadataBytes,
    backfillAfterMs: config.backfillAfterMs,
    now,
  });
  const rateLimiter = new RateLimiter(config.rateLimit, now);
  const embedder = new ReflectionEmbedder({
    store: stores.reflections,
    enabled: config.embeddings,
    backfill: opts.embedBackfill !== false && opts.readonly !== true,
    logger: logger.child({ component: 'embeddings' }),
  });
  const reflections = createReflectionService(stores.reflections, { embedder });
  const sessions = new SessionManager({
    dataDir: config.dataDir,
    logger: logger.child({ component: 'session' }),
    now,
    audit: config.dependencyAudit,
    compaction: { compactThresholdBytes: config.compactThresholdBytes },
    sessionSkillMetrics: stores.sessionSkillMetrics,
    memory: reflections,
    claudeConfigDirs: config.claudeConfigDirs,
    storageStats: stores.storageStats,
  });
  const insights = createInsightServices({
    stores,
    bus,
    logger: logger.child({ component: 'insights' }),
    communityMinUsers: config.communityMinUsers,
    now,
  });
  const anomalies = new AnomalyService({
    queries: stores.analyticsQueries,
    records: stores.analyticsRecords,
    bus,
    now,
  });
  const baselines = new BaselinesService({
    store: stores.analyticsQueries,
    records: stores.analyticsRecords,
    now,
    communityMinUsers: config.communityMinUsers,
  });
  const otlp = new OtlpIngest({
    tracker,
    invocations: stores.invocations,
    skillCosts: stores.skillCosts,
    hashUser,
    bus,
    maxBodyBytes: config.otlpMaxBodyBytes,
    telemetryUser: config.telemetryUser,
    now,
  });
  const skillReport = new SkillReportService({
    queries: stores.analyticsQueries,
    costs: stores.skillCosts,
    inventory: (projectDir) => readSkillInventory({ claudeDirs: config.claudeConfigDirs, projectDir, homeDir: config.homeDir }),
    now,
    communityMinUsers: config.communityMinUsers,
  });
  const userTokens = new UserTokens({ store: stores.apiTokens, hashUser, now });
  let installationToken: string | null = null;
  const access = new AccessPolicy({
    bindHost: config.host,
    // Read (or created) on first use: commands that never serve HTTP do not touch the token file.
    token: () => (installationToken ??= loadOrCreateToken(config.dataDir)),
    requireTokenOnLoopback: config.realtime.wsRequireToken,
    metricsPublic: config.metricsPublic,
    allowedOrigins: config.realtime.wsAllowedOrigins,
    userTokens: userTokens.verify,
  });
  const closers: (() => void | Promise<void>)[] = [() => embedder.close(), () => insights.dispose()];
  let closed = false;

  const app: App = {
    config,
    logger,
    bus,
    stores,
    store,
    tracker,
    hashUser,
    storeId,
    rateLimiter,
    sessions,
    reflections,
    anomalies,
    baselines,
    skillReport,
    version: VERSION,
    now,
    otlp,
    userTokens,
    access,
    createMcpServer(clientId, caller = LOCAL_ADMIN) {
      const deps: ToolDeps = {
        store,
        analyticsQueries: stores.analyticsQueries,
        analyticsRecords: stores.analyticsRecords,
        tracker,
        bus,
        logger,
        hashUser,
        rateLimiter,
        clientId,
        caller,
        now,
        sessions,
        reflections,
        anomalies,
        baselines,
        skillReport,
        insights,
      };
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
      await stores.close();
    },
  };
  return app;
}
