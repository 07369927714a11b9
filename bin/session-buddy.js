#!/usr/bin/env node
// Runs the bundle in dist/ (built by `npm install`, `npm start` and `npm run build`) when it is
// up to date with the sources, and otherwise the TypeScript sources themselves through tsx.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { newestSourceMtime } from '../scripts/source-mtime.mjs';

function bundleIsFresh() {
  try {
    const info = JSON.parse(fs.readFileSync(new URL('../dist/.build-info.json', import.meta.url), 'utf8'));
    return info.newestSourceMtimeMs >= newestSourceMtime(fileURLToPath(new URL('..', import.meta.url)));
  } catch {
    return false; // no bundle yet
  }
}

if (bundleIsFresh()) {
  await import('../dist/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
