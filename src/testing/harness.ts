/**
 * Test helpers: a real app on a temporary data directory, and a real MCP
 * SDK Client connected to it in memory or over Streamable HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createApp, type App, type AppOptions } from '../app.js';
import { parseConfig, type ConfigFlags } from '../config.js';
import { createLogger } from '../logger.js';
import { parseErrorResult } from '../mcp/tool-result.js';
import { startHttpServer, type HttpMount, type RunningHttpServer } from '../server/http-server.js';
import type { SqliteDb } from '../store/database.js';
import type { SqliteStore } from '../store/sqlite/store.js';

export interface TestApp extends App {
  dir: string;
  /** The SQLite store of the test app (tests run on the default store). */
  sqlite: SqliteStore;
  /** Its database connection, for direct checks. */
  db: SqliteDb;
  /** Closes the app and removes its data directory. */
  dispose(): Promise<void>;
}

export function createTestApp(opts: AppOptions & { flags?: ConfigFlags; env?: Record<string, string> } = {}): TestApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-test-'));
  // Checkpoints in tests do not ask the package registry for an audit; the embedding model
  // (a worker of ~170 MB) is loaded only by the tests that turn it on.
  const config = parseConfig({
    flags: { dataDir: dir, port: 0, ...opts.flags },
    env: { SESSION_BUDDY_AUDIT: 'off', SESSION_BUDDY_EMBEDDINGS: 'off', ...opts.env },
  });
  const app = createApp(config, { logger: opts.logger ?? createLogger('silent'), now: opts.now });
  const sqlite = app.stores.sqlite!;
  return Object.assign(app, {
    dir,
    sqlite,
    db: sqlite.db,
    async dispose() {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** Connects a real SDK Client to `server` over an in-memory transport pair. */
export async function connectInMemory(server: McpServer): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  return client;
}

/** Starts the app's HTTP server on a free loopback port and connects a Client over Streamable HTTP. */
export async function connectHttp(app: App, mounts: HttpMount[] = []): Promise<{ client: Client; http: RunningHttpServer; close(): Promise<void> }> {
  const http = await startHttpServer(app, mounts);
  const client = new Client({ name: 'test-http-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`));
  await client.connect(transport);
  return {
    client,
    http,
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close();
      await http.close();
    },
  };
}

/** Calls a tool and returns its structured content, failing loudly on an error result. */
export async function callOk<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
  const res = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (res.isError) throw new Error(`${name} failed: ${JSON.stringify(res.content)}`);
  return res.structuredContent as T;
}

/** Calls a tool expecting an error result; returns its text and its parsed structured error. */
export async function callErr(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ text: string; error: ReturnType<typeof parseErrorResult> }> {
  const res = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (!res.isError) throw new Error(`${name} unexpectedly succeeded: ${JSON.stringify(res.structuredContent)}`);
  const text = res.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  return { text, error: parseErrorResult(res) };
}

/** A valid invocation input, the i-th of a batch (its own session), with optional metadata to make it as large as a test needs. */
export function sizedInvocation(i: number, metadata?: Record<string, unknown>) {
  return {
    skill_name: 'run-tests',
    user_id: 'ann',
    session_id: `s-${i}`,
    workflow_phase: 'testing',
    completed: true,
    duration_ms: 5,
    ...(metadata ? { metadata } : {}),
  };
}
