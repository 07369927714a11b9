/**
 * Streamable HTTP sessions: one McpServer + transport per MCP session id,
 * created on `initialize`, removed on DELETE, transport close or idleness.
 *
 * Nobody can lock others out by opening sessions and never closing them:
 * - a session with no request for `idleTimeoutMs` is closed (default 10 min);
 * - each client (its credential, or its remote address) holds at most
 *   `maxSessionsPerClient`: one more closes that client's own least recently
 *   used idle session;
 * - at `maxSessions` the least recently used idle session (of anyone) is
 *   closed to make room; only when every session is busy with a request is a
 *   new client refused (503);
 * - each client opens sessions at a limited rate (`creationRate`, a token
 *   bucket: default bursts of 30, then 5 per second); beyond it `initialize`
 *   gets HTTP 429 with Retry-After, which costs the server next to nothing
 *   (building a session's server with every tool is the expensive part).
 * A session is bound to the credential that opened it: a request carrying
 * another credential gets "session not found".
 */
import crypto from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, InitializeRequestSchema, isInitializeRequest, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RateLimitConfig } from '../config.js';
import { toAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { LOCAL_ADMIN, type CallerIdentity } from '../mcp/caller-identity.js';
import { checkJsonRpcBody, type JsonRpcErrorResponse, jsonRpcErrorOf } from '../mcp/jsonrpc-errors.js';
import { RateLimiter } from '../mcp/rate-limiter.js';
import { invalidInputOf } from '../validation.js';
import { JsonResponseTransport } from './json-response-transport.js';

interface Session {
  server: McpServer;
  transport: JsonResponseTransport;
  lastSeen: number;
  inFlight: number;
  clientKey: string;
  callerKey: string;
}

/** Who sends a request: the caller identity and the key its per-client session limit counts under. */
export interface McpClient {
  caller: CallerIdentity;
  /** The per-client key: the credential for per-user tokens, else the remote address. */
  clientKey: string;
}

export interface McpSessionsOptions {
  createServer: (sessionId: string, caller: CallerIdentity) => McpServer;
  logger: Logger;
  idleTimeoutMs?: number;
  maxSessions?: number;
  maxSessionsPerClient?: number;
  /** Session creation per client (default 30 in a burst, then 5 per second). */
  creationRate?: RateLimitConfig;
  onSessionClosed?: (sessionId: string) => void;
  now?: () => number;
}

const DEFAULT_MCP_IDLE_MS = 10 * 60_000;
const LOCAL_CLIENT: McpClient = { caller: LOCAL_ADMIN, clientKey: 'local' };

function jsonRpcError(status: number, code: number, message: string): Response {
  return jsonRpcAnswer(status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

function jsonRpcAnswer(status: number, body: JsonRpcErrorResponse): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * A POST body read and checked here, before the SDK's transport: it answers a body that is JSON
 * but no valid JSON-RPC -32700 "Invalid JSON-RPC message" under id null; here it gets -32600 or
 * -32602 naming the field, under the message's id (jsonrpc-errors.ts). 400 either way.
 */
async function readBody(req: Request): Promise<{ body: unknown } | { refused: Response }> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    return { refused: jsonRpcError(400, -32700, 'Parse error: body is not valid JSON') };
  }
  const invalid = checkJsonRpcBody(body);
  return invalid ? { refused: jsonRpcAnswer(400, invalid) } : { body };
}

export class McpSessions {
  /** In least-recently-used order: every request moves its session to the end. */
  private readonly sessions = new Map<string, Session>();
  private readonly perClient = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly creations: RateLimiter;
  /** Sessions closed to make room (per-client or global cap) since start. */
  evicted = 0;

  constructor(private readonly opts: McpSessionsOptions) {
    this.idleMs = opts.idleTimeoutMs ?? DEFAULT_MCP_IDLE_MS;
    this.now = opts.now ?? Date.now;
    this.creations = new RateLimiter(opts.creationRate ?? { capacity: 30, refillPerSecond: 5 }, this.now);
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, Math.min(this.idleMs, 60_000)));
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Per-request stream entries the transports hold (0 between requests; see json-response-transport.ts); null when the SDK no longer has them. */
  pendingStreamEntries(): number | null {
    let n = 0;
    for (const s of this.sessions.values()) {
      const k = s.transport.pendingStreamEntries();
      if (k === null) return null;
      n += k;
    }
    return n;
  }

  async handle(req: Request, client: McpClient = LOCAL_CLIENT): Promise<Response> {
    const sid = req.headers.get('mcp-session-id');
    if (sid) {
      const session = this.sessions.get(sid);
      if (!session || session.callerKey !== client.caller.key) {
        return jsonRpcError(404, -32001, 'Session not found: it expired or was closed; initialize a new one');
      }
      return this.forward(sid, session, req);
    }
    if (req.method !== 'POST') return jsonRpcError(400, -32000, 'Bad Request: no valid session ID provided');
    const read = await readBody(req);
    if ('refused' in read) return read.refused;
    const { body } = read;
    const initializes = Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body);
    if (!initializes) {
      // An `initialize` whose params are wrong: the params are the fault, not a missing session.
      const request = body as Partial<JSONRPCRequest>;
      const init = request.method === 'initialize' ? InitializeRequestSchema.safeParse(body) : undefined;
      if (init?.error) {
        return jsonRpcAnswer(400, { jsonrpc: '2.0', id: request.id ?? null, error: jsonRpcErrorOf(ErrorCode.InvalidParams, invalidInputOf(init.error, body)) });
      }
      return jsonRpcError(400, -32000, 'Bad Request: no valid session ID provided');
    }
    try {
      this.creations.take(client.clientKey);
    } catch (err) {
      const e = toAppError(err);
      const retryMs = Number(e.details.retry_after_ms ?? 1000);
      const res = jsonRpcError(429, -32000, `Too many new MCP sessions from this client: ${e.message}`);
      res.headers.set('retry-after', String(Math.max(1, Math.ceil(retryMs / 1000))));
      return res;
    }
    if (!this.makeRoom(client.clientKey)) {
      return jsonRpcError(503, -32000, 'Too many MCP sessions busy at once; retry shortly');
    }

    const id = crypto.randomUUID();
    const server = this.opts.createServer(id, client.caller);
    const session: Session = {
      server,
      transport: undefined as unknown as JsonResponseTransport,
      lastSeen: this.now(),
      inFlight: 0,
      clientKey: client.clientKey,
      callerKey: client.caller.key,
    };
    session.transport = new JsonResponseTransport({
      sessionIdGenerator: () => id,
      enableJsonResponse: true,
      onsessioninitialized: (sessionId) => {
        this.sessions.set(sessionId, session);
        this.perClient.set(session.clientKey, (this.perClient.get(session.clientKey) ?? 0) + 1);
      },
      onsessionclosed: (sessionId) => this.drop(sessionId),
    });
    session.transport.onclose = () => this.drop(id);
    await server.connect(session.transport);
    session.inFlight++;
    try {
      return await session.transport.handleRequest(req, { parsedBody: body });
    } finally {
      session.inFlight--;
    }
  }

  private async forward(sid: string, session: Session, req: Request): Promise<Response> {
    session.lastSeen = this.now();
    this.sessions.delete(sid);
    this.sessions.set(sid, session);
    session.inFlight++;
    try {
      if (req.method !== 'POST') return await session.transport.handleRequest(req);
      const read = await readBody(req);
      if ('refused' in read) return read.refused;
      return await session.transport.handleRequest(req, { parsedBody: read.body });
    } finally {
      session.inFlight--;
    }
  }

  /** Closes sessions so that `clientKey` may open one more; false when every candidate is busy. */
  private makeRoom(clientKey: string): boolean {
    const maxPerClient = this.opts.maxSessionsPerClient ?? 50;
    if ((this.perClient.get(clientKey) ?? 0) >= maxPerClient && !this.evictLeastRecent((s) => s.clientKey === clientKey)) return false;
    if (this.sessions.size >= (this.opts.maxSessions ?? 200) && !this.evictLeastRecent(() => true)) return false;
    return true;
  }

  private evictLeastRecent(match: (s: Session) => boolean): boolean {
    for (const [id, s] of this.sessions) {
      if (s.inFlight === 0 && match(s)) {
        this.evicted++;
        this.drop(id);
        return true;
      }
    }
    return false;
  }

  private drop(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.sessions.delete(sessionId);
    const n = (this.perClient.get(session.clientKey) ?? 1) - 1;
    if (n > 0) this.perClient.set(session.clientKey, n);
    else this.perClient.delete(session.clientKey);
    this.opts.onSessionClosed?.(sessionId);
    void session.server.close().catch((err: unknown) => this.opts.logger.warn('closing MCP session failed', { err }));
  }

  /** Closes every session idle for longer than the idle timeout (runs on a timer; public for tests). */
  sweep(): void {
    const cutoff = this.now() - this.idleMs;
    for (const [id, s] of this.sessions) if (s.inFlight === 0 && s.lastSeen < cutoff) this.drop(id);
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    for (const id of [...this.sessions.keys()]) this.drop(id);
  }
}
