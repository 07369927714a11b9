/**
 * GET /health of a real server (`start --foreground`, run-server.ts) reports its fan-out: none without
 * --pubsub; with Redis the connection state, and overall `degraded` (still 200: the instance serves and
 * records) while Redis is lost, `ok` again once it is back. Redis runs behind a proxy that can cut it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from '../testing/eventually.js';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable } from '../testing/backends.js';
import { reachable, startTcpProxy } from '../testing/tcp-proxy.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');

interface Health {
  status: string;
  fanout: { kind: string; state: string };
  schema_version?: number | null;
  store_error?: { code: string; message: string };
}

interface Server {
  url: string;
  stop(): Promise<void>;
}

/** Starts `session-buddy start --foreground` on a free port and resolves once it listens. */
function startServer(args: string[], env: Record<string, string> = {}): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-health-'));
  const child: ChildProcess = spawn(process.execPath, [BIN, 'start', '--foreground', '--port', '0', '--data-dir', dataDir, '--log-level', 'error', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, SESSION_BUDDY_AUDIT: 'off', SESSION_BUDDY_EMBEDDINGS: 'off', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the server did not start within 30 s: ${err}`));
    }, 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, stop });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}): ${err}`));
    });
  });
}

async function health(server: Server): Promise<{ http: number; body: Health }> {
  const res = await fetch(`${server.url}/health`);
  return { http: res.status, body: (await res.json()) as Health };
}

describe('GET /health and the fan-out', async () => {
  const redisUp = await reachable(6379);

  it('says there is none without --pubsub, and is ok', { timeout: 60_000 }, async () => {
    const server = await startServer([]);
    try {
      const { http, body } = await health(server);
      assert.equal(http, 200);
      assert.equal(body.status, 'ok');
      assert.deepEqual(body.fanout, { kind: 'none', state: 'off' });
    } finally {
      await server.stop();
    }
  });

  it('reports Redis connected, then reconnecting and degraded (still 200) while it is lost, then ok again', {
    skip: redisUp ? false : 'no Redis server on 127.0.0.1:6379',
    timeout: 90_000,
  }, async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    const server = await startServer(['--pubsub', `redis://127.0.0.1:${proxy.port}`], { SESSION_BUDDY_PUBSUB_CHANNEL: `sb-health-${process.pid}` });
    try {
      const connected = await health(server);
      assert.equal(connected.http, 200);
      assert.equal(connected.body.status, 'ok');
      assert.deepEqual(connected.body.fanout, { kind: 'redis', state: 'connected' });

      proxy.cut();
      const lost = await eventually(
        () => health(server),
        (h) => h.body.fanout.state !== 'connected',
      );
      assert.equal(lost.http, 200, 'a lost fan-out does not take the instance out of a load balancer');
      assert.equal(lost.body.status, 'degraded');
      assert.deepEqual(lost.body.fanout, { kind: 'redis', state: 'reconnecting' });

      proxy.accept();
      const back = await eventually(
        () => health(server),
        (h) => h.body.fanout.state === 'connected',
        15_000,
      );
      assert.equal(back.body.status, 'ok');
      assert.deepEqual(back.body.fanout, { kind: 'redis', state: 'connected' });
    } finally {
      await server.stop();
      await proxy.close();
    }
  });

  it('answers 503 `unavailable`, naming the store error, while PostgreSQL cannot be reached; /metrics still serves; ok again once it is back', {
    skip: (await pgReachable(DEFAULT_TEST_PG_URL)) ?? false,
    timeout: 90_000,
  }, async () => {
    const pgUrl = new URL(DEFAULT_TEST_PG_URL);
    const proxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port) });
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    const viaProxy = new URL(schema.url);
    viaProxy.port = String(proxy.port);
    const server = await startServer(['--store', viaProxy.toString()]);
    try {
      const up = await health(server);
      assert.equal(up.http, 200);
      assert.equal(up.body.status, 'ok');

      proxy.cut();
      const down = await eventually(
        () => health(server),
        (h) => h.http !== 200,
      );
      assert.equal(down.http, 503);
      assert.equal(down.body.status, 'unavailable');
      assert.equal(down.body.schema_version, null);
      assert.equal(down.body.store_error?.code, 'STORE_UNAVAILABLE');
      assert.match(down.body.store_error?.message ?? '', /^the database server cannot be reached \(/);
      // The process's own series are still scraped.
      const metrics = await fetch(`${server.url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /^process_cpu_seconds_total /m);
      // A write answers 503 too (a hook keeps its line spooled), not 500.
      const write = await fetch(`${server.url}/api/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ skill_name: 'x', completed: true, duration_ms: 3, user_id: 'u', session_id: 's', workflow_phase: 'testing' }),
      });
      assert.equal(write.status, 503);

      proxy.accept();
      const back = await eventually(
        () => health(server),
        (h) => h.http === 200,
        15_000,
      );
      assert.equal(back.body.status, 'ok');
    } finally {
      await server.stop();
      await proxy.close();
      await schema.drop();
    }
  });
});
