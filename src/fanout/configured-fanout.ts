/**
 * Starts the fan-out named by config.pubsub (Redis) on the app's bus, and
 * stops it when the app closes. Without config.pubsub it does nothing.
 */
import type { App } from '../app.js';
import { AppError } from '../errors.js';
import type { RedisFanout } from './redis-fanout.js';

export async function startConfiguredFanout(app: Pick<App, 'config' | 'bus' | 'logger' | 'onClose'>): Promise<RedisFanout | null> {
  const { pubsub } = app.config;
  if (!pubsub) return null;
  // Loaded only when configured: without a fan-out nothing pays for the Redis client.
  const { startRedisFanout } = await import('./redis-fanout.js');
  let fanout: RedisFanout;
  try {
    fanout = await startRedisFanout({
      url: pubsub.url,
      bus: app.bus,
      logger: app.logger.child({ component: 'fanout' }),
      ...(pubsub.channel !== null ? { channel: pubsub.channel } : {}),
    });
  } catch (err) {
    throw new AppError('STORE_UNAVAILABLE', (err as Error).message, { field: 'pubsub' }, { cause: err });
  }
  app.onClose(() => fanout.close());
  app.logger.info('fanning live events out over Redis', { instance: fanout.instanceId });
  return fanout;
}
