/**
 * Two server processes on one PostgreSQL store and one Redis: an invocation
 * recorded through instance A (MCP over Streamable HTTP) reaches a WebSocket
 * client of instance B (through the Redis fan-out) and B's analytics (through
 * the shared store). Skipped, with the reason, when PostgreSQL or Redis is
 * not reachable.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocket } from 'ws';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable } from '../testing/backends.js';
import { callOk } from '../testing/harness.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');

function redisReachable(): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: 6379 }, () => {
      s.end();
      resolve(null);
    });
    s.on('error', (err) => resolve(`Redis not reachable at ${REDIS_URL}: ${err.message}`));
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(`Redis not reachable at ${REDIS_URL}: timeout`);
    });
  });
}

interface Instance {
  child: ChildProcess;
  url: string;
  dataDir: string;
}

/** Starts `session-buddy start --foreground` and resolves with its URL once it listens. */
function startInstance(storeUrl: string, channel: string): Promise<Instance> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-multi-'));
  const child = spawn(
    process.execPath,
    [BIN, 'start', '--foreground', '--port', '0', '--store', storeUrl, '--pubsub', REDIS_URL, '--data-dir', dataDir, '--log-level', 'warn'],
    { env: { ...process.env, SESSION_BUDDY_PUBSUB_CHANNEL: channel, SESSION_BUDDY_AUDIT: 'off' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`instance did not start within 20 s: ${err}`));
    }, 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, dataDir });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance exited (${code}): ${err}`));
    });
  });
}

async function stop(instance: Instance | undefined): Promise<void> {
  if (!instance) return;
  if (instance.child.exitCode === null) {
    const exited = new Promise((r) => instance.child.once('exit', r));
    instance.child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(instance.dataDir, { recursive: true, force: true });
}

/** Opens /ws, subscribes to invocation events and resolves with the first event batch naming `skill`. */
async function watchInvocations(baseUrl: string, skill: string): Promise<{ ready: Promise<void>; event: Promise<Record<string, unknown>>; close(): void }> {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws`);
  let subscribed!: () => void;
  const ready = new Promise<void>((r) => (subscribed = r));
  const event = new Promise<Record<string, unknown>>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ v: 1, type: 'subscribe', skills: [skill], channels: ['invocations'] })));
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as { type: string; events?: Record<string, unknown>[] };
      if (msg.type === 'subscribed') subscribed();
      const hit = msg.type === 'invocations' ? msg.events?.find((e) => e.skill_name === skill) : undefined;
      if (hit) resolve(hit);
    });
  });
  return { ready, event, close: () => ws.close() };
}

async function mcpClient(baseUrl: string): Promise<{ client: Client; close(): Promise<void> }> {
  const client = new Client({ name: 'multi-instance-test', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`));
  await client.connect(transport);
  return {
    client,
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

describe('two instances on one PostgreSQL store and one Redis', async () => {
  const skip = (await pgReachable(DEFAULT_TEST_PG_URL)) ?? (await redisReachable());
  it('show an invocation recorded on one in the other’s live stream and analytics', { skip: skip ?? false, timeout: 60_000 }, async () => {
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    const channel = `sb-test-${process.pid}-${Date.now()}`;
    let a: Instance | undefined;
    let b: Instance | undefined;
    try {
      // Both at once: they race for the migrations (an advisory lock serialises them) and agree on the shared salt.
      const started = await Promise.allSettled([startInstance(schema.url, channel), startInstance(schema.url, channel)]);
      [a, b] = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
      for (const r of started) if (r.status === 'rejected') throw r.reason;
      if (!a || !b) throw new Error('unreachable');
      const watch = await watchInvocations(b.url, 'cross-instance-skill');
      const mcpA = await mcpClient(a.url);
      const mcpB = await mcpClient(b.url);
      try {
        await watch.ready;
        const tracked = await callOk<{ id: string }>(mcpA.client, 'track_skill_invocation', {
          skill_name: 'cross-instance-skill',
          user_id: 'alice',
          session_id: 'multi-1',
          workflow_phase: 'testing',
          completed: true,
          duration_ms: 1234,
        });
        // B's WebSocket client gets the event A recorded (relayed over Redis).
        const event = await watch.event;
        assert.equal(event.id, tracked.id);
        assert.equal(event.duration_ms, 1234);
        assert.equal(event.completed, true);
        // B's analytics read the shared store: 1 invocation, 1 success, 1234 ms.
        const metrics = await callOk<{ top_skills: { skill_name: string; invocations: number; successes: number; avg_duration_ms: number }[] }>(
          mcpB.client,
          'get_real_time_metrics',
          { time_window_hours: 1 },
        );
        const row = metrics.top_skills.find((s) => s.skill_name === 'cross-instance-skill');
        assert.deepEqual(row && [row.invocations, row.successes, row.avg_duration_ms], [1, 1, 1234]);
        // Prometheus: the instance that recorded it counts it; B does not (sum() over instances stays right).
        const series = 'skill_invocations_total{skill_name="cross-instance-skill",workflow_phase="testing",completed="true"}';
        const scrape = async (url: string) => (await (await fetch(`${url}/metrics`)).text()).split('\n').find((l) => l.startsWith(series));
        assert.equal(await scrape(a.url), `${series} 1`);
        assert.equal(await scrape(b.url), undefined);
      } finally {
        watch.close();
        await mcpA.close();
        await mcpB.close();
      }
    } finally {
      await Promise.all([stop(a), stop(b)]);
      await schema.drop();
    }
  });
});
