/**
 * The skill report on one seeded store, without the seeding in the same
 * process (so `node --cpu-prof` shows the reads alone). The seed is that of
 * `npm run bench` (demo invocations plus two attributed API calls each).
 * Prints median / p95 of 200 calls after 20 warm-up calls per variant, in
 * wall-clock time and in the process's CPU time, through the MCP tool and
 * through the service alone (without the MCP layer), and the default report
 * with one invocation recorded before each call (the write not timed).
 *
 *   node --import tsx bench/report-reads.ts seed /tmp/sb-report 1000000   # once
 *   node --import tsx bench/report-reads.ts read /tmp/sb-report
 *   node --cpu-prof --import tsx bench/report-reads.ts read /tmp/sb-report "90"   # only the variants whose label contains "90"
 *   node --expose-gc --import tsx bench/report-reads.ts memory /tmp/sb-report     # heap kept by the report's period caches
 *
 * `memory`: the heap in use after a garbage collection, measured after a 1-day report (the code
 * loaded and compiled, next to nothing cached) and again after the 30- and 90-day reports of every
 * variant (every whole day of the seed cached): the difference is what the caches keep.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { connectInMemory } from '../src/testing/harness.js';
import { generateDemoInvocations } from '../src/tracking/demo-data.js';
import { benchCosts } from './bench-costs.js';

const [mode, dir, arg] = process.argv.slice(2);
if (!dir) throw new Error('usage: report-reads.ts seed|read <dir> [n|filter]');
const app = createApp(parseConfig({ flags: { dataDir: dir }, env: { SESSION_BUDDY_RATE_LIMIT: '1000000/1000000' } }), { logger: createLogger('silent') });
if (mode === 'seed') {
  for (const chunk of generateDemoInvocations({ invocations: Number(arg ?? 1_000_000), seed: 42, now: app.now() }, 200_000)) {
    await app.tracker.trackBatch(chunk);
    await app.stores.skillCosts.record(benchCosts(chunk, app.hashUser));
  }
  await app.close();
  process.exit(0);
}
const client = await connectInMemory(app.createMcpServer('prof'));
const variants: [string, Record<string, unknown>, Parameters<typeof app.skillReport.report>[0]][] = [
  ['default', { days: 30, limit: 100 }, { days: 30, subjectHash: null, projectDir: null, limit: 100 }],
  ['one skill', { skill: 'run-tests' }, { days: 30, skill: 'run-tests', subjectHash: null, projectDir: null, limit: 100 }],
  ['per user, k = 5', { user_id: 'user-1' }, { days: 30, subjectHash: app.hashUser('user-1'), projectDir: null, limit: 100 }],
  ['90 days', { days: 90, limit: 100 }, { days: 90, subjectHash: null, projectDir: null, limit: 100 }],
];
if (mode === 'memory') {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed / 1024 / 1024;
  };
  for (let i = 0; i < 3; i++) await app.skillReport.report({ days: 1, subjectHash: null, projectDir: null, limit: 100 });
  const before = heap();
  for (const days of [30, 90]) for (const [, , query] of variants) for (let i = 0; i < 3; i++) await app.skillReport.report({ ...query, days });
  const after = heap();
  console.log(
    `heap in use after a 1-day report ${before.toFixed(1)} MiB; after the 30- and 90-day reports ${after.toFixed(1)} MiB; kept by the caches ${(after - before).toFixed(1)} MiB`,
  );
  await client.close();
  await app.close();
  process.exit(0);
}
const pct = (s: number[], q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!.toFixed(2);
async function time(label: string, call: () => Promise<unknown>, before?: (i: number) => Promise<unknown>) {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 220; i++) {
    if (before) await before(i);
    const t = performance.now();
    const c = process.cpuUsage();
    await call();
    if (i >= 20) {
      wall.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  console.log(`${label}: median ${pct(wall, 0.5)} p95 ${pct(wall, 0.95)} ms; CPU median ${pct(cpu, 0.5)} p95 ${pct(cpu, 0.95)} ms`);
}
for (const [label, args, query] of variants) {
  if (arg !== undefined && !label.includes(arg)) continue;
  await time(`get_skill_report (${label})`, async () => {
    const r = (await client.callTool({ name: 'get_skill_report', arguments: args })) as CallToolResult;
    if (r.isError) throw new Error(JSON.stringify(r.content));
  });
  await time(`  service only (${label})`, () => app.skillReport.report(query));
}
// Writes between reads: one invocation (now) before each call changes the current hour and day, so their pieces are read again.
if (arg === undefined || 'write'.includes(arg)) {
  const write = (i: number) =>
    app.tracker.track({
      skill_name: 'run-tests',
      user_id: 'user-1',
      session_id: `w-${i % 10}`,
      workflow_phase: 'testing',
      completed: true,
      duration_ms: 1000 + i,
    });
  await time(
    'get_skill_report (default, one write before each call)',
    async () => {
      const r = (await client.callTool({ name: 'get_skill_report', arguments: { days: 30, limit: 100 } })) as CallToolResult;
      if (r.isError) throw new Error(JSON.stringify(r.content));
    },
    write,
  );
}
await client.close();
await app.close();
