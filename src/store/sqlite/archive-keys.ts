/**
 * Whether archive files written before archived_dedupe_keys existed still hold the only copy of their
 * rows' dedupe keys (archives.keys_recorded = 0). One indexed probe, so that every writable open can
 * ask it before it loads the Parquet reader to record them (archive.ts backfillArchivedKeys).
 */
import type { SqliteDb } from '../database.js';

export function hasUnrecordedArchiveKeys(db: SqliteDb): boolean {
  return db.prepare('SELECT 1 FROM archives WHERE keys_recorded = 0 LIMIT 1').get() !== undefined;
}
