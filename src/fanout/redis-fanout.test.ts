import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { EventBus, type EventMeta, type InvocationEvent } from '../events.js';
import { createLogger } from '../logger.js';
import { eventually } from '../testing/eventually.js';
import { reachable, startTcpProxy } from '../testing/tcp-proxy.js';
import { startRedisFanout } from './redis-fanout.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

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

/** The error of a fan-out started on `url` as `--pubsub` (failing the test with `connected` when it starts). */
function refusal(url: string, connected: string): Promise<Error> {
  return startRedisFanout({
    url,
    bus: new EventBus(),
    logger: createLogger('silent'),
    source: parseConfig({ cwd: '/', flags: { pubsub: url } }).pubsub!.source,
  }).then(
    () => assert.fail(connected),
    (e: Error) => e,
  );
}

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

  it('drops the events of instances on another store (another deployment on the same channel), saying so once', {
    skip: up ? false : 'no Redis server on 127.0.0.1:6379',
  }, async () => {
    const lines: Array<{ level: string; msg: string }> = [];
    const logger = createLogger('info', { write: (l: string) => lines.push(JSON.parse(l) as { level: string; msg: string }) });
    const channel = `test-${Date.now()}-${Math.random()}`;
    const [busA, busB, busC, busOld] = [new EventBus(), new EventBus(), new EventBus(), new EventBus()];
    const a = await startRedisFanout({ url: REDIS_URL, bus: busA, logger, channel, store: 'aaaa1111' });
    const b = await startRedisFanout({ url: REDIS_URL, bus: busB, logger, channel, store: 'aaaa1111' });
    const c = await startRedisFanout({ url: REDIS_URL, bus: busC, logger, channel, store: 'cccc2222' });
    // An instance that does not say its store (an older version): taken as it was.
    const old = await startRedisFanout({ url: REDIS_URL, bus: busOld, logger, channel });
    try {
      const seen = { b: 0, c: 0, old: 0 };
      busB.on('invocations.recorded', () => seen.b++);
      busC.on('invocations.recorded', () => seen.c++);
      busOld.on('invocations.recorded', () => seen.old++);
      busA.emit('invocations.recorded', [event]);
      busA.emit('invocations.recorded', [event]);
      // Until both copies reached B and the older instance (a loaded machine may take its time), then a
      // moment more for anything C would wrongly take: it got the same messages on its own connection.
      const deadline = Date.now() + 10_000;
      while ((seen.b < 2 || seen.old < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(seen, { b: 2, c: 0, old: 2 });
      const warned = lines.filter((l) => l.msg.startsWith('ignoring live events of instances on another store'));
      assert.equal(warned.length, 1, JSON.stringify(lines));
      assert.match(warned[0]!.msg, /\(aaaa1111; this one is cccc2222\).*SESSION_BUDDY_PUBSUB_CHANNEL/);
    } finally {
      await Promise.all([a.close(), b.close(), c.close(), old.close()]);
    }
  });

  it('logs a lost connection once, not every retry, and its return once; its state says so meanwhile', {
    skip: up ? false : 'no Redis server on 127.0.0.1:6379',
  }, async () => {
    // A proxy in front of Redis that can drop its connections and refuse new ones for a while.
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    const lines: { level: string; msg: string }[] = [];
    const logger = createLogger('info', { write: (l: string) => lines.push(JSON.parse(l) as { level: string; msg: string }) });
    const fanout = await startRedisFanout({ url: `redis://127.0.0.1:${proxy.port}`, bus: new EventBus(), logger, channel: `sb-test-${process.pid}-down` });
    try {
      assert.equal(fanout.state(), 'connected');
      proxy.cut();
      await new Promise((r) => setTimeout(r, 3500)); // a few reconnection attempts, each refused
      assert.equal(fanout.state(), 'reconnecting');
      proxy.accept();
      const deadline = Date.now() + 10_000;
      while (lines.filter((l) => /reconnected/.test(l.msg)).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const lost = lines.filter((l) => /connection lost/.test(l.msg));
      const back = lines.filter((l) => /reconnected/.test(l.msg));
      assert.deepEqual(lost.map((l) => l.msg.split(' ')[1]).sort(), ['publisher', 'subscriber'], JSON.stringify(lines));
      assert.deepEqual(back.map((l) => l.msg.split(' ')[1]).sort(), ['publisher', 'subscriber'], JSON.stringify(lines));
      assert.equal(lines.length, 4, JSON.stringify(lines));
      assert.equal(fanout.state(), 'connected');
    } finally {
      await fanout.close();
      await proxy.close();
    }
    assert.equal(fanout.state(), 'closed');
  });

  it('publishes nothing and logs nothing per event while Redis is away, and publishes again once it is back', {
    skip: up ? false : 'no Redis server on 127.0.0.1:6379',
  }, async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    const lines: { level: string; msg: string }[] = [];
    const logger = createLogger('info', { write: (l: string) => lines.push(JSON.parse(l) as { level: string; msg: string }) });
    const channel = `sb-test-${process.pid}-publish-down`;
    const bus = new EventBus();
    const fanout = await startRedisFanout({ url: `redis://127.0.0.1:${proxy.port}`, bus, logger, channel });
    // A second instance straight on Redis: what reaches it was published.
    const other = new EventBus();
    const watcher = await startRedisFanout({ url: REDIS_URL, bus: other, logger: createLogger('silent'), channel });
    const received: string[] = [];
    other.on('invocations.recorded', (events) => received.push(...events.map((e) => e.id)));
    try {
      proxy.cut();
      while (fanout.state() !== 'reconnecting') await new Promise((r) => setTimeout(r, 20));
      // An outage under load: every recorded invocation is emitted on the bus.
      for (let i = 0; i < 50; i++) bus.emit('invocations.recorded', [{ ...event, id: `down-${i}` }]);
      await new Promise((r) => setTimeout(r, 300));
      const perEvent = lines.filter((l) => /publish failed/.test(l.msg));
      assert.deepEqual(perEvent, [], 'a failed publish was logged per event');
      proxy.accept();
      while (fanout.state() !== 'connected') await new Promise((r) => setTimeout(r, 50));
      const arrived = new Promise<void>((resolve) => other.on('invocations.recorded', () => resolve()));
      bus.emit('invocations.recorded', [{ ...event, id: 'back' }]);
      await arrived;
      assert.deepEqual(received, ['back']);
    } finally {
      await Promise.all([fanout.close(), watcher.close()]);
      await proxy.close();
    }
  });

  it('takes a connection whose Redis stops answering without closing it (a network cut) for lost, and reconnects when it answers again', {
    skip: up ? false : 'no Redis server on 127.0.0.1:6379',
  }, async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    const lines: { level: string; msg: string; err?: { message: string } }[] = [];
    const logger = createLogger('info', { write: (l: string) => lines.push(JSON.parse(l) as { level: string; msg: string }) });
    const channel = `sb-test-${process.pid}-stalled`;
    const bus = new EventBus();
    const liveness = { intervalMs: 100, timeoutMs: 300 };
    const fanout = await startRedisFanout({ url: `redis://127.0.0.1:${proxy.port}`, bus, logger, channel, liveness });
    const other = new EventBus();
    const watcher = await startRedisFanout({ url: REDIS_URL, bus: other, logger: createLogger('silent'), channel });
    /** Waits until the fan-out's state is `state`, for at most 10 s (then the assertion after it fails). */
    const until = async (state: string) => {
      const deadline = Date.now() + 10_000;
      while (fanout.state() !== state && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    try {
      proxy.stall();
      await until('reconnecting');
      assert.equal(fanout.state(), 'reconnecting', 'a Redis that no longer answers was still reported connected');
      const lost = lines.filter((l) => /connection lost/.test(l.msg));
      assert.ok(lost.length >= 1, JSON.stringify(lines));
      assert.match(lost[0]!.err!.message, /no answer to PING within 300 ms/);
      proxy.resume();
      await until('connected');
      assert.equal(fanout.state(), 'connected');
      const arrived = new Promise<void>((resolve) => other.on('invocations.recorded', () => resolve()));
      bus.emit('invocations.recorded', [{ ...event, id: 'after-cut' }]);
      await arrived;
      // The subscriber subscribed again: the other instance's events reach this one.
      const back = new Promise<void>((resolve) => bus.on('invocations.recorded', (_e, meta) => meta?.origin && resolve()));
      other.emit('invocations.recorded', [{ ...event, id: 'from-other' }]);
      await back;
    } finally {
      await Promise.all([fanout.close(), watcher.close()]);
      await proxy.close();
    }
  });

  it('closes while Redis is away, and after it came back, and then stops reconnecting (a stopped server kept running)', {
    skip: up ? false : 'no Redis server on 127.0.0.1:6379',
  }, async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    /** Whether `p` settles before the deadline; a close that waits for Redis never does. */
    const settles = (p: Promise<unknown>, ms: number) =>
      Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    try {
      for (const comesBack of [false, true]) {
        const url = `redis://127.0.0.1:${proxy.port}`;
        const fanout = await startRedisFanout({ url, bus: new EventBus(), logger: createLogger('silent'), channel: `sb-test-${process.pid}-close` });
        proxy.cut();
        // The clients are retrying now: the connections are lost and new attempts were refused (waited for, not
        // timed: a loaded machine may take longer than any fixed sleep).
        const retrying = await eventually(
          async () => ({ state: fanout.state(), refused: proxy.refused() }),
          (s) => s.state === 'reconnecting' && s.refused >= 2,
          30_000,
        );
        assert.deepEqual([retrying.state, retrying.refused >= 2], ['reconnecting', true], JSON.stringify(retrying));
        if (comesBack) proxy.accept();
        assert.equal(await settles(fanout.close(), 10_000), true, `close() did not return (Redis ${comesBack ? 'back' : 'away'})`);
        assert.equal(fanout.state(), 'closed');
        // Closed clients no longer reconnect (they retry at least every 2 s, ioredis's longest delay): nothing connects
        // from now on. A connection a client was still opening when closed is no reconnection (the client ends it):
        // counted before, once the proxy has taken it in (on a loaded machine that may be after close() returned).
        proxy.accept();
        await proxy.settle();
        const before = proxy.accepted();
        await new Promise((r) => setTimeout(r, 2500));
        assert.equal(proxy.accepted(), before, `a closed client reconnected (Redis ${comesBack ? 'back' : 'away'} at close)`);
      }
    } finally {
      await proxy.close();
    }
  });

  it('fails with STORE_UNAVAILABLE naming the address and the setting that chose it, never the password', async () => {
    const source = (pubsub: string, env: Record<string, string> = {}) => parseConfig({ cwd: '/', flags: pubsub ? { pubsub } : {}, env }).pubsub!.source;
    const refused = 'redis://:s3cret@127.0.0.1:1';
    await assert.rejects(startRedisFanout({ url: refused, bus: new EventBus(), logger: createLogger('silent'), source: source(refused) }), {
      name: 'AppError',
      code: 'STORE_UNAVAILABLE',
      message: 'cannot connect to Redis at 127.0.0.1:1 (from --pubsub redis://:***@127.0.0.1:1): connect ECONNREFUSED 127.0.0.1:1',
    });
    const env = { SESSION_BUDDY_PUBSUB: 'redis://no-such-host.invalid:6390' };
    await assert.rejects(startRedisFanout({ url: env.SESSION_BUDDY_PUBSUB, bus: new EventBus(), logger: createLogger('silent'), source: source('', env) }), {
      code: 'STORE_UNAVAILABLE',
      message:
        /^cannot connect to Redis at no-such-host\.invalid:6390 \(from SESSION_BUDDY_PUBSUB=redis:\/\/no-such-host\.invalid:6390\): getaddrinfo (ENOTFOUND|EAI_AGAIN) no-such-host\.invalid$/,
    });
  });

  it('says a server that is not Redis does not speak its protocol, instead of asking to report a bug', async () => {
    // An HTTP server, as a wrong port often is: it answers the first command with a status line.
    const http = net.createServer((socket) => socket.once('data', () => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n')));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `redis://127.0.0.1:${(http.address() as net.AddressInfo).port}`;
    try {
      const err = await refusal(url, 'connected to a server that is not Redis');
      assert.match(
        err.message,
        /^cannot connect to Redis at 127\.0\.0\.1:\d+ \(from --pubsub redis:\/\/127\.0\.0\.1:\d+\): the server there does not speak the Redis protocol \(is it Redis\? Protocol error/,
      );
      assert.doesNotMatch(err.message, /report/);
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('names a password Redis refuses as the reason, without the password', { skip: up ? false : 'no Redis server on 127.0.0.1:6379' }, async () => {
    // The test server has no password for the default user: AUTH with one is refused, as a wrong one would be.
    const url = 'redis://nobody:s3cret@127.0.0.1:6379';
    const err = await refusal(url, 'connected with a bad password');
    assert.match(err.message, /^cannot connect to Redis at 127\.0\.0\.1:6379 \(from --pubsub redis:\/\/nobody:\*\*\*@127\.0\.0\.1:6379\): (WRONGPASS|ERR)/);
    assert.doesNotMatch(err.message, /s3cret/);
  });
});
