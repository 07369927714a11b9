/**
 * The HTTP methods each path is served with, read from the routes registered
 * on the app (those of the mounts included), so that a known path asked with
 * another method is answered 405 with `Allow` (RFC 9110 §15.5.6) in one place
 * for every route, and an unknown path 404. GET serves HEAD too, as hono does.
 * Routes registered for every method (the access middleware, /mcp, the OTLP
 * catch-all) say nothing about methods and are left out.
 */
import type { Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { AppError } from '../errors.js';

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The methods `path` is served with, in a fixed order; empty for a path no route serves. */
export type AllowedMethods = (path: string) => string[];

/**
 * Reads `hono.routes` on its first call, once every route is registered
 * (buildHttpApp answers no request before it has mounted everything).
 */
export function allowedMethodsOf(hono: Hono): AllowedMethods {
  let router: TrieRouter<string> | null = null;
  const build = () => {
    const r = new TrieRouter<string>();
    // Every route under one method, with its own method as the handler: one match lists them all.
    for (const route of hono.routes) if (route.method !== 'ALL') r.add('ALL', route.path, route.method);
    return r;
  };
  return (path) => {
    router ??= build();
    const served = new Set(router.match('GET', path)[0].map(([method]) => method));
    if (served.has('GET')) served.add('HEAD');
    const rank = (m: string) => (METHOD_ORDER.includes(m) ? METHOD_ORDER.indexOf(m) : METHOD_ORDER.length);
    return [...served].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  };
}

/** The error for `method` on a path served with `allow` only (see http-errors.ts for its status). */
export function methodNotAllowed(method: string, path: string, allow: readonly string[]): AppError {
  return new AppError('METHOD_NOT_ALLOWED', `${method} is not served on ${path}; it serves ${allow.join(', ')}`, { allow: [...allow] });
}
