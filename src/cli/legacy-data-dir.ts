/**
 * Releases before 0.2 kept data in `./.session-buddy` of whatever directory a
 * command ran in. When such a folder sits in the working directory and is not
 * the data directory in use, commands say how to merge it — until it has been
 * merged into the data directory in use and has not changed since
 * (`merge-data` leaves a marker file in it recording what it merged).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DB_FILE, LEGACY_DATA_DIR } from '../config.js';

/** Written into a merged source directory by `merge-data`. */
const MERGED_MARKER = 'merged-into.json';

interface MergedMarker {
  into: string;
  at: string;
  /** The source database (and its WAL) as merged: a change afterwards means new rows there. */
  db: { size: number; mtime_ms: number };
}

function dbState(dir: string): MergedMarker['db'] {
  let size = 0;
  let mtime = 0;
  for (const f of [DB_FILE, `${DB_FILE}-wal`]) {
    const st = fs.statSync(path.join(dir, f), { throwIfNoEntry: false });
    if (!st) continue;
    size += st.size;
    mtime = Math.max(mtime, st.mtimeMs);
  }
  return { size, mtime_ms: mtime };
}

/** Records in `source` that it was merged into `dataDir`; false when the folder cannot be written (the notice then stays). */
export function markMerged(source: string, dataDir: string, now: Date): boolean {
  const marker: MergedMarker = { into: path.resolve(dataDir), at: now.toISOString(), db: dbState(source) };
  try {
    fs.writeFileSync(path.join(source, MERGED_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    return true;
  } catch {
    return false;
  }
}

function mergedUnchanged(legacy: string, dataDir: string): boolean {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(legacy, MERGED_MARKER), 'utf8')) as MergedMarker;
    const now = dbState(legacy);
    return m.into === path.resolve(dataDir) && m.db.size === now.size && m.db.mtime_ms === now.mtime_ms;
  } catch {
    return false;
  }
}

export function legacyDataDirNotice(cwd: string, dataDir: string): string | null {
  const legacy = path.join(cwd, LEGACY_DATA_DIR);
  if (path.resolve(legacy) === path.resolve(dataDir)) return null;
  if (!fs.existsSync(path.join(legacy, DB_FILE))) return null;
  if (mergedUnchanged(legacy, dataDir)) return null;
  return (
    `note: ${legacy} holds data from an earlier version (data now lives in ${dataDir}).\n` +
    `      Merge it with: session-buddy merge-data ${legacy}   (deduplicated; then delete the folder)\n`
  );
}
