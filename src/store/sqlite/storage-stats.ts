/**
 * Reads the numbers storage.ts needs from an already-open SQLite connection
 * (for the composition root to pass to SessionManager as `storageStats`).
 */
import fs from 'node:fs';
import type { SqliteDb } from '../database.js';
import type { DatabaseStorageStats } from '../session-stats-types.js';

export function readSqliteStorageStats(db: SqliteDb, dbPath: string | null, tables: readonly string[] = []): DatabaseStorageStats {
  const num = (pragma: string) => Number(db.pragma(pragma, { simple: true }));
  let walBytes: number | null = null;
  if (dbPath && dbPath !== ':memory:') {
    try {
      walBytes = fs.statSync(`${dbPath}-wal`).size;
    } catch {
      walBytes = 0;
    }
  }
  const rows: Record<string, number> = {};
  for (const t of tables) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) continue;
    try {
      rows[t] = (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n;
    } catch {
      // table missing in this schema version
    }
  }
  return {
    ...(dbPath ? { dbPath } : {}),
    pageSize: num('page_size'),
    pageCount: num('page_count'),
    freelistCount: num('freelist_count'),
    walBytes,
    ...(tables.length ? { rows } : {}),
  };
}
