/**
 * Cross-instance fan-out over Redis pub/sub. Events this instance records are
 * published on one channel; events other instances publish are re-emitted on
 * the local bus with their origin, so WebSocket clients of every instance see
 * every invocation and anomaly. Each message carries the publishing
 * instance's id; an instance ignores its own messages.
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { describeUrlSource, redactUrl, type UrlSource } from '../config.js';
import { AppError } from '../errors.js';
import type { AnomalyEvent, EventBus, InvocationEvent } from '../events.js';
import type { Logger } from '../logger.js';

const FANOUT_CHANNEL = 'session-buddy:events:v1';

interface FanoutMessage {
  v: 1;
  origin: string;
  /** The publishing instance's store (App.storeId); absent from older instances' messages, null when unknown. */
  store?: string | null;
  type: 'invocations' | 'anomalies';
  events: InvocationEvent[] | AnomalyEvent[];
  /** Invocations that are history, not live traffic (see EventMeta.backfill). */
  backfill?: boolean;
}

/**
 * `connected`: publisher and subscriber both ready; `reconnecting`: either lost its connection and is
 * retrying (events of other instances reach this one by store polling meanwhile); `closed`: stopped.
 */
export type RedisFanoutState = 'connected' | 'reconnecting' | 'closed';

export interface RedisFanout {
  instanceId: string;
  /** The connection state now (read from the clients, not from the last event logged). */
  state(): RedisFanoutState;
  close(): Promise<void>;
}

/**
 * Connects the publisher and the subscriber; a Redis that cannot be reached (refused, unknown host, bad
 * password) is STORE_UNAVAILABLE naming the server and `source`, the setting that chose the URL.
 */
export async function startRedisFanout(opts: {
  url: string;
  bus: EventBus;
  logger: Logger;
  channel?: string;
  source?: UrlSource;
  /**
   * This instance's store (App.storeId): messages of instances on another store (another deployment on
   * the same Redis and channel) are dropped, not shown as this store's live events.
   */
  store?: string | null;
  /**
   * How often each connection is checked with a PING, and how long its answer may take (default
   * LIVENESS): a connection whose Redis stopped answering without closing it (a network cut, a
   * stopped host) is dropped and reconnected, so its state says `reconnecting` instead of `connected`.
   */
  liveness?: { intervalMs: number; timeoutMs: number };
}): Promise<RedisFanout> {
  const channel = opts.channel ?? FANOUT_CHANNEL;
  const instanceId = crypto.randomUUID();
  const redisOptions = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false } as const;
  const pub = new Redis(opts.url, redisOptions);
  const sub = new Redis(opts.url, redisOptions);
  // Until both are connected, a client's error is the reason the start fails (said once, below).
  // Afterwards the clients reconnect by themselves, retrying about once a second: a lost connection is
  // logged once, with what still works, and its return once (not every failed retry).
  let connected = false;
  let firstError: Error | null = null;
  /** Drops a connection that does not answer (see `liveness`); ioredis then reconnects it. */
  const checks: Array<() => void> = [];
  const liveness = opts.liveness ?? LIVENESS;
  for (const [name, client] of [
    ['publisher', pub],
    ['subscriber', sub],
  ] as const) {
    let down = false;
    const lost = (err: Error) => {
      if (down) return;
      down = true;
      opts.logger.warn(`redis ${name} connection lost, reconnecting (other instances' live events arrive by store polling meanwhile)`, { err });
    };
    client.on('error', (err: Error) => {
      if (!connected) {
        firstError ??= err;
        return;
      }
      lost(err);
    });
    client.on('ready', () => {
      if (!down) return;
      down = false;
      opts.logger.info(`redis ${name} reconnected`);
    });
    let pinging = false;
    checks.push(() => {
      if (pinging || client.status !== 'ready') return;
      pinging = true;
      const stream = client.stream;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), liveness.timeoutMs)));
      Promise.race([
        client.ping().then(
          () => false,
          () => false,
        ),
        timedOut,
      ])
        .then((silent) => {
          if (!silent || client.status !== 'ready' || client.stream !== stream) return;
          lost(new Error(`no answer to PING within ${liveness.timeoutMs} ms`));
          // end() would wait for a peer that does not answer; destroying the socket makes ioredis reconnect.
          stream.destroy();
        })
        .finally(() => {
          clearTimeout(timer);
          pinging = false;
        });
    });
  }
  try {
    await Promise.all([pub.connect(), sub.connect()]);
    await sub.subscribe(channel);
    connected = true;
  } catch (err) {
    pub.disconnect();
    sub.disconnect();
    // ioredis rejects with "Connection is closed."; the client's own error says why (ECONNREFUSED, ENOTFOUND, WRONGPASS…).
    const why = firstError ?? (err as Error);
    const where = opts.source ? describeUrlSource(opts.source) : redactUrl(opts.url);
    // ioredis's parser blames itself ("Protocol error … Please report this.") when the server is not Redis at all.
    const message = /^Protocol error\b/.test(why.message)
      ? `the server there does not speak the Redis protocol (is it Redis? ${why.message.replace(/\s*Please report this\.?$/, '')})`
      : why.message;
    throw new AppError('STORE_UNAVAILABLE', `cannot connect to Redis at ${where}: ${message}`, {}, { cause: why });
  }
  let closed = false;
  const livenessTimer = setInterval(() => {
    for (const check of checks) check();
  }, liveness.intervalMs);
  livenessTimer.unref();
  /** Whether a message of another store was seen (said once). */
  let foreignSeen = false;

  sub.on('message', (_channel: string, raw: string) => {
    let msg: FanoutMessage;
    try {
      msg = JSON.parse(raw) as FanoutMessage;
    } catch {
      opts.logger.warn('ignoring malformed fan-out message');
      return;
    }
    if (msg.v !== 1 || msg.origin === instanceId || !Array.isArray(msg.events)) return;
    if (typeof msg.store === 'string' && typeof opts.store === 'string' && msg.store !== opts.store) {
      if (!foreignSeen) {
        foreignSeen = true;
        opts.logger.warn(
          `ignoring live events of instances on another store (${msg.store}; this one is ${opts.store}) on the Redis channel ${channel}: ` +
            'give each deployment its own channel (SESSION_BUDDY_PUBSUB_CHANNEL)',
        );
      }
      return;
    }
    if (msg.type === 'invocations') {
      opts.bus.emit(
        'invocations.recorded',
        msg.events as InvocationEvent[],
        msg.backfill === true ? { origin: msg.origin, backfill: true } : { origin: msg.origin },
      );
    } else if (msg.type === 'anomalies') opts.bus.emit('anomalies.detected', msg.events as AnomalyEvent[], { origin: msg.origin });
  });

  // A publish that fails is said once per connection of the publisher, not once per event: during an outage
  // every recorded invocation would otherwise log a line. While the publisher is not connected nothing is
  // sent (its loss was logged): the other instances read this one's rows from the store meanwhile.
  let publishFailureSaid = false;
  pub.on('ready', () => {
    publishFailureSaid = false;
  });
  const publish = (type: FanoutMessage['type'], events: InvocationEvent[] | AnomalyEvent[], backfill = false) => {
    if (pub.status !== 'ready') return;
    const message: FanoutMessage = { v: 1, origin: instanceId, store: opts.store ?? null, type, events, ...(backfill ? { backfill: true } : {}) };
    pub.publish(channel, JSON.stringify(message)).catch((err: Error) => {
      if (publishFailureSaid) return;
      publishFailureSaid = true;
      opts.logger.warn('redis publish failed (further failures are not logged until the publisher reconnects)', { err });
    });
  };
  const offInvocations = opts.bus.on('invocations.recorded', (events, meta) => {
    if (!meta?.origin) publish('invocations', events, meta?.backfill === true);
  });
  const offAnomalies = opts.bus.on('anomalies.detected', (events, meta) => {
    if (!meta?.origin) publish('anomalies', events);
  });

  return {
    instanceId,
    state: () => (closed ? 'closed' : pub.status === 'ready' && sub.status === 'ready' ? 'connected' : 'reconnecting'),
    async close() {
      closed = true;
      clearInterval(livenessTimer);
      offInvocations();
      offAnomalies();
      await Promise.allSettled([endClient(sub), endClient(pub)]);
    },
  };
}

/** Each connection gets a PING this often, and is taken for lost when its answer takes longer than timeoutMs. */
const LIVENESS = { intervalMs: 5000, timeoutMs: 5000 };

/** How long a connected client's QUIT may take before the connection is simply dropped. */
const QUIT_WAIT_MS = 1000;

/**
 * Ends a client without waiting for Redis: QUIT when it is connected (bounded by QUIT_WAIT_MS), else
 * a plain disconnect. A client that is reconnecting would hold QUIT until Redis is back, and a server
 * stopping then would never finish.
 */
async function endClient(client: Redis): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([client.quit(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('QUIT timed out')), QUIT_WAIT_MS)))]);
  } catch {
    client.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
