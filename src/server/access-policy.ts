/**
 * Who may use the server over HTTP: one policy for every route (/mcp, /api,
 * the dashboard, /metrics on either port, the /ws upgrade), built once by the
 * composition root.
 *
 * - Host: on a loopback bind only loopback Host headers are accepted
 *   (127.0.0.1, localhost, [::1] with the listening port), which defeats DNS
 *   rebinding from a web page.
 * - Origin: browsers send one; it must be the page's own origin (same host
 *   and port as the Host header) or one of the configured extra origins.
 *   Requests without Origin (scripts, CLIs) pass this check.
 * - Token (the one rule): required on a non-loopback bind, and on loopback
 *   too with `requireTokenOnLoopback`; /metrics is exempt when made public,
 *   the dashboard's static files always (they hold no data).
 *   A token that is presented must be right either way. It is read from
 *   `Authorization: Bearer <token>`; `?token=<token>` is accepted on /ws only,
 *   where browsers cannot set headers.
 * - Identity: the installation token (and a caller that needs none, on
 *   loopback) is the admin; a per-user token (server/user-tokens.ts) is that
 *   user, answered about itself only; it is refused /metrics (403), which
 *   gives figures across all users, unless /metrics is public.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { LOCAL_ADMIN, type CallerIdentity } from '../mcp/caller-identity.js';
import { isLoopback } from '../config.js';
import { tokenMatches } from './access-token.js';

/**
 * What a request is for: the token rule and the query-token exception depend on it.
 * `page`: the dashboard's static files (the same for everyone, no data: what the page
 * shows comes over /ws, which needs the token), so a browser can load them.
 */
export type AccessRoute = 'http' | 'metrics' | 'ws' | 'page';

/** Resolves a presented per-user token to its identity; null when it is unknown or revoked. */
type UserTokenVerifier = (token: string) => Promise<CallerIdentity | null>;

export interface AccessPolicyOptions {
  /** The interface the server is bound to. */
  bindHost: string;
  /** The installation token (`<data dir>/token`), read on first use. */
  token: () => string;
  /** Require the token on a loopback bind too. */
  requireTokenOnLoopback: boolean;
  /** Serve /metrics without a token on non-loopback binds. */
  metricsPublic: boolean;
  allowedOrigins: readonly string[];
  userTokens?: UserTokenVerifier;
}

export type AccessDecision = { ok: true; caller: CallerIdentity } | { ok: false; status: 401 | 403; reason: string };

/** The installation token's identity: the admin, bound to no user. */
export const INSTALLATION_ADMIN: CallerIdentity = Object.freeze({ role: 'admin', userHash: null, key: 'installation' });

/** Loopback Host header values for a port: the usual loopback names, and the bound address itself (127.0.0.2, say). */
function loopbackHostHeaders(bindHost: string, port: number): string[] {
  const bare = bindHost.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const own = bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, own];
}

/** True when the Host header is acceptable for a server bound to `bindHost` listening on `port`. */
export function hostAllowed(bindHost: string, port: number | null, host: string | undefined): boolean {
  if (!isLoopback(bindHost) || port === null) return true;
  return host !== undefined && loopbackHostHeaders(bindHost, port).includes(host.toLowerCase());
}

export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && host !== undefined && parsed.host === host.toLowerCase();
}

/** The token presented with the request, or null; the query parameter counts only with `allowQuery` (/ws). */
export function presentedToken(headers: IncomingHttpHeaders, url: URL, allowQuery = false): string | null {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1]! : '';
  }
  return allowQuery ? url.searchParams.get('token') : null;
}

export class AccessPolicy {
  private readonly loopbackBind: boolean;

  constructor(readonly opts: AccessPolicyOptions) {
    this.loopbackBind = isLoopback(opts.bindHost);
  }

  /** The same policy, demanding the token on loopback too. */
  requiringToken(): AccessPolicy {
    return this.opts.requireTokenOnLoopback ? this : new AccessPolicy({ ...this.opts, requireTokenOnLoopback: true });
  }

  /** The one token rule. */
  tokenRequired(route: AccessRoute): boolean {
    if (route === 'page' || (route === 'metrics' && this.opts.metricsPublic)) return false;
    return !this.loopbackBind || this.opts.requireTokenOnLoopback;
  }

  /** The installation token (created on first use). */
  installationToken(): string {
    return this.opts.token();
  }

  /**
   * The Host and Origin checks alone: the refusal, or null when they pass. Every route passes them,
   * /health too (it needs no token, but a rebound page must not read it either).
   */
  refusedSource(port: number | null, headers: IncomingHttpHeaders): (AccessDecision & { ok: false }) | null {
    if (!hostAllowed(this.opts.bindHost, port, headers.host)) {
      return { ok: false, status: 403, reason: 'Host header not allowed on a loopback bind' };
    }
    const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
    if (!originAllowed(origin, headers.host, this.opts.allowedOrigins)) {
      return { ok: false, status: 403, reason: 'Origin not allowed' };
    }
    return null;
  }

  async check(route: AccessRoute, port: number | null, headers: IncomingHttpHeaders, url: URL): Promise<AccessDecision> {
    const refused = this.refusedSource(port, headers);
    if (refused) return refused;
    const presented = presentedToken(headers, url, route === 'ws');
    if (presented === null) {
      return this.tokenRequired(route) ? { ok: false, status: 401, reason: 'token required' } : { ok: true, caller: LOCAL_ADMIN };
    }
    const caller = await this.identify(presented);
    if (!caller) return { ok: false, status: 401, reason: 'invalid or revoked token' };
    // /metrics gives every skill's figures across all users (however few used it), for Prometheus: an admin's
    // view, which a per-user token, answered about itself only, does not get (unless --metrics-public opens it).
    if (route === 'metrics' && caller.role !== 'admin' && !this.opts.metricsPublic) {
      return { ok: false, status: 403, reason: '/metrics is served to the installation token or an admin token, not a per-user token' };
    }
    return { ok: true, caller };
  }

  private async identify(presented: string): Promise<CallerIdentity | null> {
    if (presented === '') return null;
    if (tokenMatches(this.opts.token(), presented)) return INSTALLATION_ADMIN;
    return (await this.opts.userTokens?.(presented)) ?? null;
  }
}
