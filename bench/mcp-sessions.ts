/**
 * MCP-over-HTTP memory benchmark. Starts `session-buddy start --foreground`
 * (the bundle, as users run it) on a fresh data directory and reads the
 * server's RSS from /proc while driving it over plain HTTP:
 *
 * - soak: one MCP session, N tool calls in a row (default 100,000; the tool
 *   is get_real_time_metrics over a few recorded invocations), RSS sampled
 *   every 10,000 calls after 10,000 warm-up calls (JIT-compiled code and the
 *   allocator's arenas settle in the first few thousand calls: RSS rises by
 *   ~60 MB there whatever happens later). Pass: RSS at rest (15 s idle) after
 *   the N calls < 50 MB above RSS at rest before them.
 * - heap: the same calls against a server in this process, with the V8 heap
 *   in use after a forced GC every 5,000 calls (the retained memory itself,
 *   free of allocator and heap-sizing noise).
 * - flood: M `initialize` requests (default 10,000) whose sessions are never
 *   closed, 8 at a time from one address, then a fresh client initializes and
 *   calls a tool. Pass: RSS < 250 MB and the fresh client is served. Most of
 *   the flood gets 429 (session creation rate per client); the statuses are
 *   printed. `flood N --no-rate-limit` lifts that limit to show the
 *   eviction alone.
 *
 *   node --import tsx bench/mcp-sessions.ts                 # both
 *   node --import tsx bench/mcp-sessions.ts soak 20000      # only the soak, 20,000 calls
 *   node --import tsx bench/mcp-sessions.ts flood 2000      # only the flood
 *   node --import tsx bench/mcp-sessions.ts heap 30000      # heap after GC, in process
 *
 * The per-client tool rate limit is raised for the run (SESSION_BUDDY_RATE_LIMIT),
 * so the soak measures memory, not the limiter.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MB = 1024 * 1024;

function vmRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * RSS after the server has been idle for REST_MS: while calls run, RSS swings by
 * tens of MB with the timing of V8's garbage collections (more so on a loaded
 * machine); idle, V8's memory reducer collects and the figure is comparable.
 */
const REST_MS = 15_000;
async function rssAtRest(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, REST_MS));
  return vmRss(pid);
}

interface Server {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

async function startServer(extraEnv: Record<string, string> = {}): Promise<Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-mcp-'));
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/session-buddy.js'), '--data-dir', dir, 'start', '--foreground', '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SESSION_BUDDY_RATE_LIMIT: '1000000/1000000', SESSION_BUDDY_AUDIT: 'off', ...extraEnv },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(err);
      if (m && err.includes('listening')) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
  return {
    child,
    url,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function post(url: string, body: object, sessionId: string | null): Promise<{ status: number; sessionId: string | null; body: string }> {
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
  };
  if (sessionId) headers['mcp-session-id'] = sessionId;
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/mcp`, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          sessionId: (res.headers['mcp-session-id'] as string | undefined) ?? null,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

let nextId = 1;
const initialize = (url: string) =>
  post(
    url,
    {
      jsonrpc: '2.0',
      id: nextId++,
      method: 'initialize',
      params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    },
    null,
  );

async function openSession(url: string): Promise<string> {
  const init = await initialize(url);
  if (init.status !== 200 || !init.sessionId) throw new Error(`initialize failed: HTTP ${init.status} ${init.body}`);
  await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, init.sessionId);
  return init.sessionId;
}

async function callTool(url: string, sid: string, name: string, args: object): Promise<void> {
  const r = await post(url, { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } }, sid);
  if (r.status !== 200 || !r.body.includes('"result"') || r.body.includes('"isError":true'))
    throw new Error(`${name} failed: HTTP ${r.status} ${r.body.slice(0, 300)}`);
}

async function soak(calls: number): Promise<boolean> {
  const server = await startServer();
  try {
    const sid = await openSession(server.url);
    for (let i = 0; i < 20; i++) {
      await callTool(server.url, sid, 'track_skill_invocation', {
        skill_name: `skill-${i % 5}`,
        user_id: 'bench',
        session_id: 's',
        workflow_phase: 'testing',
        completed: i % 4 !== 0,
        duration_ms: 100 + i,
      });
    }
    // Warm-up, then the first sample.
    for (let i = 0; i < 10_000; i++) await callTool(server.url, sid, 'get_real_time_metrics', { limit: 5 });
    const pid = server.child.pid!;
    const restBefore = await rssAtRest(pid);
    const first = vmRss(pid);
    const samples: string[] = [`0: ${(first / MB).toFixed(0)} MB`];
    let peak = first;
    const started = performance.now();
    for (let i = 1; i <= calls; i++) {
      await callTool(server.url, sid, 'get_real_time_metrics', { limit: 5 });
      if (i % 10_000 === 0 || i === calls) {
        const rss = vmRss(pid);
        peak = Math.max(peak, rss);
        samples.push(`${i}: ${(rss / MB).toFixed(0)} MB`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const restAfter = await rssAtRest(pid);
    const growth = (restAfter - restBefore) / MB;
    console.log(`soak: ${calls} calls on one session in ${seconds.toFixed(0)} s (${(calls / seconds).toFixed(0)} calls/s)`);
    console.log(`  RSS while calling: ${samples.join(', ')}`);
    console.log(
      `  RSS at rest (${REST_MS / 1000} s idle) ${(restBefore / MB).toFixed(0)} MB before, ${(restAfter / MB).toFixed(0)} MB after: ` +
        `growth ${growth.toFixed(1)} MB (peak while calling ${(peak / MB).toFixed(0)} MB) -> ${growth < 50 ? 'PASS' : 'FAIL'} (< 50 MB)`,
    );
    return growth < 50;
  } finally {
    await server.stop();
  }
}

async function flood(inits: number, rateLimited: boolean): Promise<boolean> {
  const server = await startServer(rateLimited ? {} : { SESSION_BUDDY_MCP_SESSION_RATE: '1000000/1000000' });
  try {
    const pid = server.child.pid!;
    const before = vmRss(pid);
    const started = performance.now();
    const statuses = new Map<number, number>();
    let issued = 0;
    // 8 at a time; none of these sessions is ever closed or used again.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (issued < inits) {
          issued++;
          const r = await initialize(server.url);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const after = vmRss(pid);
    // The fresh client shares the flooder's address (loopback): it may have to wait out the creation rate limit once.
    const waitStarted = performance.now();
    let fresh: string | null = null;
    for (let attempt = 0; fresh === null && attempt < 5; attempt++) {
      const init = await initialize(server.url);
      if (init.status === 200 && init.sessionId) {
        fresh = init.sessionId;
        await post(server.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, fresh);
      } else if (init.status === 429) {
        await new Promise((r) => setTimeout(r, 1000));
      } else {
        throw new Error(`fresh client refused: HTTP ${init.status} ${init.body}`);
      }
    }
    if (fresh === null) throw new Error('fresh client could not connect');
    const waited = performance.now() - waitStarted;
    await callTool(server.url, fresh, 'get_real_time_metrics', { limit: 5 });
    const health = (await (await fetch(`${server.url}/health`)).json()) as { mcp_sessions: number };
    const ok = after < 250 * MB;
    console.log(
      `flood${rateLimited ? '' : ' (creation rate limit lifted)'}: ${inits} initialize requests never closed in ${seconds.toFixed(0)} s; HTTP statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    console.log(`  RSS ${(before / MB).toFixed(0)} MB before, ${(after / MB).toFixed(0)} MB after -> ${ok ? 'PASS' : 'FAIL'} (< 250 MB)`);
    console.log(
      `  a fresh client (same address) then initialized and called a tool: served after ${waited.toFixed(0)} ms; open sessions ${health.mcp_sessions}`,
    );
    return ok;
  } finally {
    await server.stop();
  }
}

/** Heap in use after a forced GC, every 5,000 calls on one session of a server in this process (needs --expose-gc). */
async function heap(calls: number): Promise<void> {
  const { createTestApp } = await import('../src/testing/harness.js');
  const { startHttpServer } = await import('../src/server/http-server.js');
  const app = createTestApp({ env: { SESSION_BUDDY_RATE_LIMIT: '1000000/1000000' } });
  const server = await startHttpServer(app, []);
  try {
    const sid = await openSession(server.url);
    const used: string[] = [];
    for (let i = 0; i <= calls; i++) {
      if (i > 0) await callTool(server.url, sid, 'get_real_time_metrics', { limit: 5 });
      if (i % 5000 === 0) {
        global.gc!();
        global.gc!();
        used.push(`${i}: ${(process.memoryUsage().heapUsed / MB).toFixed(1)} MB`);
      }
    }
    console.log(`heap in use after GC, one session, ${calls} calls: ${used.join(', ')}`);
    console.log(`  per-request entries still held by the transport: ${server.mcp.pendingStreamEntries()}`);
  } finally {
    await server.close();
    await app.dispose();
  }
}

async function main(): Promise<void> {
  const [mode, n] = process.argv.slice(2);
  if (mode === 'heap') {
    if (typeof global.gc !== 'function') {
      execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), 'heap', n ?? '30000'], { stdio: 'inherit' });
      return;
    }
    await heap(Number(n ?? 30_000));
    agent.destroy();
    return;
  }
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { stdio: 'ignore' });
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  let pass = true;
  if (mode === undefined || mode === 'soak') pass = (await soak(n && mode ? Number(n) : 100_000)) && pass;
  if (mode === undefined || mode === 'flood') pass = (await flood(n && mode ? Number(n) : 10_000, !process.argv.includes('--no-rate-limit'))) && pass;
  agent.destroy();
  process.exitCode = pass ? 0 : 1;
}

await main();
