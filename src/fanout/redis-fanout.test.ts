import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { EventBus, type EventMeta, type InvocationEvent } from '../events.js';
import { createLogger } from '../logger.js';
import { startRedisFanout } from './redis-fanout.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.setTimeout(500, () => {
      s.destroy();
      resolve(false);
    });
  });
}

const event: InvocationEvent = {
  id: '01TEST',
  skill_name: 'run-tests',
  session_id: 's',
  user_hash: 'h',
  workflow_phase: 'testing',
  completed: true,
  duration_ms: 5,
  error_type: null,
  invoked_at: 1,
  project: null,
  agent: null,
};

describe('Redis fan-out', async () => {
  const up = await reachable(6379);
  it('delivers one instance’s events to the other exactly once, never back to itself', { skip: up ? false : 'no Redis server on 127.0.0.1:6379' }, async () => {
    const logger = createLogger('silent');
    const channel = `test-${Date.now()}-${Math.random()}`;
    const busA = new EventBus();
    const busB = new EventBus();
    const a = await startRedisFanout({ url: REDIS_URL, bus: busA, logger, channel });
    const b = await startRedisFanout({ url: REDIS_URL, bus: busB, logger, channel });
    try {
      const seenA: [InvocationEvent[], EventMeta | undefined][] = [];
      const seenB: [InvocationEvent[], EventMeta | undefined][] = [];
      busA.on('invocations.recorded', (e, m) => seenA.push([e, m]));
      busB.on('invocations.recorded', (e, m) => seenB.push([e, m]));
      const arrived = new Promise<void>((resolve) => busB.on('invocations.recorded', () => resolve()));
      busA.emit('invocations.recorded', [event]);
      await arrived;
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(seenB.length, 1);
      assert.deepEqual(seenB[0]![0], [event]);
      assert.equal(seenB[0]![1]?.origin, a.instanceId);
      // A saw only its own local emit: the remote copy of its own message was ignored, and B did not re-publish.
      assert.equal(seenA.length, 1);
      assert.equal(seenA[0]![1], undefined);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('logs a lost connection once, not every retry, and its return once', { skip: up ? false : 'no Redis server on 127.0.0.1:6379' }, async () => {
    // A proxy in front of Redis that can drop its connections and refuse new ones for a while.
    const open = new Set<net.Socket>();
    let refusing = false;
    const proxy = net.createServer((client) => {
      if (refusing) return client.destroy();
      const upstream = net.connect({ host: '127.0.0.1', port: 6379 });
      open.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const port = (proxy.address() as net.AddressInfo).port;
    const lines: { level: string; msg: string }[] = [];
    const logger = createLogger('info', { write: (l: string) => lines.push(JSON.parse(l) as { level: string; msg: string }) });
    const fanout = await startRedisFanout({ url: `redis://127.0.0.1:${port}`, bus: new EventBus(), logger, channel: `sb-test-${process.pid}-down` });
    try {
      refusing = true;
      for (const s of open) s.destroy();
      await new Promise((r) => setTimeout(r, 3500)); // a few reconnection attempts, each refused
      refusing = false;
      const deadline = Date.now() + 10_000;
      while (lines.filter((l) => /reconnected/.test(l.msg)).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const lost = lines.filter((l) => /connection lost/.test(l.msg));
      const back = lines.filter((l) => /reconnected/.test(l.msg));
      assert.deepEqual(lost.map((l) => l.msg.split(' ')[1]).sort(), ['publisher', 'subscriber'], JSON.stringify(lines));
      assert.deepEqual(back.map((l) => l.msg.split(' ')[1]).sort(), ['publisher', 'subscriber'], JSON.stringify(lines));
      assert.equal(lines.length, 4, JSON.stringify(lines));
    } finally {
      await fanout.close();
      for (const s of open) s.destroy();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('fails clearly when Redis cannot be reached', async () => {
    await assert.rejects(
      startRedisFanout({ url: 'redis://127.0.0.1:1', bus: new EventBus(), logger: createLogger('silent') }),
      /^Error: cannot connect to Redis at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1$/,
    );
  });
});
