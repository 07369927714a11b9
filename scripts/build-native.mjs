#!/usr/bin/env node
/**
 * Builds the native transcript scanner (native/transcript_scan.cc, a Node-API
 * addon) with node-gyp. Run by `npm install` (the install script) and by
 * `npm run build:native`. It never fails an install: where it cannot be built
 * (no C++ compiler, no Node.js headers), `session-buddy import` decodes
 * transcripts in JavaScript to the same result, only slower, and `doctor`
 * says so.
 *
 * Offline: node-gyp builds against the headers of the running Node.js when it
 * ships them (<prefix>/include/node), or against npm's `nodedir` setting,
 * instead of downloading them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'native');
const prefix = path.resolve(path.dirname(process.execPath), '..');
const nodeGyp = [process.env.npm_config_node_gyp, path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].find(
  (p) => p && fs.existsSync(p),
);
const started = Date.now();
const warn = (why) => {
  process.stderr.write(
    `session-buddy: the native transcript scanner was not built (${why}); \`session-buddy import\` decodes transcripts in JavaScript instead (same result, slower). \`npm run build:native\` tries again.\n`,
  );
};
if (!nodeGyp) {
  warn('node-gyp not found beside npm');
} else {
  const args = [nodeGyp, 'rebuild', '--directory', dir];
  if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
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
