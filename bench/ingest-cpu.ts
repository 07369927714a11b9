/**
 * Batched import alone (the `npm run bench` "batched import" row), timed in
 * wall-clock time and in the process's own CPU time. On a shared machine the
 * CPU-time rate varies far less than the wall-clock one, so two builds can be
 * compared by running this alternately.
 *
 *   node --import tsx bench/ingest-cpu.ts 400000
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { generateDemoInvocations } from '../src/tracking/demo-data.js';

const n = Number(process.argv[2] ?? 400_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-ingest-'));
const app = createApp(parseConfig({ flags: { dataDir: dir }, env: {} }), { logger: createLogger('silent') });
let wallMs = 0;
let cpuMs = 0;
try {
  for (const chunk of generateDemoInvocations({ invocations: n, seed: 42, now: app.now() }, 200_000)) {
    const t = performance.now();
    const c = process.cpuUsage();
    await app.tracker.trackBatch(chunk);
    const d = process.cpuUsage(c);
    cpuMs += (d.user + d.system) / 1000;
    wallMs += performance.now() - t;
  }
  process.stdout.write(`${n} invocations: ${Math.round(n / (wallMs / 1000))} /s wall-clock, ${Math.round(n / (cpuMs / 1000))} per CPU-second\n`);
} finally {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
