/**
 * The read tools that take a rolling window, on one seeded store, without the
 * seeding in the same process (so `node --cpu-prof` shows the reads alone).
 * Prints how many raw rows the recent hours hold (a window reads the raw rows
 * of its partial hours) and median / p95 of 100 calls after 20 warm-up calls,
 * in wall-clock time and in the process's CPU time (steadier on a shared machine).
 *
 *   node --import tsx bench/window-reads.ts seed /tmp/sb-reads 1000000   # once
 *   node --import tsx bench/window-reads.ts read /tmp/sb-reads
 *   node --cpu-prof --import tsx bench/window-reads.ts read /tmp/sb-reads
 *   node --import tsx bench/window-reads.ts read /tmp/sb-reads 720   # only the calls whose name or arguments contain "720"
 */
import Database from 'better-sqlite3';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { connectInMemory } from '../src/testing/harness.js';
import { generateDemoInvocations } from '../src/tracking/demo-data.js';

const [mode, dir, nStr] = process.argv.slice(2);
/** `read <dir> <filter>`: only the calls whose name and arguments contain <filter>. */
const only = mode === 'read' ? nStr : undefined;
const n = Number(nStr ?? 1_000_000);
const app = createApp(parseConfig({ flags: { dataDir: dir }, env: { SESSION_BUDDY_RATE_LIMIT: '1000000/1000000' } }), { logger: createLogger('silent') });
if (mode === 'seed') {
  for (const chunk of generateDemoInvocations({ invocations: n, seed: 42, now: app.now() }, 200_000)) await app.tracker.trackBatch(chunk);
  await app.close();
  process.exit(0);
}
const db = new Database(`${dir}/session-buddy.db`, { readonly: true });
const now = Date.now();
for (const h of [1, 24, 25, 168]) {
  const c = db.prepare('select count(*) c from skill_invocations where invoked_at >= ?').get(now - h * 3600_000) as { c: number };
  console.log(`raw rows in last ${h} h: ${c.c}`);
}
const client = await connectInMemory(app.createMcpServer('prof'));
const calls: [string, Record<string, unknown>][] = [
  ['get_real_time_metrics', { limit: 10, time_window_hours: 1 }],
  ['detect_anomalies', { threshold: 2, time_window_hours: 24 }],
  ['get_skill_dependencies', { min_support: 0.01, limit: 20 }],
  ['get_collaborative_recommendations', { user_id: 'user-1', limit: 5 }],
  ['get_real_time_metrics', { limit: 10, time_window_hours: 720 }],
  ['detect_anomalies', { threshold: 2, time_window_hours: 168, baseline_days: 21 }],
  ['get_skill_trend', { skill_name: 'run-tests', days: 30, granularity: 'hour' }],
];
for (const [name, args] of calls) {
  if (only !== undefined && !`${name} ${JSON.stringify(args)}`.includes(only)) continue;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 120; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (r.isError) throw new Error(JSON.stringify(r.content));
    if (i >= 20) {
      times.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  console.log(
    `${name} ${JSON.stringify(args)}: median ${times[50]!.toFixed(2)} p95 ${times[94]!.toFixed(2)} ms; CPU median ${cpu[50]!.toFixed(2)} p95 ${cpu[94]!.toFixed(2)} ms`,
  );
}
await client.close();
await app.close();
