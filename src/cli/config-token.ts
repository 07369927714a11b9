/**
 * Whether the configuration mcp-config and otel-config print for Claude Code carries the
 * installation token: it must when the server it talks to demands it, or every request gets 401.
 */
import type { Config } from '../config.js';
import { ENV, isLoopback } from '../config.js';
import { AccessPolicy } from '../server/access-policy.js';
import { loadOrCreateToken } from '../server/access-token.js';
import type { PidInfo } from './pidfile.js';

export interface ConfigToken {
  /** The installation token to send, or null. */
  token: string | null;
  /** Why the token is sent although the running server does not demand it, or null. */
  note: string | null;
  /**
   * Why the token is sent (null when it is not): `server`, the running server recorded that it demands it;
   * `bind`, the server's bind host is not loopback (a server there demands it); `setting`, this shell's
   * SESSION_BUDDY_WS_REQUIRE_TOKEN=1; `asked`, the caller asked for it (`always`).
   */
  because: 'server' | 'bind' | 'setting' | 'asked' | null;
}

/**
 * The token, when the running server recorded that it demands it (a loopback server started with
 * --ws-require-token: no variable of this shell says so), or when this shell's settings demand it
 * (a non-loopback `bindHost`, SESSION_BUDDY_WS_REQUIRE_TOKEN=1), or with `always`. A token the
 * server does not demand is still accepted, so the shell's settings add it rather than being
 * overruled; the note says so. Where no server runs (or its pid file predates the record), the
 * shell's settings alone decide, as for a server started with them.
 */
export function configToken(config: Config, server: PidInfo | null, bindHost: string, always = false): ConfigToken {
  const shell = new AccessPolicy({
    bindHost,
    token: () => loadOrCreateToken(config.dataDir),
    requireTokenOnLoopback: config.realtime.wsRequireToken,
    metricsPublic: config.metricsPublic,
    allowedOrigins: [],
  });
  const serverDemands = server?.tokenRequired === true;
  const shellDemands = shell.tokenRequired('http');
  if (!always && !serverDemands && !shellDemands) return { token: null, note: null, because: null };
  const note =
    !always && server?.tokenRequired === false && shellDemands
      ? `the token is included because ${ENV.wsRequireToken}=1 here; the running server (pid ${server.pid}) was started without it and does not demand the token, but accepts it`
      : null;
  const because = serverDemands ? 'server' : !isLoopback(bindHost) ? 'bind' : shellDemands ? 'setting' : 'asked';
  return { token: shell.installationToken(), note, because };
}
