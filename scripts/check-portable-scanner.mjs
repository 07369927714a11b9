#!/usr/bin/env node
/**
 * The native transcript scanner's portable code (what CPUs without SSE2, e.g. ARM, run) checked on
 * this x86-64 machine: builds native/ with SB_PORTABLE into a temporary directory, puts that build in
 * place of native/build/Release/transcript_scan.node for the scanner's tests (which compare it with
 * the JavaScript decoder line by line, on crafted and random corpora), then puts the usual build back.
 *
 *   node scripts/check-portable-scanner.mjs     # after npm install (which builds the usual addon)
 *
 * Exits non-zero when the portable build cannot be made or a test fails.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeGypRebuild } from './node-gyp.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'native', 'build', 'Release', 'transcript_scan.node');
const TESTS = ['src/capture/native-scan.test.ts', 'src/capture/transcript-scan.test.ts', 'src/capture/transcript-import.test.ts'];
const fail = (message) => {
  process.stderr.write(`check-portable-scanner: ${message}\n`);
  process.exit(1);
};

if (!fs.existsSync(built)) fail(`${path.relative(root, built)} is missing: run \`npm run build:native\` first`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-portable-scanner-'));
const saved = path.join(tmp, 'usual.node');
let status = 1;
try {
  // The same sources and build settings, with SB_PORTABLE defined.
  const gyp = JSON.parse(fs.readFileSync(path.join(root, 'native', 'binding.gyp'), 'utf8'));
  for (const target of gyp.targets) target.defines = [...(target.defines ?? []), 'SB_PORTABLE'];
  fs.writeFileSync(path.join(tmp, 'binding.gyp'), JSON.stringify(gyp, null, 2));
  for (const source of gyp.targets.flatMap((t) => t.sources)) fs.copyFileSync(path.join(root, 'native', source), path.join(tmp, source));
  const args = nodeGypRebuild(tmp);
  if (!args) fail('node-gyp not found beside npm');
  const build = spawnSync(process.execPath, args, { cwd: tmp, encoding: 'utf8' });
  const portable = path.join(tmp, 'build', 'Release', 'transcript_scan.node');
  if (build.status !== 0 || !fs.existsSync(portable)) fail(`the portable build failed:\n${`${build.stdout}${build.stderr}`.slice(-3000)}`);
  const require = createRequire(import.meta.url);
  const { simd } = require(portable);
  if (simd !== 'portable') fail(`the SB_PORTABLE build reports simd = ${JSON.stringify(simd)}, not "portable"`);

  fs.copyFileSync(built, saved);
  fs.copyFileSync(portable, built);
  process.stdout.write(`the portable scanner build in place of the usual one, for ${TESTS.join(', ')}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...TESTS], { cwd: root, stdio: 'inherit' });
  status = run.status ?? 1;
} finally {
  if (fs.existsSync(saved)) fs.copyFileSync(saved, built);
  fs.rmSync(tmp, { recursive: true, force: true });
}
const { simd } = createRequire(import.meta.url)(built);
if (simd !== 'sse2' && os.arch() === 'x64') fail(`the usual build was not put back (simd = ${JSON.stringify(simd)})`);
if (status !== 0) fail(`the scanner's tests failed against the portable build (exit ${status})`);
process.stdout.write('the portable scanner decodes as the JavaScript path does\n');
