/**
 * Releases before 0.2 kept data in `./.session-buddy` of whatever directory a
 * command ran in. When such a folder sits in the working directory and is not
 * the data directory in use, commands say how to merge it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DB_FILE, LEGACY_DATA_DIR } from '../config.js';

export function legacyDataDirNotice(cwd: string, dataDir: string): string | null {
  const legacy = path.join(cwd, LEGACY_DATA_DIR);
  if (path.resolve(legacy) === path.resolve(dataDir)) return null;
  if (!fs.existsSync(path.join(legacy, DB_FILE))) return null;
  return (
    `note: ${legacy} holds data from an earlier version (data now lives in ${dataDir}).\n` +
    `      Merge it with: session-buddy merge-data ${legacy}   (deduplicated; then delete the folder)\n`
  );
}
