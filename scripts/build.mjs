#!/usr/bin/env node
/**
 * Bundles the CLI and server (src/cli/main.ts) and the worker entries (model
 * training, transcript scanning, reflection embeddings) into dist/ with esbuild: ES modules, npm
 * packages left as imports, code split at every dynamic import() so that what
 * a command does not use (PostgreSQL, Redis, Parquet, other commands) is never
 * loaded. Running the bundle instead of the TypeScript sources through tsx
 * saves tsx's own memory and start-up time. dist/.build-info.json records
 * the newest source file, so bin/session-buddy.js can tell a stale bundle.
 *
 *   node scripts/build.mjs        (npm run build; also run by npm install and npm start)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { newestSourceMtime } from './source-mtime.mjs';
import { BUNDLE_OPTIONS } from './bundle-options.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist');
const started = Date.now();
const newest = newestSourceMtime(root);
fs.rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'src/cli/main.ts',
    'train-worker': 'src/insights/train-worker.ts',
    'transcript-scan-worker': 'src/capture/transcript-scan-worker.ts',
    'embedding-worker': 'src/memory/embedding-worker.ts',
  },
  outdir,
  ...BUNDLE_OPTIONS,
  sourcemap: true,
  logLevel: 'warning',
});
fs.writeFileSync(path.join(outdir, '.build-info.json'), `${JSON.stringify({ newestSourceMtimeMs: newest })}\n`);
process.stderr.write(`built dist/ in ${Date.now() - started} ms\n`);
