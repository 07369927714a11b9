/** VACUUM + ANALYZE of a SQLite file, with its size (file and WAL) before and after. */
import fs from 'node:fs';
import { openDatabase, type OpenOptions } from '../database.js';

function fileSize(path: string): number {
  let total = 0;
  for (const p of [path, `${path}-wal`]) if (fs.existsSync(p)) total += fs.statSync(p).size;
  return total;
}

export function compactDatabase(dbPath: string, opts: OpenOptions = {}): { beforeBytes: number; afterBytes: number; ms: number } {
  const db = openDatabase(dbPath, opts);
  try {
    const beforeBytes = fileSize(dbPath);
    const started = Date.now();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('VACUUM');
    db.exec('ANALYZE');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { beforeBytes, afterBytes: fileSize(dbPath), ms: Date.now() - started };
  } finally {
    db.close();
  }
}
