/**
 * Who may open the live stream (and read /metrics): Host, Origin and token
 * checks on an incoming HTTP request.
 *
 * - Host: on a loopback bind only loopback Host headers are accepted
 *   (127.0.0.1, localhost, [::1] with the listening port), which defeats DNS
 *   rebinding from a web page.
 * - Origin: browsers send one; it must be the page's own origin (same host
 *   and port as the Host header) or one of the configured extra origins.
 *   Requests without Origin (scripts, CLIs) pass this check.
 * - Token: `Authorization: Bearer <token>` or `?token=<token>`. Required when
 *   `requireToken`; a token that is presented must be right either way.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopback } from '../server/http-server.js';
import { tokenMatches } from './auth-token.js';

export interface AccessPolicy {
  /** The interface the server is bound to. */
  bindHost: string;
  requireToken: boolean;
  token: string | null;
  allowedOrigins: readonly string[];
}

export type AccessDecision = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** Loopback Host header values for a port. */
export function loopbackHostHeaders(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

/** True when the Host header is acceptable for a server bound to `bindHost` listening on `port`. */
export function hostAllowed(bindHost: string, port: number | null, host: string | undefined): boolean {
  if (!isLoopback(bindHost) || port === null) return true;
  return host !== undefined && loopbackHostHeaders(port).includes(host.toLowerCase());
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

/** The token presented with the request, or null. */
export function presentedToken(headers: IncomingHttpHeaders, url: URL): string | null {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1]! : '';
  }
  return url.searchParams.get('token');
}

export function checkAccess(policy: AccessPolicy, port: number | null, headers: IncomingHttpHeaders, url: URL): AccessDecision {
  if (!hostAllowed(policy.bindHost, port, headers.host)) {
    return { ok: false, status: 403, reason: 'Host header not allowed on a loopback bind' };
  }
  const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
  if (!originAllowed(origin, headers.host, policy.allowedOrigins)) {
    return { ok: false, status: 403, reason: 'Origin not allowed' };
  }
  const presented = presentedToken(headers, url);
  if (presented !== null) {
    if (policy.token === null || !tokenMatches(policy.token, presented)) return { ok: false, status: 401, reason: 'invalid token' };
  } else if (policy.requireToken) {
    return { ok: false, status: 401, reason: 'token required' };
  }
  return { ok: true };
}
