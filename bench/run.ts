/**
 * Benchmark: seeds 1K, 10K, 100K and 1M invocations (or the sizes given as
 * arguments) and measures, for each MCP tool, the latency of a call through
 * the SDK Client (in memory), plus ingest rates for single and batched
 * tracking. Prints a Markdown table; read tools also get the process's CPU
 * time per call (user + system), which a loaded, shared machine inflates far
 * less than the wall-clock time.
 *
 *   npm run bench                 # all sizes
 *   npm run bench -- 1000 100000  # chosen sizes
 *   npm run bench -- 1000000 --only=get_skill_report  # one tool's reads only
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { connectInMemory } from '../src/testing/harness.js';
import { generateDemoInvocations } from '../src/tracking/demo-data.js';
import { benchCosts } from './bench-costs.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
/** `--only=NAME[,NAME]`: time only these read tools (and skip the ingest and write measurements). */
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter(Boolean);
const SIZES = sizes.length ? sizes : [1_000, 10_000, 100_000, 1_000_000];

/** Arguments each read tool is benchmarked with (tools not listed here are not timed). */
const READ_CALLS: Record<string, Record<string, unknown>> = {
  get_real_time_metrics: { limit: 10, time_window_hours: 1 },
  detect_anomalies: { threshold: 2, time_window_hours: 24 },
  get_skill_trend: { skill_name: 'run-tests', days: 7, granularity: 'hour' },
  get_collaborative_recommendations: { user_id: 'user-1', limit: 5 },
  get_community_baselines: { user_id: 'user-1' },
  get_skill_dependencies: { min_support: 0.01, limit: 20 },
  get_ab_test_results: { experiment: 'bench-experiment' },
  predict_skill_success: { skill_name: 'run-tests', workflow_phase: 'testing', user_id: 'user-1' },
  search_reflections: { query: 'flaky tests', limit: 5 },
  get_skill_report: { days: 30, limit: 100 },
};
/** The same tools over the longest windows they accept (more hourly rows per skill). */
const LONG_WINDOW_CALLS: [label: string, name: string, args: Record<string, unknown>][] = [
  ['get_real_time_metrics (720 h)', 'get_real_time_metrics', { limit: 10, time_window_hours: 720 }],
  ['detect_anomalies (168 h, 21-day baseline)', 'detect_anomalies', { threshold: 2, time_window_hours: 168, baseline_days: 21 }],
  ['get_skill_trend (30 days, hourly)', 'get_skill_trend', { skill_name: 'run-tests', days: 30, granularity: 'hour' }],
  ['get_skill_report (one skill)', 'get_skill_report', { skill: 'run-tests' }],
  ['get_skill_report (per user, k = 5)', 'get_skill_report', { user_id: 'user-1' }],
  ['get_skill_report (90 days)', 'get_skill_report', { days: 90, limit: 100 }],
];
/** Tools that write or train: timed with fewer iterations. */
const HEAVY_CALLS: Record<string, Record<string, unknown>> = {
  update_community_baselines: {},
  train_success_model: {},
};

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx]!;
}

async function timeCalls(client: Client, name: string, args: Record<string, unknown>, iterations: number, warmup: number) {
  const times: number[] = [];
  const cpu: number[] = [];
  let errors = 0;
  let lastError = '';
  for (let i = 0; i < warmup + iterations; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const res = (await client.callTool({ name, arguments: args })) as CallToolResult;
    const dt = performance.now() - t;
    const dc = process.cpuUsage(c);
    if (res.isError) {
      errors++;
      lastError = JSON.stringify(res.content).slice(0, 200);
    }
    if (i >= warmup) {
      times.push(dt);
      cpu.push((dc.user + dc.system) / 1000);
    }
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { median: percentile(times, 0.5), p95: percentile(times, 0.95), cpuMedian: percentile(cpu, 0.5), cpuP95: percentile(cpu, 0.95), errors, lastError };
}

const fmt = (ms: number) => (Number.isNaN(ms) ? 'n/a' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

async function benchSize(n: number): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-'));
  const app = createApp(parseConfig({ flags: { dataDir: dir }, env: { SESSION_BUDDY_RATE_LIMIT: '1000000/1000000' } }), {
    logger: createLogger('silent'),
  });
  const lines: string[] = [];
  try {
    // Batched import (the seed itself); only the tracker's time counts, not generating the demo data.
    let seedMs = 0;
    let costRows = 0;
    for (const chunk of generateDemoInvocations({ invocations: n, seed: 42, now: app.now() }, 200_000)) {
      const started = performance.now();
      await app.tracker.trackBatch(chunk);
      seedMs += performance.now() - started;
      // Attributed API calls for the skill report: one per invocation under the stamped and the bounded rule.
      const usage = benchCosts(chunk, app.hashUser);
      costRows += usage.length;
      await app.stores.skillCosts.record(usage);
    }
    const seedSecs = seedMs / 1000;
    process.stderr.write(`  seeded ${n} in ${seedSecs.toFixed(1)} s (+ ${costRows} attributed API calls)\n`);

    const client = await connectInMemory(app.createMcpServer('bench'));
    if (!only) lines.push(...(await ingestRates(app, client, n, seedSecs)));
    const { tools } = await client.listTools();
    const names = new Set(tools.map((x) => x.name).filter((x) => !only || only.includes(x)));
    if (names.has('create_ab_test') || (!only && names.has('get_ab_test_results'))) {
      await client.callTool({ name: 'create_ab_test', arguments: { name: 'bench-experiment', variants: ['control', 'treatment'], traffic_split: [0.5, 0.5] } });
    }
    for (const [name, args] of Object.entries(HEAVY_CALLS)) {
      if (!names.has(name)) continue;
      const r = await timeCalls(client, name, args, 3, 0);
      lines.push(
        `| ${n.toLocaleString('en-US')} | ${name} (write/train) | | ${fmt(r.median)} | ${fmt(r.p95)}${r.errors ? ` (${r.errors} errors: ${r.lastError})` : ''} |`,
      );
    }
    for (const [label, name, args] of [...Object.entries(READ_CALLS).map(([k, v]) => [k, k, v] as const), ...LONG_WINDOW_CALLS]) {
      if (!names.has(name)) continue;
      const r = await timeCalls(client, name, args, 200, 20);
      lines.push(
        `| ${n.toLocaleString('en-US')} | ${label} | | ${fmt(r.median)} | ${fmt(r.p95)}${r.errors ? ` (${r.errors} errors: ${r.lastError})` : ''} | ${fmt(r.cpuMedian)} | ${fmt(r.cpuP95)} |`,
      );
    }
    const missing = [...names].filter((x) => !(x in READ_CALLS) && !(x in HEAVY_CALLS) && !x.startsWith('track_') && x !== 'create_ab_test');
    if (missing.length) process.stderr.write(`  not timed (no benchmark arguments): ${missing.join(', ')}\n`);
    await client.close();
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

/** Ingest rates: single and concurrent tracking through the tracker, single and batched through the MCP tools. */
async function ingestRates(app: ReturnType<typeof createApp>, client: Client, n: number, seedSecs: number): Promise<string[]> {
  const lines: string[] = [];
  {
    // Single, durable (one transaction each) tracking through the tracker.
    const singles = Math.min(20_000, Math.max(2_000, n / 10));
    const base = { workflow_phase: 'testing', completed: true, duration_ms: 1234, project: 'bench' } as const;
    let t = performance.now();
    for (let i = 0; i < singles; i++) {
      await app.tracker.track({ ...base, skill_name: `run-tests`, user_id: `user-${i % 50}`, session_id: `single-${i % 500}` });
    }
    const singleRate = singles / ((performance.now() - t) / 1000);
    // Single tracking with 64 callers in flight (many agents/hooks at once): group commit shares commits.
    let next = 0;
    const worker = async () => {
      while (next < singles) {
        const i = next++;
        await app.tracker.track({ ...base, skill_name: 'type-check', user_id: `user-${i % 50}`, session_id: `conc-${i % 500}` });
      }
    };
    t = performance.now();
    await Promise.all(Array.from({ length: 64 }, worker));
    const concurrentRate = singles / ((performance.now() - t) / 1000);

    // Single tracking through the MCP tool (SDK client, in memory).
    const mcpSingles = 3_000;
    t = performance.now();
    for (let i = 0; i < mcpSingles; i++) {
      await client.callTool({
        name: 'track_skill_invocation',
        arguments: { ...base, skill_name: 'lint', user_id: `user-${i % 50}`, session_id: `mcp-${i % 300}` },
      });
    }
    const mcpSingleRate = mcpSingles / ((performance.now() - t) / 1000);
    // Batched tracking through the MCP tool: 1,000 per call.
    const batch = Array.from({ length: 1000 }, (_, i) => ({ ...base, skill_name: 'format', user_id: `user-${i % 50}`, session_id: `mcpb-${i % 100}` }));
    t = performance.now();
    for (let i = 0; i < 10; i++) await client.callTool({ name: 'track_skill_invocations', arguments: { invocations: batch } });
    const mcpBatchRate = 10_000 / ((performance.now() - t) / 1000);

    lines.push(`| ${n.toLocaleString('en-US')} | ingest: batched import (tracker, 200k/batch) | ${Math.round(n / seedSecs).toLocaleString('en-US')} /s | | |`);
    lines.push(
      `| ${n.toLocaleString('en-US')} | ingest: single, sequential, one commit each (tracker) | ${Math.round(singleRate).toLocaleString('en-US')} /s | | |`,
    );
    lines.push(
      `| ${n.toLocaleString('en-US')} | ingest: single, 64 concurrent callers, one durable ack each (tracker) | ${Math.round(concurrentRate).toLocaleString('en-US')} /s | | |`,
    );
    lines.push(
      `| ${n.toLocaleString('en-US')} | ingest: track_skill_invocation via SDK client | ${Math.round(mcpSingleRate).toLocaleString('en-US')} /s | | |`,
    );
    lines.push(
      `| ${n.toLocaleString('en-US')} | ingest: track_skill_invocations (1,000/call) via SDK client | ${Math.round(mcpBatchRate).toLocaleString('en-US')} /s | | |`,
    );
  }
  return lines;
}

const out = ['| invocations | measurement | rate | median ms | p95 ms | CPU median ms | CPU p95 ms |', '|---:|---|---:|---:|---:|---:|---:|'];
process.stderr.write(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}\n`);
for (const n of SIZES) {
  process.stderr.write(`size ${n}\n`);
  out.push(...(await benchSize(n)));
}
process.stdout.write(`${out.join('\n')}\n`);
