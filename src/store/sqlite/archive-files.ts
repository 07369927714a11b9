/**
 * Where an archive file is: at the path its `archives` row recorded, or, when the data directory was
 * moved or copied, by its name in the archive folder beside the database. One lookup for every reader
 * of archive files (archive's key backfill, merge-data's target and source archives), and one read
 * of the ids and dedupe keys a file holds (archive's key backfill, merge-data's target archives).
 */
import fs from 'node:fs';
import path from 'node:path';

/** The archive file recorded as `recorded`, found at that path or by name in `folder`; undefined when in neither. */
export function findArchiveFile(recorded: string, folder: string): string | undefined {
  return [recorded, path.join(folder, path.basename(recorded))].find((f) => fs.existsSync(f));
}

/** The id and dedupe key of every row of the archive file at `file`; throws when it cannot be read as one. */
export async function readArchivedKeys(file: string): Promise<Array<{ id: string; dedupe_key: string | null }>> {
  // Loaded here: the Parquet reader is for archive files only.
  const { asyncBufferFromFile, parquetReadObjects } = await import('hyparquet');
  return (await parquetReadObjects({ file: await asyncBufferFromFile(file), columns: ['id', 'dedupe_key'] })) as Array<{
    id: string;
    dedupe_key: string | null;
  }>;
}
