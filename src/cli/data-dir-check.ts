/**
 * A data directory that cannot be one: the path, or a directory above it, is
 * an existing file. Every command would otherwise fail later in its own way
 * (EEXIST from mkdir, ENOTDIR from open, "not created yet" from `status`);
 * the CLI checks it once, before the command runs, and names the flag or
 * environment variable that chose the path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spoolPath } from '../capture/spool.js';
import { SALT_FILE } from '../store/salt.js';
import { pidFilePath } from './pidfile.js';

/** What is wrong with `dir` as a data directory, or null (it exists as a directory, or can be created as far as a stat tells). */
export function dataDirProblem(dir: string): string | null {
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(p, { throwIfNoEntry: false });
    } catch (err) {
      // ENOTDIR: a file further up, found on the next step; otherwise (EACCES…) the command reports what it cannot do.
      if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') return null;
    }
    if (st) {
      if (st.isDirectory()) return null;
      return p === path.resolve(dir) ? `${p} is a file, not a directory` : `${p} (in ${dir}) is a file, not a directory`;
    }
    if (path.dirname(p) === p) return null;
  }
}

/**
 * For a command that only reads (or only changes data already there), given a data directory by a
 * flag or variable: why it cannot be used, or null. A directory that does not exist, or one that
 * exists but that Session Buddy never wrote into (no database, `dbPath`, in it), would be given an
 * empty database, and the command would answer "no data" for a mistyped path. A directory the hooks
 * already write to (their salt and spool, before a server or a session's end stores the spool
 * in a new database), or where a server runs (its pid file: its store may be elsewhere), is a data
 * directory all the same: it is used as the default one is.
 */
export function missingDataDir(dir: string, dbPath: string, defaultDir: string): string | null {
  if (!fs.existsSync(dir)) return `no Session Buddy data at ${dir} (nothing was created); the default is ${defaultDir}`;
  const written = [dbPath, path.join(dir, SALT_FILE), spoolPath(dir), pidFilePath(dir)].some((p) => fs.existsSync(p));
  if (!written) return `no Session Buddy database in ${dir} (no ${path.basename(dbPath)}; nothing was created); the default is ${defaultDir}`;
  return null;
}

/** The same for a SQLite database named by `--store sqlite:PATH` (or the variable). */
export function missingDatabase(file: string): string | null {
  return fs.existsSync(file) ? null : `no Session Buddy database at ${file} (nothing was created)`;
}
