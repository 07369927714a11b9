/**
 * The project's root directory (the one holding package.json), found by
 * walking up from this module. It is the same from the TypeScript sources
 * (src/) and from the bundle (dist/), so files that ship beside the code
 * (migrations, dashboard assets, package.json) resolve from here in both.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

export function packageRoot(): string {
  if (root !== null) return root;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`no package.json in ${start} or above`);
  }
}
