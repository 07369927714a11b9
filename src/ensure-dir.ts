/**
 * `mkdir -p` with owner-only permissions and a bounded number of steps.
 * Node's `mkdirSync(dir, { recursive: true })` loops for ever on some
 * pseudo file systems (e.g. a data directory under /proc), which would keep
 * a hook process spinning; this one gives up with an error instead.
 */
import fs from 'node:fs';
import path from 'node:path';

const MAX_DEPTH = 64;

export function ensureDir(dir: string, mode = 0o700): void {
  const missing: string[] = [];
  let cur = path.resolve(dir);
  for (let i = 0; ; i++) {
    if (i > MAX_DEPTH) throw new Error(`cannot create ${dir}: too many missing parents`);
    try {
      if (fs.statSync(cur).isDirectory()) break;
      throw Object.assign(new Error(`cannot create ${dir}: ${cur} is not a directory`), { code: 'ENOTDIR' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    missing.push(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
