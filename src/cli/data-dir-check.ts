/**
 * A data directory that cannot be one: the path, or a directory above it, is
 * an existing file. Every command would otherwise fail later in its own way
 * (EEXIST from mkdir, ENOTDIR from open, "not created yet" from `status`);
 * the CLI checks it once, before the command runs, and names the flag or
 * environment variable that chose the path.
 */
import fs from 'node:fs';
import path from 'node:path';

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
 * flag or variable: why it cannot be used, or null. A directory that does not exist would be
 * created, with an empty database, and the command would answer "no data" for a mistyped path.
 */
export function missingDataDir(dir: string, defaultDir: string): string | null {
  return fs.existsSync(dir) ? null : `no Session Buddy data at ${dir} (nothing was created); the default is ${defaultDir}`;
}

/** The same for a SQLite database named by `--store sqlite:PATH` (or the variable). */
export function missingDatabase(file: string): string | null {
  return fs.existsSync(file) ? null : `no Session Buddy database at ${file} (nothing was created)`;
}
