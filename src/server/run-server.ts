/**
 * Runs the server in the foreground until SIGINT/SIGTERM, then shuts down
 * cleanly (open MCP sessions closed, database checkpointed and closed).
 */
import type { App } from '../app.js';
import { startSpoolDrainer } from '../capture/spool-drainer.js';
import { startHttpServer, type RunningHttpServer } from './http-server.js';
import { defaultMounts } from './mounts.js';

export async function runServer(app: App, onListening?: (s: RunningHttpServer) => void): Promise<void> {
  const mounts = await defaultMounts(app);
  const running = await startHttpServer(app, mounts);
  app.onClose(() => running.close());
  // Invocations captured by hooks while the server was down are ingested (exactly once) from the spool.
  const drainer = startSpoolDrainer({ dataDir: app.config.dataDir, record: (inputs) => app.tracker.trackBatch(inputs), logger: app.logger });
  app.onClose(() => drainer.stop());
  app.logger.info('session-buddy listening', { url: running.url, mcp: `${running.url}/mcp`, dataDir: app.config.dataDir });
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
