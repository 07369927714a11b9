/**
 * Load test: N concurrent MCP clients (default 100) over Streamable HTTP on
 * loopback, doing mixed tracking and analytics calls for a bounded time
 * against a server running in its own process. Prints throughput, latency
 * percentiles and errors as a Markdown table.
 *
 *   npm run load                                   # SQLite, 100 clients, 20 s
 *   npm run load -- --clients 50 --seconds 10
 *   npm run load -- --store postgres://localhost/test
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const CLIENTS = Number(opt('clients', '100'));
const SECONDS = Number(opt('seconds', '20'));
const SEED = Number(opt('seed-invocations', '20000'));
const STORE = opt('store', '');
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/session-buddy.js');

const READS: [string, Record<string, unknown>][] = [
  ['get_real_time_metrics', { limit: 10, time_window_hours: 1 }],
  ['detect_anomalies', { threshold: 2, time_window_hours: 24 }],
  ['get_skill_trend', { skill_name: 'run-tests', days: 7, granularity: 'hour' }],
  ['get_skill_dependencies', { min_support: 0.01, limit: 10 }],
  ['get_collaborative_recommendations', { user_id: 'user-1', limit: 5 }],
  ['get_community_baselines', {}],
];

function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const extra = STORE ? ['--store', STORE] : [];
    const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, '--log-level', 'warn', 'start', '--foreground', '--port', '0', ...extra], {
      env: { ...process.env, SESSION_BUDDY_RATE_LIMIT: '1000000/1000000' },
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

function pct(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN;
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-load-'));
  const seed = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'seed-demo', '--invocations', String(SEED)], { stdio: 'ignore' });
  await new Promise((r) => seed.on('exit', r));
  const { child, url } = await startServer(dataDir);
  process.stderr.write(`server ${url} (${STORE || 'sqlite'}), ${CLIENTS} clients, ${SECONDS} s\n`);
  const latencies = new Map<string, number[]>();
  const errors = new Map<string, number>();
  let calls = 0;
  try {
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const client = new Client({ name: 'load', version: '1' });
        const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`));
        await client.connect(transport);
        return { client, transport };
      }),
    );
    const deadline = Date.now() + SECONDS * 1000;
    await Promise.all(
      clients.map(async ({ client }, c) => {
        let i = 0;
        while (Date.now() < deadline) {
          i++;
          const track = i % 10 < 7;
          const [name, callArgs] = track
            ? ['track_skill_invocation', { skill_name: `skill-${(c + i) % 40}`, user_id: `user-${c}`, session_id: `load-${c}-${Math.floor(i / 20)}`, workflow_phase: 'implementation', completed: i % 13 !== 0, duration_ms: 100 + (i % 900) }]
            : READS[(c + i) % READS.length]!;
          const t = performance.now();
          let failed = false;
          try {
            const res = (await client.callTool({ name, arguments: callArgs })) as CallToolResult;
            failed = res.isError === true;
          } catch {
            failed = true;
          }
          const dt = performance.now() - t;
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
    await Promise.all(clients.map(async ({ client, transport }) => {
      await transport.terminateSession().catch(() => {});
      await client.close();
    }));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const rows = ['| store | calls | throughput /s | p50 ms | p95 ms | p99 ms | errors |', '|---|---|---:|---:|---:|---:|---:|'];
  for (const [name, lat] of [...latencies.entries()].sort((a, b) => (a[0] === 'all' ? -1 : b[0] === 'all' ? 1 : a[0].localeCompare(b[0])))) {
    lat.sort((a, b) => a - b);
    rows.push(`| ${STORE ? 'postgres' : 'sqlite'} | ${name} (${lat.length}) | ${(lat.length / SECONDS).toFixed(0)} | ${pct(lat, 0.5).toFixed(1)} | ${pct(lat, 0.95).toFixed(1)} | ${pct(lat, 0.99).toFixed(1)} | ${name === 'all' ? [...errors.values()].reduce((a, b) => a + b, 0) : errors.get(name) ?? 0} |`);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  process.stderr.write(`${calls} calls\n`);
}

await main();
