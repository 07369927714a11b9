/**
 * Whether this process can write a SQLite store: its directory (where SQLite
 * creates the -wal and -shm files) and its files. A data directory that is
 * a mounted backup, or another account's readable copy, cannot be written:
 * the commands that only read open it read-only (database.ts), without
 * migrations, and the commands that write refuse it in one line.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface SqliteWriteProblem {
  /** The directory of the database (the data directory unless `--store sqlite:PATH` puts it elsewhere). */
  dir: string;
  /** The file or directory that cannot be written. */
  path: string;
  /** EACCES, EPERM or EROFS. */
  code: string;
  /** Why, for a message: `read-only file system`, `permission denied for this user, uid 1000`. */
  reason: string;
}

function accessCode(p: string, how: number): string | null {
  try {
    fs.accessSync(p, how);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
    return code === 'ENOENT' ? null : code;
  }
}

function describe(code: string): string {
  if (code === 'EROFS') return 'read-only file system';
  const uid = typeof process.getuid === 'function' ? `, uid ${process.getuid()}` : '';
  return `${code === 'EPERM' ? 'operation not permitted' : 'permission denied'} for this user${uid}`;
}

/**
 * Why this process cannot write the SQLite database `dbPath` (its directory, the file, its -wal
 * or -shm file), or null: it can, or nothing of it exists yet (creating it reports its own error).
 * Root is refused only by a read-only file system, as the kernel decides (access(2)).
 */
export function sqliteWriteProblem(dbPath: string): SqliteWriteProblem | null {
  if (dbPath === ':memory:') return null;
  const file = path.resolve(dbPath);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) return null;
  for (const p of [dir, file, `${file}-wal`, `${file}-shm`]) {
    const code = accessCode(p, fs.constants.W_OK);
    if (code !== null) return { dir, path: p, code, reason: describe(code) };
  }
  return null;
}

/** One line for a command that would write: the directory, why it cannot be written, and what still works. */
export function cannotWriteMessage(p: SqliteWriteProblem): string {
  const what = p.path === p.dir ? p.dir : `${p.path} (in ${p.dir})`;
  return `cannot write ${what}: ${p.reason} (${p.code}); nothing can be recorded or changed there (status, doctor and skills still read it)`;
}
