/**
 * Streamable HTTP sessions: one McpServer + transport per MCP session id,
 * created on `initialize`, removed on DELETE, transport close or idleness.
 */
import crypto from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../logger.js';

interface Session {
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
  lastSeen: number;
}

export interface McpSessionsOptions {
  createServer: (sessionId: string) => McpServer;
  logger: Logger;
  idleTimeoutMs?: number;
  maxSessions?: number;
  onSessionClosed?: (sessionId: string) => void;
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

export class McpSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly opts: McpSessionsOptions) {
    const idle = opts.idleTimeoutMs ?? 30 * 60_000;
    this.sweeper = setInterval(() => this.sweep(idle), Math.min(idle, 60_000));
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  async handle(req: Request): Promise<Response> {
    const sid = req.headers.get('mcp-session-id');
    if (sid) {
      const session = this.sessions.get(sid);
      if (!session) return jsonRpcError(404, -32001, 'Session not found: it expired or was closed; initialize a new one');
      session.lastSeen = Date.now();
      return session.transport.handleRequest(req);
    }
    if (req.method !== 'POST') return jsonRpcError(400, -32000, 'Bad Request: no valid session ID provided');
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return jsonRpcError(400, -32700, 'Parse error: body is not valid JSON');
    }
    const initializes = Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body);
    if (!initializes) return jsonRpcError(400, -32000, 'Bad Request: no valid session ID provided');
    if (this.sessions.size >= (this.opts.maxSessions ?? 1000)) {
      return jsonRpcError(503, -32000, 'Too many open MCP sessions; close one (DELETE /mcp) and retry');
    }

    const id = crypto.randomUUID();
    const server = this.opts.createServer(id);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      enableJsonResponse: true,
      onsessioninitialized: (sessionId) => {
        this.sessions.set(sessionId, { server, transport, lastSeen: Date.now() });
      },
      onsessionclosed: (sessionId) => this.drop(sessionId),
    });
    transport.onclose = () => this.drop(id);
    await server.connect(transport);
    return transport.handleRequest(req, { parsedBody: body });
  }

  private drop(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.sessions.delete(sessionId);
    this.opts.onSessionClosed?.(sessionId);
    void session.server.close().catch((err: unknown) => this.opts.logger.warn('closing MCP session failed', { err }));
  }

  private sweep(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const [id, s] of this.sessions) if (s.lastSeen < cutoff) this.drop(id);
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    for (const id of [...this.sessions.keys()]) this.drop(id);
  }
}
