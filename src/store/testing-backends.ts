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
import { PgStore } from './postgres/pg-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { InvocationStore } from './types.js';

export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** Why the back-end is unavailable (the test is skipped with this message), or null. */
  skip: string | null;
  open(): Promise<{ store: InvocationStore; dispose(): Promise<void> }>;
}

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
      async open() {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-store-'));
        const store = new SqliteStore(path.join(dir, 'test.db'));
        return {
          store,
          async dispose() {
            store.close();
            fs.rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      skip: pgSkip,
      async open() {
        const schema = await createPgSchema(pgUrl);
        const store = await PgStore.open(schema.url, { poolSize: 4 });
        return {
          store,
          async dispose() {
            await store.close();
            await schema.drop();
          },
        };
      },
    },
  ];
}
