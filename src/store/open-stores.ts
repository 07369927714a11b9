/**
 * Builds the store bundle (stores.ts) for the configured back-end, the only
 * place that chooses one:
 * - SQLite (the default): sqlite/stores.ts, opened synchronously;
 * - PostgreSQL (`--store postgres://...`): postgres/stores.ts, loaded only
 *   when configured.
 * On PostgreSQL, each entry point makes the process's application_name mark
 * (postgres/pool.ts newPgInstance) once and gives it to every pool it opens,
 * with the setting that chose the URL (config.store.source) for the messages
 * about a server that cannot be reached.
 */
import fs from 'node:fs';
import type { Config, UrlSource } from '../config.js';
import { openDatabase, type SqliteDb } from './database.js';
import type { PeerConnection, SchemaMigrator } from './migrations.js';
import type { PgStore } from './postgres/store.js';
import { readSalt, writeSalt } from './salt.js';
import { Migrator } from './sqlite/migrator.js';
import { readSqliteStatus } from './sqlite/store-status.js';
import { hasUnrecordedArchiveKeys } from './sqlite/archive-keys.js';
import { openSqliteStores } from './sqlite/stores.js';
import { readSqliteHealth } from './sqlite/store-health.js';
import { hasUserHashes } from './sqlite/user-salt.js';
import type { StoreHealth } from './store-health.js';
import type { StoreStatus } from './store-status.js';
import type { StoreOptions, Stores } from './stores.js';

export { openSqliteStores };

/**
 * The stores of the configured back-end (config.store). On PostgreSQL the
 * data directory's salt is offered as the shared one (adopted only when the
 * database has none yet); then the data directory's salt file is made a copy
 * of the shared salt (syncDataDirSalt), so that hooks spooling there hash
 * user ids as the store does. On SQLite the data directory's salt file must be the one the
 * database's users were hashed with (sqlite/user-salt.ts: another is refused, as when `--store
 * sqlite:PATH` names another installation's database). `readonly` (SQLite; see sqlite-access.ts): a store this process cannot
 * write, opened read-only and not migrated (an older schema is refused, saying who must migrate it).
 */
export async function openStores(config: Config, opts: StoreOptions & { migrate?: boolean; readonly?: boolean } = {}): Promise<Stores> {
  if (config.store.kind === 'postgres') {
    const { readonly: _readonly, ...pgOpts } = opts;
    // Loaded only here: the SQLite default (and every CLI command) does not pay for the PostgreSQL driver.
    const [{ openPgStores }, { newPgInstance }] = await Promise.all([import('./postgres/stores.js'), import('./postgres/pool.js')]);
    const local = readSalt(config.dataDir);
    const stores = await openPgStores(config.store.url, {
      ...pgOpts,
      poolSize: config.store.poolSize,
      instance: newPgInstance(),
      source: config.store.source,
      ...(local ? { salt: local } : {}),
    });
    if (stores.userSalt !== null && stores.userSalt !== local) syncDataDirSalt(config.dataDir, config.dbPath, stores.userSalt);
    return stores;
  }
  const stores = openSqliteStores(config.dbPath, { ...opts, synchronous: config.sqliteSynchronous, dataDir: config.dataDir });
  if (!opts.readonly && opts.migrate !== false && stores.sqlite) {
    try {
      await recordPendingArchiveKeys(stores.sqlite.db, config.dataDir);
    } catch (err) {
      await stores.close();
      throw err;
    }
  }
  return stores;
}

/**
 * Files archived by a version before archived_dedupe_keys: their keys are read back from the Parquet
 * files now (by every writable open and by `migrate`), before anything this process records could take
 * an archived call for a new one and count it twice. Loads the Parquet reader only when there are some.
 */
async function recordPendingArchiveKeys(db: SqliteDb, dataDir: string): Promise<void> {
  if (!hasUnrecordedArchiveKeys(db)) return;
  const { archiveDir, backfillArchivedKeys } = await import('./sqlite/archive.js');
  await backfillArchivedKeys(db, archiveDir(dataDir));
}

type DataDirSaltSync = 'unchanged' | 'written' | 'kept-for-sqlite' | 'failed';

/**
 * Team mode: writes the store's shared salt into `<dataDir>/salt` when the
 * file is missing or differs, because the hook pre-hashes the user ids it
 * spools with that file and never connects to the database (a line hashed
 * with another salt is refused by the store, see salt.ts).
 *
 * Except when a SQLite database beside it (`dbPath`) has rows with user
 * hashes: those were hashed with the file's salt, and replacing it would
 * split every such user in two should the directory go back to SQLite (and
 * `migrate-store` reads that file as the database's salt). The file is then
 * kept ('kept-for-sqlite'); a SQLite file that cannot be read counts as
 * having such rows. Failing to write (unwritable data directory) does not
 * fail the store ('failed'): only spooling depends on the file, and a hook
 * cannot spool into such a directory either.
 */
function syncDataDirSalt(dataDir: string, dbPath: string, shared: string): DataDirSaltSync {
  try {
    const local = readSalt(dataDir);
    if (local === shared) return 'unchanged';
    if (local !== null && sqliteHasUserHashes(dbPath)) return 'kept-for-sqlite';
    writeSalt(dataDir, shared);
    return 'written';
  } catch {
    return 'failed';
  }
}

/** Whether the SQLite file has any row with a user hash (true when it exists but cannot be read). */
function sqliteHasUserHashes(dbPath: string): boolean {
  if (!fs.existsSync(dbPath)) return false;
  try {
    const db = openDatabase(dbPath, { readonly: true });
    try {
      return hasUserHashes(db);
    } finally {
      db.close();
    }
  } catch {
    return true;
  }
}

/** A PostgreSQL store named by a URL of its own (openPgStoreAt), connected but not migrated yet. */
export interface PgStoreAt {
  store: PgStore;
  /** The connections other Session Buddy processes hold to its database and schema (as SchemaMigrator.otherConnections). */
  otherConnections(): Promise<PeerConnection[]>;
  /** Applies its pending migrations. */
  migrate(): Promise<void>;
}

/**
 * A PostgreSQL store named by a URL of its own (`migrate-store --to`), connected but not migrated, so
 * that the caller can first make sure no other Session Buddy process uses it; `source` is the flag or
 * variable that set the URL, named when it cannot be reached.
 */
export async function openPgStoreAt(url: string, source: UrlSource, poolSize: number): Promise<PgStoreAt> {
  const [{ PgStore }, { pgPeerConnections }, { newPgInstance, pgUnavailable }] = await Promise.all([
    import('./postgres/store.js'),
    import('./postgres/migrator.js'),
    import('./postgres/pool.js'),
  ]);
  const conn = { instance: newPgInstance(), source };
  const store = await PgStore.open(url, { ...conn, poolSize, migrate: false });
  return {
    store,
    otherConnections: () => pgPeerConnections(store.pool, url, conn),
    migrate: async () => {
      try {
        await store.migrator.up();
      } catch (err) {
        throw pgUnavailable(url, source, err);
      }
    },
  };
}

/**
 * The configured back-end's migrator (the SQLite file is created if missing; PostgreSQL is only connected to);
 * `readonly`: a SQLite store this process cannot write, opened to read its status only.
 */
export async function openSchemaMigrator(config: Config, opts: { readonly?: boolean } = {}): Promise<SchemaMigrator> {
  if (config.store.kind === 'postgres') {
    const [{ PgMigrator, pgPeerConnections }, { createPgPool, newPgInstance }] = await Promise.all([
      import('./postgres/migrator.js'),
      import('./postgres/pool.js'),
    ]);
    // One mark for every connection of this migrator: the other connections are those without it.
    const conn = { instance: newPgInstance(), source: config.store.source };
    const { url } = config.store;
    const pool = createPgPool(url, conn.instance, 2);
    const m = new PgMigrator(pool);
    return {
      latestVersion: m.latestVersion,
      otherConnections: () => pgPeerConnections(pool, url, conn),
      currentVersion: () => m.currentVersion(),
      status: () => m.status(),
      to: (target) => m.to(target),
      close: () => pool.end(),
    };
  }
  const db = openDatabase(config.dbPath, { synchronous: config.sqliteSynchronous, readonly: opts.readonly ?? false });
  const m = new Migrator(db);
  return {
    latestVersion: m.latestVersion,
    otherConnections: async () => [],
    currentVersion: async () => m.currentVersion(),
    status: async () => m.status(),
    to: async (target) => {
      const steps = await m.to(target);
      await recordPendingArchiveKeys(db, config.dataDir);
      return steps;
    },
    close: async () => {
      db.close();
    },
  };
}

/** The configured store's status, read as it is: nothing is migrated or created. */
export async function readStoreStatus(config: Config): Promise<StoreStatus> {
  if (config.store.kind === 'postgres') {
    const [{ readPgStatus }, { newPgInstance }] = await Promise.all([import('./postgres/store-status.js'), import('./postgres/pool.js')]);
    return readPgStatus(config.store.url, newPgInstance());
  }
  return readSqliteStatus(config.dbPath);
}

/** `doctor`'s facts about the configured store's database (the SQLite file must exist; reading errors are thrown). */
export async function readStoreHealth(config: Config, deep: boolean): Promise<StoreHealth> {
  if (config.store.kind === 'postgres') {
    const [{ readPgHealth }, { newPgInstance }] = await Promise.all([import('./postgres/store-health.js'), import('./postgres/pool.js')]);
    return readPgHealth(config.store.url, deep, { instance: newPgInstance(), source: config.store.source });
  }
  return readSqliteHealth(config.dbPath, deep, config.dataDir);
}
