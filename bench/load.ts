/**
 * Load test: N concurrent MCP clients (default 100) over Streamable HTTP on
 * loopback, doing mixed tracking and analytics calls for a bounded time
 * against a server running in its own process. Prints throughput, latency
 * percentiles and errors as a Markdown table.
 *
 *   npm run load                                   # SQLite, 100 clients × 3 calls/s, 10 s warm-up + 20 s measured
 *   npm run load -- --rate 6 --clients 50 --seconds 10
 *   npm run load -- --rate 0                       # no pause between calls: a saturation test
 *   npm run load -- --store postgres://localhost/test   # in a new schema, dropped afterwards
 *   npm run load -- --url http://127.0.0.1:8678    # a server that is already running (not seeded here)
 *   npm run load -- --sdk                          # the SDK's Client instead of the raw protocol client
 *
 * With --rate R (default 3) each client starts a call every 1/R s, phases
 * spread over the clients: an offered load of clients × R calls/s, as many
 * agents each making a few tool calls a second would. Latency is measured
 * from the scheduled start, so a server that falls behind shows it (no
 * coordinated omission). With --rate 0 every client calls again as soon as
 * its previous call returns: the server is then always busy and, by Little's
 * law, the mean latency is clients / throughput whatever the per-call cost.
 * The first --warmup seconds (default 10) run the same load unmeasured: a
 * fresh server (the PostgreSQL path most) needs about that long to reach its
 * steady state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createPgSchema } from '../src/testing/backends.js';
import { RawMcpClient } from './raw-mcp-client.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const CLIENTS = Number(opt('clients', '100'));
const SECONDS = Number(opt('seconds', '20'));
const SEED = Number(opt('seed-invocations', '20000'));
const STORE = opt('store', '');
const URL_ = opt('url', '');
/** Use the SDK's Client (full result validation, about as much CPU as the server) instead of the raw protocol client. */
const SDK = args.includes('--sdk');
const RATE = Number(opt('rate', '3'));
/** Seconds of the same load before measuring (JIT and caches warm up; the first seconds after start are slower). */
const WARMUP = Number(opt('warmup', '10'));
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/session-buddy.js');

const READS: [string, Record<string, unknown>][] = [
  ['get_real_time_metrics', { limit: 10, time_window_hours: 1 }],
  ['detect_anomalies', { threshold: 2, time_window_hours: 24 }],
  ['get_skill_trend', { skill_name: 'run-tests', days: 7, granularity: 'hour' }],
  ['get_skill_dependencies', { min_support: 0.01, limit: 10 }],
  ['get_collaborative_recommendations', { user_id: 'user-1', limit: 5 }],
  ['get_community_baselines', {}],
];

function startServer(dataDir: string, store: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const extra = store ? ['--store', store] : [];
    const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, '--log-level', 'warn', 'start', '--foreground', '--port', '0', ...extra], {
      // All clients come from one loopback address: lift the per-client limits on MCP session
      // creation and on open sessions, which would otherwise refuse or evict most of them.
      env: {
        ...process.env,
        SESSION_BUDDY_RATE_LIMIT: '1000000/1000000',
        SESSION_BUDDY_MCP_SESSION_RATE: '1000000/1000000',
        SESSION_BUDDY_MCP_MAX_SESSIONS_PER_CLIENT: '1000',
        SESSION_BUDDY_MCP_MAX_SESSIONS: '1000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1]!.replace(/[()]/g, '') });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
}

interface LoadClient {
  callTool(name: string, args: Record<string, unknown>): Promise<{ isError: boolean }>;
  close(): Promise<void>;
}

async function rawClient(endpoint: URL): Promise<LoadClient> {
  const client = new RawMcpClient(endpoint);
  await client.connect();
  return client;
}

async function sdkClient(endpoint: URL): Promise<LoadClient> {
  const client = new Client({ name: 'load', version: '1' });
  const transport = new StreamableHTTPClientTransport(endpoint);
  await client.connect(transport);
  return {
    callTool: async (name, args) => ({ isError: ((await client.callTool({ name, arguments: args })) as CallToolResult).isError === true }),
    close: async () => {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

function pct(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN;
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-load-'));
  let child: ChildProcess | null = null;
  let url = URL_.replace(/\/+$/, '');
  // On PostgreSQL the test runs in a schema of its own, dropped afterwards: the load never touches
  // the database's existing data, and every run starts from the same state.
  const schema = STORE && !url ? await createPgSchema(STORE) : null;
  const store = schema?.url ?? STORE;
  if (!url) {
    // Seeded into the store under test (the server below runs on the same one).
    const seed = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'seed-demo', '--invocations', String(SEED), ...(store ? ['--store', store] : [])], {
      stdio: 'ignore',
    });
    await new Promise((r) => seed.on('exit', r));
    ({ child, url } = await startServer(dataDir, store));
  }
  const kind = URL_ ? 'external' : STORE ? 'postgres' : 'sqlite';
  process.stderr.write(
    `server ${url} (${kind}), ${CLIENTS} clients, ${WARMUP} s warm-up + ${SECONDS} s measured, ${RATE > 0 ? `${RATE} calls/s per client` : 'no pause between calls'}, ${SDK ? 'SDK' : 'raw protocol'} clients\n`,
  );
  const latencies = new Map<string, number[]>();
  const errors = new Map<string, number>();
  let calls = 0;
  try {
    const endpoint = new URL(`${url}/mcp`);
    const clients: LoadClient[] = await Promise.all(Array.from({ length: CLIENTS }, () => (SDK ? sdkClient(endpoint) : rawClient(endpoint))));
    const deadline = Date.now() + (WARMUP + SECONDS) * 1000;
    const startedAt = performance.now();
    await Promise.all(
      clients.map(async (client, c) => {
        let i = 0;
        let reads = 0;
        // Paced: call k of client c is due at start + (c / clients + k) / rate seconds.
        const due = (k: number) => startedAt + ((c / CLIENTS + k) / RATE) * 1000;
        while (Date.now() < deadline) {
          i++;
          let scheduled: number | null = null;
          if (RATE > 0) {
            scheduled = due(i - 1);
            const wait = scheduled - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            if (Date.now() >= deadline) break;
          }
          // 70 % tracking, 30 % analytics; the position in the cycle differs per client, so the reads do not all come at once.
          const track = (i + c) % 10 < 7;
          const [name, callArgs] = track
            ? [
                'track_skill_invocation',
                {
                  skill_name: `skill-${(c + i) % 40}`,
                  user_id: `user-${c}`,
                  session_id: `load-${c}-${Math.floor(i / 20)}`,
                  workflow_phase: 'implementation',
                  completed: i % 13 !== 0,
                  duration_ms: 100 + (i % 900),
                },
              ]
            : READS[(c + reads++) % READS.length]!;
          const t = scheduled ?? performance.now();
          let failed = false;
          try {
            failed = (await client.callTool(name, callArgs)).isError;
          } catch {
            failed = true;
          }
          const dt = performance.now() - t;
          if (t < startedAt + WARMUP * 1000) continue; // started during the warm-up
          calls++;
          const key = track ? 'track_skill_invocation' : name;
          if (!latencies.has(key)) latencies.set(key, []);
          latencies.get(key)!.push(dt);
          if (!latencies.has('all')) latencies.set('all', []);
          latencies.get('all')!.push(dt);
          if (failed) errors.set(key, (errors.get(key) ?? 0) + 1);
        }
      }),
    );
    await Promise.all(clients.map((client) => client.close()));
  } finally {
    if (child) {
      const exited = new Promise((r) => child!.on('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    await schema?.drop();
  }
  const rows = ['| store | load | calls | throughput /s | p50 ms | p95 ms | p99 ms | errors |', '|---|---|---|---:|---:|---:|---:|---:|'];
  const load = RATE > 0 ? `${CLIENTS} × ${RATE}/s` : `${CLIENTS}, no pause`;
  for (const [name, lat] of [...latencies.entries()].sort((a, b) => (a[0] === 'all' ? -1 : b[0] === 'all' ? 1 : a[0].localeCompare(b[0])))) {
    lat.sort((a, b) => a - b);
    rows.push(
      `| ${kind} | ${load} | ${name} (${lat.length}) | ${(lat.length / SECONDS).toFixed(0)} | ${pct(lat, 0.5).toFixed(1)} | ${pct(lat, 0.95).toFixed(1)} | ${pct(lat, 0.99).toFixed(1)} | ${name === 'all' ? [...errors.values()].reduce((a, b) => a + b, 0) : (errors.get(name) ?? 0)} |`,
    );
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  process.stderr.write(`${calls} calls\n`);
}

await main();
