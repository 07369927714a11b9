#!/usr/bin/env node
/**
 * Builds the native transcript scanner (native/transcript_scan.cc, a Node-API
 * addon) with node-gyp. Run by `npm install` (the install script) and by
 * `npm run build:native`. It never fails an install: where it cannot be built
 * (no C++ compiler, no Node.js headers), `session-buddy import` decodes
 * transcripts in JavaScript to the same result, only slower, and `doctor`
 * says so.
 *
 * Offline: see node-gyp.mjs.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeGypRebuild } from './node-gyp.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'native');
const args = nodeGypRebuild(dir);
const started = Date.now();
const warn = (why) => {
  process.stderr.write(
    `session-buddy: the native transcript scanner was not built (${why}); \`session-buddy import\` decodes transcripts in JavaScript instead (same result, slower). \`npm run build:native\` tries again.\n`,
  );
};
if (!args) {
  warn('node-gyp not found beside npm');
} else {
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status === 0) process.stderr.write(`built the native transcript scanner in ${Date.now() - started} ms\n`);
  else {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('gyp info'))
      .slice(-8)
      .join('\n');
    process.stderr.write(`${tail}\n`);
    warn(r.error ? r.error.message : `node-gyp exited with ${r.status}`);
  }
}
