/** `status` of a SQLite file: size (with its WAL), schema version, row counts; read-only. */
import fs from 'node:fs';
import { openDatabase } from '../database.js';
import { STATUS_TABLES, type StoreStatus } from '../store-status.js';
import { Migrator } from './migrator.js';

export function readSqliteStatus(dbPath: string): StoreStatus {
  if (!fs.existsSync(dbPath)) return { kind: 'sqlite', path: dbPath, exists: false };
  const handle = openDatabase(dbPath, { readonly: true });
  try {
    const migrator = new Migrator(handle);
    const size = fs.statSync(dbPath).size + (fs.existsSync(`${dbPath}-wal`) ? fs.statSync(`${dbPath}-wal`).size : 0);
    const rows: Record<string, number> = {};
    for (const t of STATUS_TABLES) {
      try {
        rows[t] = handle.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
      } catch {
        // table not present at this schema version
      }
    }
    let archived: StoreStatus['archived'];
    try {
      const [archivedRows, files] = handle.prepare('SELECT coalesce(sum(rows), 0), count(*) FROM archives').raw().get() as [number, number];
      if (files > 0) archived = { rows: archivedRows, files };
    } catch {
      // no archives table at this schema version
    }
    return {
      kind: 'sqlite',
      path: dbPath,
      exists: true,
      size_bytes: size,
      schema_version: migrator.currentVersion(),
      latest_schema_version: migrator.latestVersion,
      rows,
      ...(archived ? { archived } : {}),
    };
  } finally {
    handle.close();
  }
}
