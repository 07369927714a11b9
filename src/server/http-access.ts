/**
 * The access middleware of every HTTP route (the WebSocket upgrade and the
 * dedicated metrics port apply the same AccessPolicy themselves). /health
 * needs no token (a token sent with it is not even looked at) and the
 * dashboard's static files need none either; the Host and Origin checks apply
 * to both, as everywhere (a DNS-rebound page reads nothing, /health included).
 * The caller identity the policy establishes is left in the context (`caller`) for /mcp.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { CallerIdentity } from '../mcp/caller-identity.js';
import type { AccessDecision, AccessPolicy, AccessRoute } from './access-policy.js';

/** Served without a token (the Host and Origin checks still apply). */
const TOKENLESS_PATHS = new Set(['/health']);

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by httpAccess on every route but /health. */
    caller: CallerIdentity;
  }
}

/** The dashboard's static files are `page`s: a browser loads them without a token (see AccessRoute). */
function routeOf(method: string, path: string): AccessRoute {
  if (path === '/metrics') return 'metrics';
  if ((method === 'GET' || method === 'HEAD') && (path === '/' || path.startsWith('/dashboard/'))) return 'page';
  return 'http';
}

/** The WWW-Authenticate challenge a 401 carries. */
export const BEARER_CHALLENGE = 'Bearer realm="session-buddy"';

/**
 * A route family's own answer to a refused request (the OTLP receiver answers
 * with a google.rpc.Status); null: the default JSON `{"error": ...}`.
 */
export type AccessRefusal = (c: Context, status: 401 | 403, reason: string) => Response | null;

export function httpAccess(policy: AccessPolicy, port: () => number | null, refusal: AccessRefusal = () => null): MiddlewareHandler {
  return async (c, next) => {
    const path = c.req.path;
    const headers: IncomingHttpHeaders = {
      host: c.req.header('host'),
      origin: c.req.header('origin'),
      authorization: c.req.header('authorization'),
    };
    if (TOKENLESS_PATHS.has(path)) {
      const refused = policy.refusedSource(port(), headers);
      return refused ? refuse(c, refused, refusal) : next();
    }
    const decision = await policy.check(routeOf(c.req.method, path), port(), headers, new URL(c.req.url));
    if (!decision.ok) return refuse(c, decision, refusal);
    c.set('caller', decision.caller);
    return next();
  };
}

/** The answer to a refused request: the route family's own, else `{"error": {code, message}}` (401 with the challenge). */
function refuse(c: Context, decision: AccessDecision & { ok: false }, refusal: AccessRefusal): Response {
  return (
    refusal(c, decision.status, decision.reason) ??
    c.json({ error: { code: decision.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: decision.reason } }, decision.status, {
      ...(decision.status === 401 ? { 'WWW-Authenticate': BEARER_CHALLENGE } : {}),
    })
  );
}
