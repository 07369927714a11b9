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

/** Builds the portable addon in `tmp` and runs the tests with it in place; the tests' exit status. */
function buildAndTest(tmp) {
  // The same sources and build settings, with SB_PORTABLE defined.
  const gyp = JSON.parse(fs.readFileSync(path.join(root, 'native', 'binding.gyp'), 'utf8'));
  for (const target of gyp.targets) target.defines = [...(target.defines ?? []), 'SB_PORTABLE'];
  fs.writeFileSync(path.join(tmp, 'binding.gyp'), JSON.stringify(gyp, null, 2));
  for (const source of gyp.targets.flatMap((t) => t.sources)) fs.copyFileSync(path.join(root, 'native', source), path.join(tmp, source));
  const args = nodeGypRebuild(tmp);
  if (!args) throw new Error('node-gyp not found beside npm');
  const build = spawnSync(process.execPath, args, { cwd: tmp, encoding: 'utf8' });
  const portable = path.join(tmp, 'build', 'Release', 'transcript_scan.node');
  if (build.status !== 0 || !fs.existsSync(portable)) throw new Error(`the portable build failed:\n${`${build.stdout}${build.stderr}`.slice(-3000)}`);
  const { simd } = createRequire(import.meta.url)(portable);
  if (simd !== 'portable') throw new Error(`the SB_PORTABLE build reports simd = ${JSON.stringify(simd)}, not "portable"`);

  const saved = path.join(tmp, 'usual.node');
  fs.copyFileSync(built, saved);
  try {
    fs.copyFileSync(portable, built);
    process.stdout.write(`the portable scanner build in place of the usual one, for ${TESTS.join(', ')}\n`);
    return spawnSync(process.execPath, ['--import', 'tsx', '--test', ...TESTS], { cwd: root, stdio: 'inherit' }).status ?? 1;
  } finally {
    fs.copyFileSync(saved, built);
  }
}

if (!fs.existsSync(built)) {
  process.stderr.write(`check-portable-scanner: ${path.relative(root, built)} is missing: run \`npm run build:native\` first\n`);
  process.exit(1);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-portable-scanner-'));
let status;
try {
  status = buildAndTest(tmp);
} catch (err) {
  process.stderr.write(`check-portable-scanner: ${err.message}\n`);
  status = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (status !== 0) process.stderr.write(`check-portable-scanner: failed (exit ${status})\n`);
else process.stdout.write('the portable scanner decodes as the JavaScript path does\n');
process.exit(status);
