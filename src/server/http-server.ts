/**
 * The HTTP server: /health, /mcp (Streamable HTTP), /api/invocations (bulk
 * ingest for hooks and scripts), /v1/logs and /v1/metrics (OTLP telemetry), plus whatever the mounted components add
 * (metrics, WebSocket, dashboard). Binds to loopback unless told otherwise.
 * A known path asked with a method it does not serve gets 405 with `Allow`
 * (http-methods.ts), an unknown path 404.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { App } from '../app.js';
import { AppError, toAppError } from '../errors.js';
import type { ConfiguredFanout } from '../fanout/configured-fanout.js';
import { ownUserHash, type CallerIdentity } from '../mcp/caller-identity.js';
import type { IncomingMessage } from 'node:http';
import { httpAccess } from './http-access.js';
import { McpSessions, type McpClient } from './mcp-sessions.js';
import { errorResponse } from './http-errors.js';
import { allowedMethodsOf, methodNotAllowed } from './http-methods.js';
import { otlpAccessRefusal, registerOtlpRoutes } from './http-otlp.js';
import { requestTooLargeResponse } from './request-size-limit.js';

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
/**
 * The most invocations one POST /api/invocations takes: the limit of track_skill_invocations
 * (src/mcp/tools/track-skill-invocations.ts; ingest-errors.test.ts holds the two answers equal).
 * The hook's recorder (capture/hook-runner.ts) splits larger deliveries to fit.
 */
const MAX_INGEST_BATCH = 1000;
/**
 * An oversize body is refused before it is read. Answered at once, with the rest unread, the
 * connection is lost with it: a client still sending gets EPIPE instead of the answer, and one that
 * keeps connections alive loses its next request on that socket ("other side closed"). So the rest is
 * read and discarded first, up to this many bytes, and the connection stays usable; a longer body is
 * answered at once and the connection closed (`Connection: close`).
 */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

/** Reads and discards the rest of an oversize body (see MAX_DISCARDED_BYTES); the headers of its 413. */
async function discardBody(c: { req: { raw: Request } }): Promise<Record<string, string>> {
  const body = c.req.raw.body;
  const declared = declaredBodyBytes(c.req.raw.headers);
  // A streamed body (no Content-Length) was being read by the limit itself: its reader is taken.
  if (!body || body.locked || declared === null || declared > MAX_DISCARDED_BYTES) return { Connection: 'close' };
  const reader = body.getReader();
  try {
    for (let read = 0; read <= MAX_DISCARDED_BYTES; ) {
      const { done, value } = await reader.read();
      if (done) return {};
      read += value.byteLength;
    }
  } catch {
    // the client went away
  }
  return { Connection: 'close' };
}

export function buildHttpApp(
  app: App,
  mcp: McpSessions,
  mounts: HttpMount[] = [],
  port: () => number | null = () => null,
  /** Whose state /health reports; default: none (events stay in this process). */
  fanout: ConfiguredFanout = { status: () => ({ kind: 'none', state: 'off' }) },
): Hono {
  const hono = new Hono();
  const allowed = allowedMethodsOf(hono);
  const started = Date.now();
  // The installation token file exists from start-up on, for clients to read.
  app.access.installationToken();
  hono.use('*', httpAccess(app.access, port, otlpAccessRefusal(app)));
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: async (c) => c.json({ error: { code: 'INVALID_INPUT', message: `request body exceeds ${MAX_BODY_BYTES} bytes` } }, 413, await discardBody(c)),
  });
  // An MCP client reads JSON-RPC: the same limit, answered with a JSON-RPC error (id null: the request was not read).
  const mcpLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: async (c) => c.json(requestTooLargeResponse(null, declaredBodyBytes(c.req.raw.headers), MAX_BODY_BYTES, 'HTTP'), 413, await discardBody(c)),
  });

  hono.get('/health', async (c) => {
    const fanoutStatus = fanout.status();
    let schemaVersion: number | null = null;
    let storeError: AppError | null = null;
    try {
      schemaVersion = await app.stores.schemaVersion();
    } catch (err) {
      storeError = toAppError(err);
    }
    const body = {
      // `degraded` (still 200: this instance serves and records) while the Redis fan-out is down: other
      // instances' live events reach it by store polling meanwhile, and its own reach them the same way.
      // `unavailable` (503) while the store cannot answer: nothing can be recorded or read meanwhile.
      status: storeError ? 'unavailable' : fanoutStatus.kind === 'redis' && fanoutStatus.state !== 'connected' ? 'degraded' : 'ok',
      service: 'session-buddy',
      version: app.version,
      uptime_s: Math.round((Date.now() - started) / 1000),
      mcp_sessions: mcp.size,
      store: app.stores.kind,
      schema_version: schemaVersion,
      ...(storeError ? { store_error: storeError.toJSON() } : {}),
      fanout: fanoutStatus,
    };
    return c.json(body, storeError ? 503 : 200);
  });

  hono.all('/mcp', mcpLimit, (c) => {
    const caller = c.get('caller');
    // Per-user tokens count per token; everyone else per remote address.
    const remote = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress ?? 'unknown';
    const client: McpClient = { caller, clientKey: caller.role === 'user' || caller.userHash !== null ? caller.key : `addr:${remote}` };
    return mcp.handle(c.req.raw, client);
  });

  hono.post('/api/invocations', limit, async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: { code: 'INVALID_INPUT', message: 'body is not valid JSON' } }, 400);
    }
    try {
      const items = Array.isArray(body) ? body : [body];
      if (items.length === 0) throw AppError.invalid('invocations', 'must hold at least 1 item');
      if (items.length > MAX_INGEST_BATCH) throw AppError.invalid('invocations', `must hold at most ${MAX_INGEST_BATCH} items`);
      assertOwnInvocations(c.get('caller'), app, items);
      const result = await app.tracker.trackBatch(items);
      return c.json({ inserted: result.inserted, duplicates: result.duplicates, ids: result.ids });
    } catch (err) {
      const e = toAppError(err);
      if (e.code === 'INTERNAL' || e.code === 'DISK_FULL') app.logger.error('ingest failed', { path: c.req.path, code: e.code, err });
      return errorResponse(c, e);
    }
  });

  registerOtlpRoutes(hono, app, app.config.otlpMaxBodyBytes, allowed);

  for (const m of mounts) m.routes?.(hono);
  // Also where a handler finds nothing (c.notFound()): 405 only when the method is not one the path serves.
  hono.notFound((c) => {
    const allow = allowed(c.req.path);
    if (allow.length > 0 && !allow.includes(c.req.method)) {
      return errorResponse(c, methodNotAllowed(c.req.method, c.req.path, allow), { Allow: allow.join(', ') });
    }
    return c.json({ error: { code: 'NOT_FOUND', message: `no route for ${c.req.method} ${c.req.path}` } }, 404);
  });
  hono.onError((err, c) => {
    const e = toAppError(err);
    if (e.code === 'INTERNAL') app.logger.error('request failed', { path: c.req.path, err });
    return errorResponse(c, e);
  });
  return hono;
}

/** The size a request declares (Content-Length without Transfer-Encoding, as bodyLimit reads it); null when it streams. */
function declaredBodyBytes(headers: Headers): number | null {
  const length = headers.get('content-length');
  return length !== null && !headers.has('transfer-encoding') && /^\d+$/.test(length) ? Number(length) : null;
}

/** A per-user token records invocations of its own user only (nothing is written otherwise). */
function assertOwnInvocations(caller: CallerIdentity, app: App, items: unknown[]): void {
  items.forEach((item, i) => {
    const userId = (item as { user_id?: unknown } | null)?.user_id;
    if (typeof userId === 'string') ownUserHash(caller, app.hashUser, userId.trim(), `invocations.${i}.user_id`);
  });
}

/** `opts.fanout`: the fan-out started for the app (fanout/configured-fanout.ts), whose state /health reports; default none. */
export async function startHttpServer(app: App, mounts: HttpMount[] = [], opts: { fanout?: ConfiguredFanout } = {}): Promise<RunningHttpServer> {
  const { host, port } = app.config;
  const mcp = new McpSessions({
    createServer: (sessionId, caller) => app.createMcpServer(`http:${sessionId}`, caller),
    logger: app.logger,
    idleTimeoutMs: app.config.mcpSessions.idleMs,
    maxSessions: app.config.mcpSessions.maxSessions,
    maxSessionsPerClient: app.config.mcpSessions.maxPerClient,
    creationRate: app.config.mcpSessions.creationRate,
    onSessionClosed: (sessionId) => app.rateLimiter.forget(`http:${sessionId}`),
  });
  let listeningPort: number | null = null;
  const hono = buildHttpApp(app, mcp, mounts, () => listeningPort, opts.fanout);

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: hono.fetch, hostname: host, port }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE' ? new AppError('CONFLICT', `port ${port} on ${host} is already in use (is another session-buddy running? try --port)`) : err,
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
