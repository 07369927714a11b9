import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createLogger } from '../logger.js';
import type { CallerIdentity } from '../mcp/caller-identity.js';
import { McpSessions, type McpClient } from './mcp-sessions.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const PROTOCOL = '2025-06-18';

const caller = (key: string, role: CallerIdentity['role'] = 'admin'): CallerIdentity => ({ role, userHash: null, key });
const client = (clientKey: string, key = 'local'): McpClient => ({ caller: caller(key), clientKey });

/** A tiny server: `wait` blocks until `release` is called, so a session can be kept busy. */
function harness(
  opts: { maxSessions?: number; maxSessionsPerClient?: number; idleTimeoutMs?: number; creationRate?: { capacity: number; refillPerSecond: number } } = {},
) {
  let clock = 1_000_000;
  let release: () => void = () => {};
  const closed: string[] = [];
  const sessions = new McpSessions({
    createServer: () => {
      const server = new McpServer({ name: 't', version: '1' });
      server.registerTool('wait', { description: 'waits' }, async () => {
        await new Promise<void>((r) => (release = r));
        return { content: [{ type: 'text', text: 'done' }] };
      });
      server.registerTool('echo', { description: 'echo' }, async () => ({ content: [{ type: 'text', text: 'ok' }] }));
      return server;
    },
    logger: createLogger('silent'),
    now: () => clock,
    onSessionClosed: (id) => closed.push(id),
    ...opts,
  });
  let nextId = 1;
  const post = (body: unknown, sid?: string) =>
    new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: { ...HEADERS, ...(sid ? { 'mcp-session-id': sid, 'mcp-protocol-version': PROTOCOL } : {}) },
      body: JSON.stringify(body),
    });
  async function open(c: McpClient): Promise<{ status: number; sid: string | null }> {
    const res = await sessions.handle(
      post({
        jsonrpc: '2.0',
        id: nextId++,
        method: 'initialize',
        params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'c', version: '1' } },
      }),
      c,
    );
    const sid = res.headers.get('mcp-session-id');
    if (sid) await sessions.handle(post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sid), c);
    return { status: res.status, sid };
  }
  const call = (sid: string, c: McpClient, tool = 'echo') =>
    sessions.handle(post({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name: tool, arguments: {} } }, sid), c);
  return {
    sessions,
    closed,
    open,
    call,
    advance: (ms: number) => (clock += ms),
    release: () => release(),
  };
}

describe('MCP sessions cannot lock anyone out', () => {
  it('closes sessions idle for longer than the idle timeout, and only those', async () => {
    const h = harness({ idleTimeoutMs: 5 * 60_000 });
    const a = await h.open(client('x'));
    const b = await h.open(client('y'));
    h.advance(4 * 60_000);
    assert.equal((await h.call(b.sid!, client('y'))).status, 200); // b is used again: its idle time restarts
    h.advance(2 * 60_000); // a idle 6 min, b 2 min
    h.sessions.sweep();
    assert.deepEqual(h.closed, [a.sid]);
    assert.equal(h.sessions.size, 1);
    assert.equal((await h.call(a.sid!, client('x'))).status, 404);
    assert.equal((await h.call(b.sid!, client('y'))).status, 200);
    await h.sessions.closeAll();
  });

  it('at capacity closes the least recently used idle session instead of refusing a new client', async () => {
    const h = harness({ maxSessions: 3, maxSessionsPerClient: 10 });
    const a = await h.open(client('a'));
    const b = await h.open(client('b'));
    const c = await h.open(client('c'));
    assert.equal((await h.call(a.sid!, client('a'))).status, 200); // order of use now: b, c, a
    const d = await h.open(client('d'));
    assert.equal(d.status, 200);
    assert.deepEqual(h.closed, [b.sid]);
    assert.equal(h.sessions.size, 3);
    assert.equal(h.sessions.evicted, 1);
    assert.equal((await h.call(b.sid!, client('b'))).status, 404);
    for (const [s, k] of [
      [a, 'a'],
      [c, 'c'],
      [d, 'd'],
    ] as const)
      assert.equal((await h.call(s.sid!, client(k))).status, 200);
    await h.sessions.closeAll();
  });

  it('limits the sessions one client holds: its own oldest is closed, nobody else’s', async () => {
    const h = harness({ maxSessions: 100, maxSessionsPerClient: 2 });
    const other = await h.open(client('other'));
    const x1 = await h.open(client('flooder'));
    const x2 = await h.open(client('flooder'));
    const x3 = await h.open(client('flooder'));
    assert.equal(x3.status, 200);
    assert.deepEqual(h.closed, [x1.sid]);
    assert.equal((await h.call(other.sid!, client('other'))).status, 200);
    assert.equal((await h.call(x2.sid!, client('flooder'))).status, 200);
    await h.sessions.closeAll();
  });

  it('never closes a session in the middle of a request; refuses (503) only when every session is busy', async () => {
    const h = harness({ maxSessions: 1 });
    const a = await h.open(client('a'));
    const pending = h.call(a.sid!, client('a'), 'wait');
    await new Promise((r) => setTimeout(r, 20));
    const refused = await h.open(client('b'));
    assert.equal(refused.status, 503);
    h.release();
    assert.equal((await pending).status, 200);
    const b = await h.open(client('b'));
    assert.equal(b.status, 200);
    assert.deepEqual(h.closed, [a.sid]);
    await h.sessions.closeAll();
  });

  it('limits how fast one client opens sessions (429 with Retry-After), not anyone else', async () => {
    const h = harness({ creationRate: { capacity: 2, refillPerSecond: 0.5 } });
    assert.equal((await h.open(client('x'))).status, 200);
    assert.equal((await h.open(client('x'))).status, 200);
    const res = await h.sessions.handle(
      new Request('http://127.0.0.1/mcp', {
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 99,
          method: 'initialize',
          params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'c', version: '1' } },
        }),
      }),
      client('x'),
    );
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '2'); // one token at 0.5/s
    assert.equal(h.sessions.size, 2);
    assert.equal((await h.open(client('y'))).status, 200);
    h.advance(1999);
    assert.equal((await h.open(client('x'))).status, 429);
    h.advance(1);
    assert.equal((await h.open(client('x'))).status, 200);
    await h.sessions.closeAll();
  });

  it('binds a session to the credential that opened it', async () => {
    const h = harness();
    const mine = await h.open(client('addr', 'token:1'));
    assert.equal((await h.call(mine.sid!, client('addr', 'token:2'))).status, 404);
    assert.equal((await h.call(mine.sid!, client('addr', 'token:1'))).status, 200);
    await h.sessions.closeAll();
  });
});
