/**
 * A pg Pool whose BIGINT (int8) and NUMERIC values come back as JS numbers:
 * our counters and epoch-millisecond times stay far below 2^53.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { describeUrlSource, redactUrl, type UrlSource } from '../../config.js';
import { AppError } from '../../errors.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

const APP_PREFIX = 'session-buddy';

/** How a process connects to PostgreSQL: the mark its connections carry and, for messages, where the URL came from. */
export interface PgConnectOptions {
  /**
   * This process's mark in application_name (newPgInstance), made once by the composition
   * (store/open-stores.ts) and given to every pool it opens, so `migrate` tells its own connections from others'.
   */
  instance: string;
  /** The flag or variable that set the URL (see Config): named when the server cannot be reached. */
  source?: UrlSource;
}

/** A new process mark for application_name: the pid and a random tag (pids repeat across hosts and containers). */
export function newPgInstance(): string {
  return `${process.pid}.${crypto.randomBytes(3).toString('hex')}`;
}

/**
 * The application_name every connection of this process carries, `session-buddy <pid.tag>[ <schema>]`
 * (the schema when the URL chooses one with `options=-c search_path=…`), so that `pg_stat_activity`
 * tells Session Buddy connections apart, whose process they are and which schema they use.
 * An application_name in the URL wins (pg reads the URL's parameters last).
 */
export function pgApplicationName(connectionString: string, instance: string): string {
  const schema = urlSchema(connectionString);
  return `${APP_PREFIX} ${instance}${schema ? ` ${schema}` : ''}`.slice(0, 63);
}

/** The schema the URL's `options=-c search_path=…` puts first, or '' (the server's default). */
function urlSchema(connectionString: string): string {
  let options: string | null = null;
  try {
    options = new URL(connectionString).searchParams.get('options');
  } catch {
    return '';
  }
  return /search_path\s*=\s*"?([^\s,"]+)/.exec(options ?? '')?.[1] ?? '';
}

/** A Session Buddy application_name read back from `pg_stat_activity`: its instance and schema, or null. */
export function parsePgApplicationName(name: string): { instance: string; schema: string } | null {
  const parts = name.split(' ');
  if (parts[0] !== APP_PREFIX || parts.length < 2 || parts.length > 3) return null;
  return { instance: parts[1]!, schema: parts[2] ?? '' };
}

/**
 * The pool keeps one connection open once it has made one (`min`), however long it stays idle: an
 * idle server or MCP server is then still seen in `pg_stat_activity` by `migrate` and `migrate-store`,
 * which refuse to change the store under other Session Buddy processes (without it an idle process
 * had no connection after 10 s and went unseen). Idle connections do not keep a process alive
 * (`allowExitOnIdle`): a command that is done exits although its pool still holds one.
 */
export function createPgPool(connectionString: string, instance: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    application_name: pgApplicationName(connectionString, instance),
    max,
    min: 1,
    allowExitOnIdle: true,
    connectionTimeoutMillis: 5000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID || oid === NUMERIC_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that dies (PostgreSQL restarted, the network cut) is reported here, and the pool
  // has already dropped it; without a listener the event would end the process. The next query opens a
  // new connection, and a query made while PostgreSQL is away fails with its own error.
  pool.on('error', () => {});
  // A client checked out of the pool has no listener of the pool's: a connection that drops between two
  // of its queries (in a transaction, a migration under its lock) would end the process with an unhandled
  // 'error' event. The query in flight, or the next one on that client, fails with its own error instead,
  // and the pool drops the client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** What messages call the server: its address and the setting that chose it when known, else the URL with any password masked. */
export function pgServerLabel(url: string, source: UrlSource | undefined): string {
  return source ? describeUrlSource(source) : redactUrl(url);
}

/** A store that cannot be connected to (refused, unknown host, bad credentials, no such database). */
export function pgUnavailable(url: string, source: UrlSource | undefined, err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('STORE_UNAVAILABLE', `cannot open the PostgreSQL store at ${pgServerLabel(url, source)}: ${(err as Error).message}`, {}, { cause: err });
}

/** Runs `fn` in a transaction on one pooled client. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
