/**
 * The HTTP components mounted next to /health and /mcp.
 */
import type { App } from '../app.js';
import { createRealtimeMounts } from '../realtime/realtime-mounts.js';
import type { HttpMount } from './http-server.js';

export async function defaultMounts(app: App): Promise<HttpMount[]> {
  // Prometheus /metrics (+ dedicated port), the /ws live stream and the dashboard at /.
  return createRealtimeMounts(app, app.config.realtime);
}
