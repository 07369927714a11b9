/**
 * Whether archive files written before archived_dedupe_keys existed still hold the only copy of their
 * rows' dedupe keys (archives.keys_recorded = 0). Cheap (the column's presence, then one probe), so
 * that every writable open can ask it before it loads the Parquet reader to record them (archive.ts
 * backfillArchivedKeys); false for a schema older than the column.
 */
import type { SqliteDb } from '../database.js';

export function hasUnrecordedArchiveKeys(db: SqliteDb): boolean {
  const columns = db.prepare("SELECT name FROM pragma_table_info('archives')").pluck().all() as string[];
  if (!columns.includes('keys_recorded')) return false;
  return db.prepare('SELECT 1 FROM archives WHERE keys_recorded = 0 LIMIT 1').get() !== undefined;
}
