/**
 * The maintenance commands that work on the SQLite file itself (backup,
 * restore, archive, compact, migrate's down steps) refuse a
 * PostgreSQL store with a clear message instead of silently working on a
 * local file nobody uses.
 */
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

const PG_EQUIVALENT: Record<string, string> = {
  backup: 'use pg_dump, or your provider’s snapshots',
  restore: 'use pg_restore',
  archive: 'raw invocations stay in PostgreSQL; partition or export them with PostgreSQL tools',
  compact: 'PostgreSQL reclaims space with (auto)vacuum',
};

export function requireSqliteStore(config: Config, command: string): void {
  if (config.store.kind === 'sqlite') return;
  const hint = PG_EQUIVALENT[command];
  throw new AppError(
    'INVALID_INPUT',
    `\`${command}\` works on the SQLite database file; this installation uses a PostgreSQL store${hint ? ` (${hint})` : ''}`,
    { field: 'store', rule: 'must be a SQLite store for this command' },
  );
}
