/**
 * Real-time monitoring benchmark. Runs the server (app + /metrics + /ws, as
 * `start` mounts them) in a child process and drives it from this one:
 *
 * - /metrics scrape time with 60 skills x 5 phases recorded (in-process
 *   registry serialisation and over HTTP on loopback);
 * - broadcast latency to 1, 100 and 1,000 WebSocket clients: the time from
 *   the server recording an invocation (just before tracker.track) until a
 *   client has received the pushed event, over all clients and rounds. Clients
 *   subscribe like the dashboard does (all skills, all channels, compression
 *   offered), so the 1-second snapshots flow during the measurement;
 * - RSS of the server as users run it (`session-buddy start --foreground`,
 *   from the bundle that `npm start` builds), read from /proc just after
 *   start-up and after 20 s idle; and, in the benchmark's own server process
 *   (under tsx, after a forced GC), with and without the real-time parts and
 *   with 1,000 clients connected.
 *
 *   node --import tsx bench/realtime.ts               # all measurements
 *   node --import tsx bench/realtime.ts 1 100         # only these client counts
 *   node --import tsx bench/realtime.ts --ws-clients  # also with full `ws` clients
 *
 * The broadcast clients are minimal (handshake, subscribe, then scan the bytes
 * for the event marker), see openRawClients; --ws-clients adds rows measured
 * with full `ws` clients, whose decoding in this one process adds to the tail.
 *
 * Both processes read process.hrtime (CLOCK_MONOTONIC), so latencies compare
 * clocks of the same machine.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

const SKILLS = 60;
const PHASES = ['planning', 'implementation', 'testing', 'review', 'debugging'] as const;
const SCRAPES = 300;
const ROUNDS = 40;
const TARGETS = { scrapeP95Ms: 5, broadcastP99Ms: 50, idleRssMb: 80 };

type ToServer = { type: 'scrape'; n: number } | { type: 'emit'; seq: number } | { type: 'rss' } | { type: 'stop' };
type FromServer =
  | { type: 'ready'; port: number; metricsPort: number; series: number }
  | { type: 'scraped'; times: number[]; bytes: number }
  | { type: 'emitted'; seq: number }
  | { type: 'rss'; rss: number; heapUsed: number; clients: number };

// --------------------------------------------------------------------------- server side
async function runServer(): Promise<void> {
  const { createApp } = await import('../src/app.js');
  const { parseConfig } = await import('../src/config.js');
  const { createLogger } = await import('../src/logger.js');
  const { startHttpServer } = await import('../src/server/http-server.js');
  const { createRealtime } = await import('../src/realtime/realtime-mounts.js');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-rt-'));
  const baseline = process.argv.includes('--baseline');
  const metricsPort = baseline ? undefined : await freePort();
  const app = createApp(parseConfig({ flags: { dataDir: dir, port: 0, metricsPort }, env: {} }), { logger: createLogger('warn') });
  // --baseline: the same server without the real-time components, to show their share of the RSS.
  // Long heartbeat: the raw bench clients do not answer pings.
  const rt = await createRealtime(app, baseline ? { metrics: false, ws: false, dashboard: false } : { wsMaxClients: 1100, heartbeatMs: 600_000 });
  const http = await startHttpServer(app, rt.mounts);

  // 60 skills x 5 phases, 10 invocations each (1 in 10 fails), durations 20 ms .. ~100 s.
  const seed: Record<string, unknown>[] = [];
  for (let s = 0; s < SKILLS; s++) {
    for (const phase of PHASES) {
      for (let i = 0; i < 10; i++) {
        seed.push({
          skill_name: `skill-${String(s).padStart(2, '0')}`,
          user_id: `user-${i % 7}`,
          session_id: `seed-${s}-${i}`,
          workflow_phase: phase,
          completed: i !== 0,
          duration_ms: Math.round(20 * 1.6 ** ((s + i) % 19)),
        });
      }
    }
  }
  await app.tracker.trackBatch(seed);
  const series = rt.exporter ? (await rt.exporter.metrics()).split('\n').filter((l) => l && !l.startsWith('#')).length : 0;

  const send = (m: FromServer) => process.send!(m);
  process.on('message', async (m: ToServer) => {
    switch (m.type) {
      case 'scrape': {
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < m.n; i++) {
          const t = performance.now();
          const text = await rt.exporter!.metrics();
          times.push(performance.now() - t);
          bytes = Buffer.byteLength(text);
        }
        send({ type: 'scraped', times, bytes });
        break;
      }
      case 'emit': {
        const t0 = process.hrtime.bigint();
        await app.tracker.track({
          skill_name: `skill-${String(m.seq % SKILLS).padStart(2, '0')}`,
          user_id: 'bench',
          session_id: `bench-${m.seq}-${t0}`,
          workflow_phase: 'testing',
          completed: true,
          duration_ms: 100,
        });
        send({ type: 'emitted', seq: m.seq });
        break;
      }
      case 'rss': {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((r) => setTimeout(r, 200));
        const mem = process.memoryUsage();
        send({ type: 'rss', rss: mem.rss, heapUsed: mem.heapUsed, clients: rt.hub?.size ?? 0 });
        break;
      }
      case 'stop':
        await http.close();
        await app.close();
        fs.rmSync(dir, { recursive: true, force: true });
        process.exit(0);
    }
  });
  send({ type: 'ready', port: http.port, metricsPort: metricsPort ?? 0, series });
}

// --------------------------------------------------------------------------- driver side
class ServerProcess {
  private readonly waiting = new Map<string, (m: FromServer) => void>();
  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromServer) => {
      const key = m.type === 'emitted' ? `emitted:${m.seq}` : m.type;
      const w = this.waiting.get(key);
      if (w) {
        this.waiting.delete(key);
        w(m);
      }
    });
  }

  static async start(baseline = false): Promise<{ server: ServerProcess; port: number; metricsPort: number; series: number }> {
    const child = fork(fileURLToPath(import.meta.url), ['--server', ...(baseline ? ['--baseline'] : [])], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const server = new ServerProcess(child);
    const ready = (await server.request({ type: 'rss' } as never, 'ready', false)) as Extract<FromServer, { type: 'ready' }>;
    return { server, port: ready.port, metricsPort: ready.metricsPort, series: ready.series };
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' } satisfies ToServer);
    await exited;
  }

  request(msg: ToServer, key: string, send = true): Promise<FromServer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not answer ${key}`)), 60_000);
      this.waiting.set(key, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      if (send) this.child.send(msg);
    });
  }
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function httpGet(port: number, path: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

const ms = (x: number) => `${x.toFixed(2)} ms`;
const mb = (x: number) => `${(x / 1024 / 1024).toFixed(1)} MB`;

interface Row {
  what: string;
  value: string;
  target: string;
  ok: string;
}

async function openClients(port: number, n: number, onLatency: (seq: number, ms: number) => void): Promise<WebSocket[]> {
  const clients: WebSocket[] = [];
  const batch = 50;
  for (let i = 0; i < n; i += batch) {
    const opened = Array.from({ length: Math.min(batch, n - i) }, () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      clients.push(ws);
      return new Promise<void>((resolve, reject) => {
        ws.on('message', (data: Buffer) => {
          // Look at the type without decoding the whole message (snapshots are not needed here).
          const head = data.toString('latin1', 0, 30);
          if (head.startsWith('{"v":1,"type":"subscribed"')) resolve();
          if (!head.startsWith('{"v":1,"type":"invocations"')) return;
          const now = process.hrtime.bigint();
          const text = data.toString('utf8');
          for (const m of text.matchAll(/"session_id":"bench-(\d+)-(\d+)"/g)) {
            onLatency(Number(m[1]), Number(now - BigInt(m[2]!)) / 1e6);
          }
        });
        ws.once('open', () => ws.send(JSON.stringify({ v: 1, type: 'subscribe', skills: '*' })));
        ws.once('error', reject);
      });
    });
    await Promise.all(opened);
  }
  return clients;
}

/** A masked client text frame (payload < 64 KiB). */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = crypto.randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, body]);
}

/**
 * Minimal clients: a real WebSocket handshake (offering permessage-deflate like
 * a browser) and a subscribe frame, then they only scan the bytes they receive
 * for the event marker instead of decoding frames. In one process, 1,000 full
 * ws clients would spend more time decoding than the server spends sending,
 * and that serialised client work would be measured as broadcast latency.
 */
async function openRawClients(port: number, n: number, onLatency: (seq: number, ms: number) => void): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  const marker = /"session_id":"bench-(\d+)-(\d+)"/g;
  const open = () =>
    new Promise<void>((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      sockets.push(sock);
      sock.setNoDelay(true);
      let handshaken = false;
      let subscribed = false;
      let tail = '';
      sock.on('error', reject);
      sock.on('connect', () => {
        sock.write(
          `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
            `Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n`,
        );
      });
      sock.on('data', (chunk: Buffer) => {
        const now = process.hrtime.bigint();
        const text = tail + chunk.toString('latin1');
        if (!handshaken) {
          if (!text.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake refused: ${text.split('\r\n')[0]}`));
          handshaken = true;
          sock.write(clientFrame(JSON.stringify({ v: 1, type: 'subscribe', skills: '*' })));
        }
        if (!subscribed && text.includes('"type":"subscribed"')) {
          subscribed = true;
          resolve();
        }
        let last = 0;
        for (const m of text.matchAll(marker)) {
          onLatency(Number(m[1]), Number(now - BigInt(m[2]!)) / 1e6);
          last = m.index + m[0].length;
        }
        // keep a little of the end, in case a marker is split across chunks
        tail = text.slice(Math.max(last, text.length - 48));
      });
    });
  for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, open));
  return sockets;
}

async function closeClients(clients: WebSocket[]): Promise<void> {
  await Promise.all(
    clients.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close();
        }),
    ),
  );
}

async function broadcastRound(server: ServerProcess, seq: number, expected: number, received: Map<number, number>): Promise<void> {
  await server.request({ type: 'emit', seq }, `emitted:${seq}`);
  const deadline = Date.now() + 10_000;
  while ((received.get(seq) ?? 0) < expected) {
    if (Date.now() > deadline) throw new Error(`round ${seq}: only ${received.get(seq) ?? 0} of ${expected} clients received the event`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** VmRSS of a process in bytes, from /proc (Linux). */
function vmRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * Starts `session-buddy start --foreground` on a fresh data directory the way
 * users do (bin/session-buddy.js, running the bundle: it is built first), and
 * reads its RSS once it listens and again after `idleMs` without a request.
 */
async function startedServerRss(idleMs: number): Promise<{ started: number; idle: number }> {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { stdio: 'ignore' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-rss-'));
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/session-buddy.js'), '--data-dir', dir, 'start', '--foreground', '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
    });
    await new Promise((r) => setTimeout(r, 1000));
    const started = vmRss(child.pid!);
    await new Promise((r) => setTimeout(r, idleMs));
    return { started, idle: vmRss(child.pid!) };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const counts = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  const CLIENTS = counts.length ? counts : [1, 100, 1000];
  const rows: Row[] = [];

  // The server as users run it: RSS from /proc.
  const IDLE_MS = 20_000;
  const real = await startedServerRss(IDLE_MS);
  rows.push(
    { what: '`session-buddy start` (bundle), RSS 1 s after it listens', value: mb(real.started), target: '', ok: '' },
    {
      what: `\`session-buddy start\` (bundle), RSS idle (${IDLE_MS / 1000} s without a request)`,
      value: mb(real.idle),
      target: `< ${TARGETS.idleRssMb} MB`,
      ok: real.idle / 1024 / 1024 < TARGETS.idleRssMb ? 'yes' : 'NO',
    },
  );

  // Baseline: the same app and HTTP server without metrics, /ws and dashboard.
  const base = await ServerProcess.start(true);
  await new Promise((r) => setTimeout(r, 1000));
  const baseRss = (await base.server.request({ type: 'rss' }, 'rss')) as Extract<FromServer, { type: 'rss' }>;
  await base.server.stop();

  const load0 = os.loadavg()[0]!;
  const { server, port, metricsPort, series } = await ServerProcess.start();
  process.stderr.write(`server on 127.0.0.1:${port}, ${series} samples on /metrics\n`);

  // idle RSS, before any scrape or client
  await new Promise((r) => setTimeout(r, 1000));
  const idle = (await server.request({ type: 'rss' }, 'rss')) as Extract<FromServer, { type: 'rss' }>;
  rows.push(
    {
      what: 'benchmark server process (tsx), RSS idle, without real-time components (after GC)',
      value: `${mb(baseRss.rss)} (heap ${mb(baseRss.heapUsed)})`,
      target: '',
      ok: '',
    },
    {
      what: 'benchmark server process (tsx), RSS idle, with metrics + /ws + dashboard (after GC)',
      value: `${mb(idle.rss)} (heap ${mb(idle.heapUsed)})`,
      target: '',
      ok: '',
    },
  );

  // /metrics
  const inproc = (await server.request({ type: 'scrape', n: SCRAPES }, 'scraped')) as Extract<FromServer, { type: 'scraped' }>;
  const scrapeHttp = async (p: number) => {
    const times: number[] = [];
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < SCRAPES + 20; i++) {
      const t = performance.now();
      await httpGet(p, '/metrics', agent);
      if (i >= 20) times.push(performance.now() - t);
    }
    agent.destroy();
    return times;
  };
  const httpTimes = await scrapeHttp(port);
  const dedicatedTimes = await scrapeHttp(metricsPort);
  const inP95 = percentile(inproc.times.slice(20), 0.95);
  const httpP95 = percentile(httpTimes, 0.95);
  const dedicatedP95 = percentile(dedicatedTimes, 0.95);
  rows.push(
    {
      what: `/metrics size (${SKILLS} skills x ${PHASES.length} phases)`,
      value: `${series} samples, ${(inproc.bytes / 1024).toFixed(0)} KiB`,
      target: '',
      ok: '',
    },
    {
      what: 'scrape, registry serialisation p50 / p95',
      value: `${ms(percentile(inproc.times.slice(20), 0.5))} / ${ms(inP95)}`,
      target: `p95 < ${TARGETS.scrapeP95Ms} ms`,
      ok: inP95 < TARGETS.scrapeP95Ms ? 'yes' : 'NO',
    },
    {
      what: 'scrape, HTTP GET main port p50 / p95 (client in another process)',
      value: `${ms(percentile(httpTimes, 0.5))} / ${ms(httpP95)}`,
      target: `p95 < ${TARGETS.scrapeP95Ms} ms`,
      ok: httpP95 < TARGETS.scrapeP95Ms ? 'yes' : 'NO',
    },
    {
      what: 'scrape, HTTP GET dedicated metrics port p50 / p95',
      value: `${ms(percentile(dedicatedTimes, 0.5))} / ${ms(dedicatedP95)}`,
      target: `p95 < ${TARGETS.scrapeP95Ms} ms`,
      ok: dedicatedP95 < TARGETS.scrapeP95Ms ? 'yes' : 'NO',
    },
  );

  // broadcast latency
  let seq = 0;
  const fullWs = process.argv.includes('--ws-clients');
  for (const n of CLIENTS) {
    for (const kind of fullWs ? (['raw', 'ws'] as const) : (['raw'] as const)) {
      const latencies: number[] = [];
      const received = new Map<number, number>();
      const onLatency = (s: number, l: number) => {
        latencies.push(l);
        received.set(s, (received.get(s) ?? 0) + 1);
      };
      const clients = kind === 'raw' ? await openRawClients(port, n, onLatency) : await openClients(port, n, onLatency);
      // Warm-up rounds, then measured rounds. Rounds are spaced beyond the coalescing
      // interval (100 ms), so each event is pushed on its own, as isolated events are.
      const pause = () => new Promise((r) => setTimeout(r, 120 + Math.floor(Math.random() * 40)));
      for (let i = 0; i < 5; i++) {
        await broadcastRound(server, ++seq, n, received);
        await pause();
      }
      latencies.length = 0;
      for (let i = 0; i < ROUNDS; i++) {
        await broadcastRound(server, ++seq, n, received);
        await pause();
      }
      const p99 = percentile(latencies, 0.99);
      const judged = n === 1000 && kind === 'raw';
      rows.push({
        what: `broadcast of an event to ${n} client${n === 1 ? '' : 's'}${kind === 'ws' ? ' (full ws clients, decoding in one process)' : ''} p50 / p99 / max (${latencies.length} deliveries)`,
        value: `${ms(percentile(latencies, 0.5))} / ${ms(p99)} / ${ms(Math.max(...latencies))}`,
        target: judged ? `p99 < ${TARGETS.broadcastP99Ms} ms` : '',
        ok: judged ? (p99 < TARGETS.broadcastP99Ms ? 'yes' : 'NO') : '',
      });
      if (n === Math.max(...CLIENTS) && kind === 'raw') {
        await new Promise((r) => setTimeout(r, 2500)); // let a few snapshots go out
        const busy = (await server.request({ type: 'rss' }, 'rss')) as Extract<FromServer, { type: 'rss' }>;
        rows.push({
          what: `benchmark server process (tsx), RSS with ${busy.clients} clients, snapshots flowing (after GC)`,
          value: `${mb(busy.rss)} (heap ${mb(busy.heapUsed)})`,
          target: '',
          ok: '',
        });
      }
      if (kind === 'raw') for (const sock of clients as net.Socket[]) sock.destroy();
      else await closeClients(clients as WebSocket[]);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  await server.stop();

  const head = ['measurement', 'value', 'target', 'met'];
  const table = [head, head.map(() => '---'), ...rows.map((r) => [r.what, r.value, r.target, r.ok])];
  process.stdout.write(
    `\nReal-time monitoring benchmark: node ${process.version} (benchmark server process under tsx), ` +
      `${os.cpus().length} CPU ${os.cpus()[0]?.model ?? ''}, load average ${load0.toFixed(1)} -> ${os.loadavg()[0]!.toFixed(1)}\n\n` +
      `${table.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`,
  );
}

if (process.argv.includes('--server')) {
  await runServer();
} else {
  await main();
}
