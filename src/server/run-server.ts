/**
 * Runs the server in the foreground until SIGINT/SIGTERM, then shuts down
 * cleanly (open MCP sessions closed, fan-out stopped, stores closed).
 * With config.pubsub set, live events are fanned out over Redis first, so
 * that this instance's WebSocket clients also see what other instances record.
 */
import type { App } from '../app.js';
import { startSpoolDrainer } from '../capture/spool-drainer.js';
import { toAppError } from '../errors.js';
import { type ConfiguredFanout, startConfiguredFanout } from '../fanout/configured-fanout.js';
import { type HttpMount, startHttpServer, type RunningHttpServer } from './http-server.js';
import { defaultMounts } from './mounts.js';
import { startScheduledWork } from './scheduled-work.js';

export async function runServer(app: App, onListening?: (s: RunningHttpServer) => void): Promise<void> {
  let running: RunningHttpServer;
  let fanout: ConfiguredFanout;
  try {
    fanout = await startConfiguredFanout(app);
  } catch (err) {
    await app.close();
    throw err;
  }
  let mounts: HttpMount[] = [];
  try {
    // The listening sockets (the dedicated metrics port first, then HTTP): a host that does not
    // resolve or is not this machine's, or a port it may not bind, is the configuration's fault.
    mounts = await defaultMounts(app);
    running = await startHttpServer(app, mounts, { fanout });
  } catch (err) {
    // A metrics port already bound would keep the process alive.
    for (const m of mounts) {
      try {
        await m.close?.();
      } catch {
        // the bind error is the one to report
      }
    }
    await app.close();
    const { host, port, metricsPort } = app.config;
    throw toAppError(err, { bind: { host, ports: { port, 'metrics-port': metricsPort } } });
  }
  app.onClose(() => running.close());
  // Invocations captured by hooks while the server was down are ingested (exactly once) from the spool.
  const drainer = startSpoolDrainer({ dataDir: app.config.dataDir, record: (inputs) => app.tracker.trackBatch(inputs), logger: app.logger });
  app.onClose(() => drainer.stop());
  // A hook whose POST timed out spooled its call: a checkpoint or end records it before counting.
  app.sessions.setPendingInvocations(() => drainer.flush());
  // Anomaly detection and the baseline refresh run on their own (config.detection, config.baselinesRefreshMs).
  const scheduled = startScheduledWork(app);
  app.onClose(() => scheduled.stop());
  app.logger.info('session-buddy listening', { url: running.url, mcp: `${running.url}/mcp`, dataDir: app.config.dataDir, store: app.stores.kind });
  onListening?.(running);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      app.logger.info('shutting down', { signal });
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve();
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  await app.close();
}
