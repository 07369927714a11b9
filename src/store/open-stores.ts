/**
 * Builds the store bundle (stores.ts) for the configured back-end, the only
 * place that chooses one:
 * - SQLite (the default): sqlite/stores.ts, opened synchronously;
 * - PostgreSQL (`--store postgres://...`): postgres/stores.ts, loaded only
 *   when configured.
 */
import type { Config } from '../config.js';
import { loadOrCreateSalt } from './salt.js';
import { openSqliteStores } from './sqlite/stores.js';
import type { StoreOptions, Stores } from './stores.js';

export { openSqliteStores };

/**
 * The stores of the configured back-end (config.store). On PostgreSQL the
 * data directory's salt is offered as the shared one (adopted only when the
 * database has none yet).
 */
export async function openStores(config: Config, opts: StoreOptions & { migrate?: boolean } = {}): Promise<Stores> {
  if (config.store.kind === 'postgres') {
    // Loaded only here: the SQLite default (and every CLI command) does not pay for the PostgreSQL driver.
    const { openPgStores } = await import('./postgres/stores.js');
    return openPgStores(config.store.url, { ...opts, poolSize: config.store.poolSize, salt: loadOrCreateSalt(config.dataDir) });
  }
  return openSqliteStores(config.dbPath, { ...opts, synchronous: config.sqliteSynchronous });
}
