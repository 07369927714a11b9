/**
 * Store back-ends for tests: every store test suite runs against SQLite and,
 * when a server is reachable, PostgreSQL (each test in a schema of its own,
 * dropped afterwards). The PostgreSQL URL comes from the caller (tests read
 * it once from their environment); absent or unreachable means a visible skip.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openSqliteStores } from '../store/open-stores.js';
import { newPgInstance, type PgConnectOptions } from '../store/postgres/pool.js';
import { openPgStores, type PgStoreOptions } from '../store/postgres/stores.js';
import type { PgStore } from '../store/postgres/store.js';
import type { Stores } from '../store/stores.js';
import type { InvocationStore } from '../store/types.js';
import { EventBus } from '../events.js';
import { Tracker } from '../tracking/tracker.js';
import { createUlidFactory } from '../tracking/ulid.js';
import { createUserHasher } from '../store/salt.js';

export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, migrated store of one back-end, with every domain store over it. */
export interface OpenedBackend {
  /** Same as stores.invocations. */
  store: InvocationStore;
  stores: Stores;
  /** Runs raw SQL (for test set-up; keep it portable between the dialects). */
  exec(sql: string): Promise<void>;
  /** Runs one raw query and returns its rows. */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Closes the stores and removes the database (file or schema). */
  dispose(): Promise<void>;
}

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** Why the back-end is unavailable (the test is skipped with this message), or null. */
  skip: string | null;
  /** `salt` is the salt a PostgreSQL store adopts (SQLite keeps its salt in the data directory). */
  open(opts?: Omit<PgStoreOptions, keyof PgConnectOptions>): Promise<OpenedBackend>;
}

/** A Tracker over `store` with a fixed salt (user u hashes to `testHash(u)`) and its own bus. */
export function testTracker(store: InvocationStore, now: () => number = Date.now): { tracker: Tracker; bus: EventBus } {
  const bus = new EventBus();
  return { tracker: new Tracker({ store, hashUser: testHash, newId: createUlidFactory(), bus, maxMetadataBytes: 8192, now }), bus };
}

export const testHash = createUserHasher('0'.repeat(64));

export async function pgReachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return `PostgreSQL not reachable at ${url}: ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates a fresh schema and returns a connection URL whose search_path points at it. */
export async function createPgSchema(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `sb_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

export async function testBackends(pgUrl: string = DEFAULT_TEST_PG_URL): Promise<TestBackend[]> {
  const pgSkip = await pgReachable(pgUrl);
  return [
    {
      name: 'sqlite',
      skip: null,
      async open(opts = {}) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-store-'));
        const { salt: _salt, poolSize: _poolSize, ...sqliteOpts } = opts;
        const stores = openSqliteStores(path.join(dir, 'test.db'), sqliteOpts);
        const db = stores.sqlite!.db;
        return {
          store: stores.invocations,
          stores,
          async exec(sql) {
            db.exec(sql);
          },
          async query<T>(sql: string) {
            return db.prepare(sql).all() as T[];
          },
          async dispose() {
            await stores.close();
            fs.rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      skip: pgSkip,
      async open(opts = {}) {
        const schema = await createPgSchema(pgUrl);
        let stores: Stores;
        try {
          stores = await openPgStores(schema.url, { ...opts, poolSize: 4, instance: newPgInstance() });
        } catch (err) {
          await schema.drop();
          throw err;
        }
        const { pool } = stores.invocations as PgStore;
        return {
          store: stores.invocations,
          stores,
          async exec(sql) {
            await pool.query(sql);
          },
          async query<T>(sql: string) {
            return (await pool.query(sql)).rows as T[];
          },
          async dispose() {
            await stores.close();
            await schema.drop();
          },
        };
      },
    },
  ];
}
