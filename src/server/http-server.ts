/**
 * The HTTP server: /health, /mcp (Streamable HTTP), /api/invocations (bulk
 * ingest for hooks and scripts), plus whatever the mounted components add
 * (metrics, WebSocket, dashboard). Binds to loopback unless told otherwise.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { App } from '../app.js';
import { toAppError } from '../errors.js';
import { McpSessions } from './mcp-sessions.js';
import { loadOrCreateToken } from '../realtime/auth-token.js';
import { httpAccess } from './http-access.js';
import { httpStatusOf } from './http-errors.js';

/** A component that adds routes or attaches to the raw node server (WebSocket upgrades). */
export interface HttpMount {
  routes?(hono: Hono): void;
  attach?(server: Server): void;
  close?(): void | Promise<void>;
}

export interface RunningHttpServer {
  port: number;
  host: string;
  url: string;
  server: Server;
  mcp: McpSessions;
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

export function buildHttpApp(app: App, mcp: McpSessions, mounts: HttpMount[] = [], port: () => number | null = () => null): Hono {
  const hono = new Hono();
  const started = Date.now();
  hono.use(
    '*',
    httpAccess({
      bindHost: app.config.host,
      port,
      token: loadOrCreateToken(app.config.dataDir),
      requireTokenOnLoopback: app.config.realtime.wsRequireToken,
      metricsPublic: app.config.metricsPublic,
      allowedOrigins: app.config.realtime.wsAllowedOrigins,
      isLoopback,
    }),
  );
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: { code: 'INVALID_INPUT', message: `request body exceeds ${MAX_BODY_BYTES} bytes` } }, 413),
  });

  hono.get('/health', async (c) =>
    c.json({
      status: 'ok',
      service: 'session-buddy',
      version: app.version,
      uptime_s: Math.round((Date.now() - started) / 1000),
      mcp_sessions: mcp.size,
      store: app.stores.kind,
      schema_version: await app.stores.schemaVersion(),
    }),
  );

  hono.all('/mcp', limit, (c) => mcp.handle(c.req.raw));

  hono.post('/api/invocations', limit, async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: { code: 'INVALID_INPUT', message: 'body is not valid JSON' } }, 400);
    }
    try {
      const items = Array.isArray(body) ? body : [body];
      const result = await app.tracker.trackBatch(items);
      return c.json({ inserted: result.inserted, duplicates: result.duplicates, ids: result.ids });
    } catch (err) {
      const e = toAppError(err);
      if (e.code === 'INTERNAL' || e.code === 'DISK_FULL') app.logger.error('ingest failed', { path: c.req.path, code: e.code, err });
      return c.json({ error: e.toJSON() }, httpStatusOf(e.code));
    }
  });

  for (const m of mounts) m.routes?.(hono);
  hono.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route for ${c.req.method} ${c.req.path}` } }, 404));
  hono.onError((err, c) => {
    const e = toAppError(err);
    if (e.code === 'INTERNAL') app.logger.error('request failed', { path: c.req.path, err });
    return c.json({ error: e.toJSON() }, httpStatusOf(e.code));
  });
  return hono;
}

export async function startHttpServer(app: App, mounts: HttpMount[] = []): Promise<RunningHttpServer> {
  const { host, port } = app.config;
  const mcp = new McpSessions({
    createServer: (sessionId) => app.createMcpServer(`http:${sessionId}`),
    logger: app.logger,
    onSessionClosed: (sessionId) => app.rateLimiter.forget(`http:${sessionId}`),
  });
  let listeningPort: number | null = null;
  const hono = buildHttpApp(app, mcp, mounts, () => listeningPort);

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: hono.fetch, hostname: host, port }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? toAppError(new Error(`port ${port} on ${host} is already in use (is another session-buddy running? try --port)`))
          : err,
      );
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  listeningPort = actualPort;
  for (const m of mounts) m.attach?.(server);

  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    port: actualPort,
    host,
    url: `http://${urlHost}:${actualPort}`,
    server,
    mcp,
    async close() {
      await mcp.closeAll();
      for (const m of mounts) await m.close?.();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}
