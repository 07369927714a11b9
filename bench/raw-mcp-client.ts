/**
 * A minimal MCP client over Streamable HTTP for the load test: the protocol's
 * own messages (initialize, notifications/initialized, tools/call, DELETE of
 * the session) as JSON-RPC POSTs on one keep-alive connection per client,
 * without the SDK client's schema validation of every result. On a 2-core
 * machine the load generator shares the CPU with the server under test, and
 * 100 SDK clients cost about as much CPU as the server itself; this client
 * costs a fraction of that, so the figures describe the server.
 */
import http from 'node:http';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

export interface ToolCallOutcome {
  isError: boolean;
}

export class RawMcpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private sessionId: string | null = null;
  private nextId = 1;

  constructor(private readonly endpoint: URL) {}

  async connect(): Promise<void> {
    const init = await this.post({
      jsonrpc: '2.0',
      id: this.nextId++,
      method: 'initialize',
      params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'load', version: '1' } },
    });
    if (!init.sessionId) throw new Error('the server did not assign an MCP session id');
    this.sessionId = init.sessionId;
    await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  async callTool(name: string, args: Record<string, unknown>): Promise<ToolCallOutcome> {
    const { body } = await this.post({ jsonrpc: '2.0', id: this.nextId++, method: 'tools/call', params: { name, arguments: args } });
    const msg = body as { result?: { isError?: boolean }; error?: { message: string } } | null;
    if (!msg || msg.error || !msg.result) throw new Error(msg?.error?.message ?? 'no result');
    return { isError: msg.result.isError === true };
  }

  async close(): Promise<void> {
    if (this.sessionId) await this.request('DELETE', null).catch(() => {});
    this.agent.destroy();
  }

  private async post(message: object): Promise<{ sessionId: string | null; body: unknown }> {
    return this.request('POST', JSON.stringify(message));
  }

  private request(method: 'POST' | 'DELETE', payload: string | null): Promise<{ sessionId: string | null; body: unknown }> {
    const headers: Record<string, string> = { accept: 'application/json, text/event-stream', 'mcp-protocol-version': LATEST_PROTOCOL_VERSION };
    if (payload !== null) headers['content-type'] = 'application/json';
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    return new Promise((resolve, reject) => {
      const req = http.request(this.endpoint, { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status >= 400) return reject(new Error(`HTTP ${status}: ${text.slice(0, 200)}`));
          const sessionId = (res.headers['mcp-session-id'] as string | undefined) ?? null;
          if (!text) return resolve({ sessionId, body: null });
          try {
            // A JSON response, or an SSE stream whose data line carries the response.
            const json = String(res.headers['content-type']).startsWith('text/event-stream')
              ? (text
                  .split('\n')
                  .filter((l) => l.startsWith('data:'))
                  .map((l) => l.slice(5))
                  .at(-1) ?? 'null')
              : text;
            resolve({ sessionId, body: JSON.parse(json) });
          } catch (err) {
            reject(err as Error);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload ?? undefined);
    });
  }
}
