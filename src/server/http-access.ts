/**
 * Access control for every HTTP route (the WebSocket upgrade applies the same
 * policy in the hub): Host validation against DNS rebinding on loopback
 * binds, Origin validation against cross-site requests, and the bearer token,
 * which is required on any non-loopback bind and checked whenever presented.
 * /health stays open (it reveals nothing); /metrics can be opened explicitly
 * for a Prometheus that cannot send a token.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { checkAccess } from '../realtime/access.js';

export interface HttpAccessOptions {
  bindHost: string;
  /** The listening port, once known (Host checks need it). */
  port(): number | null;
  token: string;
  /** Require the token even on a loopback bind. */
  requireTokenOnLoopback: boolean;
  /** Serve /metrics without a token on non-loopback binds. */
  metricsPublic: boolean;
  allowedOrigins: readonly string[];
  isLoopback(host: string): boolean;
}

const OPEN_PATHS = new Set(['/health']);

export function httpAccess(opts: HttpAccessOptions): MiddlewareHandler {
  return async (c, next) => {
    const path = c.req.path;
    if (OPEN_PATHS.has(path)) return next();
    const headers: IncomingHttpHeaders = {
      host: c.req.header('host'),
      origin: c.req.header('origin'),
      authorization: c.req.header('authorization'),
    };
    const needsToken =
      (!opts.isLoopback(opts.bindHost) || opts.requireTokenOnLoopback) && !(path === '/metrics' && opts.metricsPublic);
    const decision = checkAccess(
      { bindHost: opts.bindHost, requireToken: needsToken, token: opts.token, allowedOrigins: opts.allowedOrigins },
      opts.port(),
      headers,
      new URL(c.req.url),
    );
    if (!decision.ok) {
      return c.json({ error: { code: decision.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: decision.reason } }, decision.status, {
        ...(decision.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="session-buddy"' } : {}),
      });
    }
    return next();
  };
}
