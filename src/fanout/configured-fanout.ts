/**
 * Starts the fan-out named by config.pubsub (Redis) on the app's bus, and
 * stops it when the app closes. Without config.pubsub there is none (kind
 * `none`): events stay in this process. Either way its status is what
 * /health reports.
 */
import type { App } from '../app.js';
import type { RedisFanout, RedisFanoutState } from './redis-fanout.js';

/** The fan-out of live events to other instances, as /health shows it. */
type FanoutStatus = { kind: 'redis'; state: RedisFanoutState } | { kind: 'none'; state: 'off' };

export interface ConfiguredFanout {
  status(): FanoutStatus;
}

export async function startConfiguredFanout(app: Pick<App, 'config' | 'bus' | 'logger' | 'onClose' | 'storeId'>): Promise<ConfiguredFanout> {
  const { pubsub } = app.config;
  if (!pubsub) return { status: () => ({ kind: 'none', state: 'off' }) };
  // Loaded only when configured: without a fan-out nothing pays for the Redis client.
  const { startRedisFanout } = await import('./redis-fanout.js');
  // A Redis that cannot be reached fails the start (STORE_UNAVAILABLE, naming --pubsub or SESSION_BUDDY_PUBSUB).
  const fanout: RedisFanout = await startRedisFanout({
    url: pubsub.url,
    bus: app.bus,
    logger: app.logger.child({ component: 'fanout' }),
    source: pubsub.source,
    store: app.storeId,
    ...(pubsub.channel !== null ? { channel: pubsub.channel } : {}),
  });
  app.onClose(() => fanout.close());
  app.logger.info('fanning live events out over Redis', { instance: fanout.instanceId });
  return { status: () => ({ kind: 'redis', state: fanout.state() }) };
}
