/**
 * Where an archive file is: at the path its `archives` row recorded, or, when the data directory was
 * moved or copied, by its name in the archive folder beside the database. One lookup for every reader
 * of archive files (archive's key backfill, merge-data's target and source archives).
 */
import fs from 'node:fs';
import path from 'node:path';

/** The archive file recorded as `recorded`, found at that path or by name in `folder`; undefined when in neither. */
export function findArchiveFile(recorded: string, folder: string): string | undefined {
  return [recorded, path.join(folder, path.basename(recorded))].find((f) => fs.existsSync(f));
}
