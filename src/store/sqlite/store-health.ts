/** `doctor`'s facts about a SQLite file (read-only). */
import { openDatabase } from '../database.js';
import type { SqliteHealth } from '../store-health.js';
import { usersSalt } from './user-salt.js';
import { Migrator } from './migrator.js';
import { verifyRollupConsistency, verifyRollups } from './rollup-check.js';

/** Throws what opening or reading the file throws (the doctor advises by its code); `dataDir`: the data directory it is opened from. */
export function readSqliteHealth(dbPath: string, deep: boolean, dataDir: string): SqliteHealth {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    const migrator = new Migrator(db);
    const started = Date.now();
    const integrity = String(db.pragma(deep ? 'integrity_check' : 'quick_check', { simple: true }));
    const integrityMs = Date.now() - started;
    const archived = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'archives'").pluck().get()
      ? (db.prepare('SELECT count(*) FROM archives').pluck().get() as number)
      : 0;
    return {
      kind: 'sqlite',
      schemaVersion: migrator.currentVersion(),
      latestVersion: migrator.latestVersion,
      integrity,
      integrityMs,
      // After an archive the raw rows of the archived period are gone on purpose: the rollups are then
      // compared with each other only (each day with its hours, the all-time figures with the hours), not with raw rows.
      rollupMismatches: deep ? (archived > 0 ? verifyRollupConsistency(db, 5) : verifyRollups(db, 5)) : null,
      archived,
      pageSize: db.pragma('page_size', { simple: true }) as number,
      pageCount: db.pragma('page_count', { simple: true }) as number,
      freelistCount: db.pragma('freelist_count', { simple: true }) as number,
      usersSalt: usersSalt(db, dbPath, dataDir),
    };
  } finally {
    db.close();
  }
}
