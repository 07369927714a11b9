/**
 * The commands that only read (`status`, `doctor`, `skills`, `search`, `migrate --status`) on a SQLite
 * store this user cannot write (a mounted backup, another account's readable directory): they
 * open it read-only, without migrations, and say so once on stderr. The commands that write
 * are refused by the store itself (database.ts), in one line.
 */
import type { App } from '../app.js';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { type SqliteWriteProblem, sqliteWriteProblem } from '../store/sqlite-access.js';
import type { CliContext } from './context.js';

/** The problem when the configured SQLite store cannot be written by this user (said once on stderr), else null. */
export function readOnlyStore(config: Config, ctx: Pick<CliContext, 'stderr'>): SqliteWriteProblem | null {
  if (config.store.kind !== 'sqlite') return null;
  const problem = sqliteWriteProblem(config.dbPath);
  if (problem === null) return null;
  const where = problem.dir === config.dataDir ? `the data directory ${problem.dir}` : `${problem.dir} (the database's directory)`;
  const what = problem.path === problem.dir ? '' : ` (${problem.path})`;
  ctx.stderr.write(`note: ${where} is read-only${what}: ${problem.reason} (${problem.code}); it is read as it is (no migrations) and nothing is recorded\n`);
  return problem;
}

/**
 * The app (silent) of a command that only reads: a SQLite store this user cannot write is opened
 * read-only and not migrated (said once on stderr, readOnlyStore); search by meaning uses the stored
 * vectors only and writes none.
 */
export async function openAppToRead(config: Config, ctx: Pick<CliContext, 'stderr'>): Promise<App> {
  const readonly = readOnlyStore(config, ctx) !== null;
  return (await import('../app.js')).openApp(config, { logger: createLogger('silent'), readonly, embedBackfill: false });
}
