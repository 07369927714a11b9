#!/usr/bin/env node
// Runs every *.test.ts under src/ (and test/, if present) with node:test through tsx.
// An explicit file list, because Node 20 does not discover .ts files itself;
// an empty list is an error, not a pass.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const roots = ['src', 'test'].filter((d) => fs.existsSync(d));
const files = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.name.endsWith('.test.ts')) files.push(p);
  }
};
roots.forEach(walk);
const filter = process.argv.slice(2);
const selected = filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  console.error(`no test files found${filter.length ? ` matching ${filter.join(', ')}` : ''}`);
  process.exit(1);
}
selected.sort();
console.error(`running ${selected.length} test files`);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...selected], { stdio: 'inherit' });
process.exit(result.status ?? 1);
