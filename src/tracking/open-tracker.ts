/**
 * The write path alone, for CLI commands that only record invocations
 * (`import`): the configured stores and a Tracker, wired as createApp wires
 * them (src/app.ts: same data directory mode, salt, id factory and limits),
 * without the MCP server, insights and session services. Loading those costs
 * about 0.4 s of CPU per process, which `import` would pay on every run, even
 * when nothing changed.
 */
import type { Config } from '../config.js';
import { EventBus } from '../events.js';
import { openStores } from '../store/open-stores.js';
import { createUserHasher, loadOrCreateSalt } from '../store/salt.js';
import type { Stores } from '../store/stores.js';
import { Tracker } from './tracker.js';
import { createUlidFactory } from './ulid.js';
import { ensureDir } from '../ensure-dir.js';

export interface OpenedTracker {
  stores: Stores;
  tracker: Tracker;
  /** The user-id hasher the tracker uses (salted SHA-256). */
  hashUser: (userId: string) => string;
  now: () => number;
  close(): Promise<void>;
}

export async function openTracker(config: Config, opts: { now?: () => number; cacheMiB?: number } = {}): Promise<OpenedTracker> {
  const now = opts.now ?? Date.now;
  ensureDir(config.dataDir);
  const stores = await openStores(config, { now, ...(opts.cacheMiB ? { cacheMiB: opts.cacheMiB } : {}) });
  try {
    const hashUser = createUserHasher(stores.userSalt ?? loadOrCreateSalt(config.dataDir));
    const tracker = new Tracker({
      store: stores.invocations,
      hashUser,
      newId: createUlidFactory(),
      bus: new EventBus(),
      maxMetadataBytes: config.maxMetadataBytes,
      now,
    });
    return { stores, tracker, hashUser, now, close: () => stores.close() };
  } catch (err) {
    await stores.close();
    throw err;
  }
}
