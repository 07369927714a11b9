import type { App } from '../app.js';
import { AppError } from '../errors.js';
import { errorResponse } from '../server/http-errors.js';
import { tokenPath } from '../server/access-token.js';
import type { HttpMount } from '../server/http-server.js';
import { createDashboardMount } from './dashboard-routes.js';
import { createSkillReportMount } from './skill-report-route.js';
import { MetricsExporter } from './metrics-exporter.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { resolveRealtimeOptions, type RealtimeOptions } from './options.js';
import { AnomalyFeed } from './anomaly-feed.js';
import { StoreFeed } from './store-feed.js';
import { WS_PATH, WsHub } from './ws-hub.js';

/** How far back stored anomalies are shown when the hub starts. */
const SEED_ANOMALIES_MS = 24 * 3600_000;

export interface Realtime {
  options: RealtimeOptions;
  mounts: HttpMount[];
  exporter: MetricsExporter | null;
  hub: WsHub | null;
  /** The dedicated metrics port server, when config.metricsPort is set and metrics are on. */
  metricsServer: MetricsServer | null;
  /** The live-stream token (null when the WebSocket is off). */
  token: string | null;
  /** Whether /ws demands the token. */
  tokenRequired: boolean;
  /** Stops everything (also done by the mounts' close when the HTTP server closes). */
  close(): Promise<void>;
}

export async function createRealtime(app: App, partial: Partial<RealtimeOptions> = {}): Promise<Realtime> {
  const options = resolveRealtimeOptions(partial);
  const { config, logger } = app;
  const closers: (() => void | Promise<void>)[] = [];
  const mounts: HttpMount[] = [];
  let exporter: MetricsExporter | null = null;
  let hub: WsHub | null = null;
  let metricsServer: MetricsServer | null = null;
  let token: string | null = null;
  let tokenRequired = false;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const fn of closers.reverse()) await fn();
  };

  try {
    if (options.metrics) {
      exporter = await MetricsExporter.create(
        { bus: app.bus, store: app.stores.analyticsQueries, costs: app.stores.skillCosts, now: app.now, logger, version: app.version },
        // On a shared store each instance counts from zero what it records (see MetricsExporter).
        { maxSkillLabels: options.maxSkillLabels, processMetrics: options.processMetrics, restoreTotals: app.stores.kind === 'sqlite' },
      );
      const exp = exporter;
      closers.push(() => exp.close());
      // Host, Origin and token checks happen in the HTTP server's access middleware.
      mounts.push({
        routes(hono) {
          hono.get('/metrics', async (c) => c.body(await exp.metrics(), 200, { 'Content-Type': exp.contentType, 'Cache-Control': 'no-store' }));
        },
      });
      if (config.metricsPort !== null) {
        metricsServer = await startMetricsServer(exp, config.host, config.metricsPort, logger, app.access);
        const ms = metricsServer;
        closers.push(() => ms.close());
        logger.info('prometheus metrics on dedicated port', { url: ms.url });
      }
    }

    if (options.ws) {
      // The app's policy; options may demand the token on loopback too (wsRequireToken).
      const access = options.wsRequireToken ? app.access.requiringToken() : app.access;
      token = access.installationToken();
      tokenRequired = access.tokenRequired('ws');
      const storeFeed =
        options.storeFeedMs > 0
          ? new StoreFeed({ bus: app.bus, store: app.store, logger, now: app.now }, { intervalMs: options.storeFeedMs, limit: options.maxEventsPerPush })
          : undefined;
      hub = new WsHub(
        {
          bus: app.bus,
          windows: app.stores.analyticsQueries,
          logger,
          now: app.now,
          version: app.version,
          metrics: exporter ?? undefined,
          storeFeed,
        },
        {
          access,
          maxClients: options.wsMaxClients,
          maxMessageBytes: options.wsMaxMessageBytes,
          heartbeatMs: options.heartbeatMs,
          snapshotIntervalMs: options.snapshotIntervalMs,
          eventFlushMs: options.eventFlushMs,
          maxEventsPerPush: options.maxEventsPerPush,
          topSkills: options.topSkills,
          windowHours: options.windowHours,
        },
      );
      const h = hub;
      closers.push(() => h.close());
      // The anomalies detected in the last day, also before a restart, are in the first snapshots.
      const seeded = await app.stores.analyticsRecords.recentAnomalies({ sinceMs: app.now() - SEED_ANOMALIES_MS, limit: 20 });
      h.seedAnomalies(seeded);
      // Anomalies other processes store from now on reach this bus even without (or during an outage of) the fan-out.
      if (options.anomalyFeedMs > 0) {
        const feed = new AnomalyFeed({ bus: app.bus, store: app.stores.analyticsRecords, logger, now: app.now }, options.anomalyFeedMs);
        feed.start(seeded);
        closers.push(() => feed.stop());
      }
      mounts.push({
        attach: (server) => h.attach(server),
        // A WebSocket upgrade never reaches these routes (the server's upgrade event takes it): a plain GET
        // gets 426 with how to connect, and another method 405 (the server's method check, from this route).
        routes(hono) {
          hono.get(WS_PATH, (c) => {
            // With how full it is: a browser refused an upgrade learns nothing, so the dashboard asks here why.
            const e = new AppError('UPGRADE_REQUIRED', `${WS_PATH} is a WebSocket endpoint: connect with a WebSocket client (GET with Upgrade: websocket)`, {
              clients: h.size,
              max_clients: options.wsMaxClients,
              token_required: tokenRequired,
            });
            return errorResponse(c, e, { Upgrade: 'websocket', Connection: 'Upgrade' });
          });
        },
      });
      if (tokenRequired) logger.info('live stream requires the access token', { tokenFile: tokenPath(config.dataDir) });
    }

    if (options.dashboard) {
      mounts.push(createDashboardMount(), createSkillReportMount(app));
      if (!options.ws) logger.warn('the dashboard is on but the WebSocket stream is off: the page will show no data');
    }
  } catch (err) {
    await close();
    throw err;
  }

  // One mount closes everything, after the others were attached.
  mounts.push({ close });
  return { options, mounts, exporter, hub, metricsServer, token, tokenRequired, close };
}

/** The HTTP mounts of the real-time components (see createRealtime). */
export async function createRealtimeMounts(app: App, options: Partial<RealtimeOptions> = {}): Promise<HttpMount[]> {
  return (await createRealtime(app, options)).mounts;
}
