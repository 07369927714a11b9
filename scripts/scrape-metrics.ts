/**
 * Starts the server exactly as `start` mounts it (temporary data directory,
 * free ports, dedicated metrics port too), records a few invocations through
 * the HTTP API, makes one MCP tool call, scrapes /metrics and writes the
 * exposition to stdout: `node --import tsx scripts/scrape-metrics.ts | promtool check metrics`.
 * Exits non-zero when a scrape fails or the expected series are missing.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startHttpServer } from '../src/server/http-server.js';
import { defaultMounts } from '../src/server/mounts.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-scrape-'));
let exitCode = 0;
try {
  const metricsPort = await freePort();
  const config = parseConfig({ flags: { dataDir: dir, port: 0, metricsPort }, env: {} });
  const app = createApp(config, { logger: createLogger('warn') });
  const http = await startHttpServer(app, await defaultMounts(app));
  try {
    const inv = (skill: string, phase: string, completed: boolean, ms: number) => ({
      skill_name: skill,
      user_id: 'ci',
      session_id: 'ci-session',
      workflow_phase: phase,
      completed,
      duration_ms: ms,
    });
    const ingest = await fetch(`${http.url}/api/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        inv('run-tests', 'testing', true, 1200),
        inv('run-tests', 'testing', false, 30_000),
        inv('write-docs', 'documentation', true, 80),
        inv('label "quoted" \\ name', 'review', true, 5),
      ]),
    });
    if (!ingest.ok) throw new Error(`ingest failed: HTTP ${ingest.status} ${await ingest.text()}`);

    // Attributed API calls, so the skill cost gauges are in the scrape (one rule fully priced, one not).
    const call = (key: string, attribution: 'stamped' | 'bounded', costUsd: number | null) => ({
      key,
      skill: 'skill:pdf',
      attribution,
      userHash: app.hashUser('ci'),
      sessionKey: 'ci-session',
      model: costUsd === null ? 'unpriced-model' : 'claude-sonnet-4-5',
      at: Date.now(),
      inputTokens: 1200,
      outputTokens: 300,
      cacheWriteTokens: 0,
      cacheReadTokens: 5000,
      costUsd,
    });
    await app.stores.skillCosts.record([call('m1:stamped', 'stamped', 0.0123), call('m1:bounded', 'bounded', 0.0123), call('m2:bounded', 'bounded', null)]);

    const client = new Client({ name: 'scrape-metrics', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`));
    await client.connect(transport);
    await client.callTool({ name: 'track_skill_invocation', arguments: inv('deploy', 'deployment', true, 4000) });
    await transport.terminateSession().catch(() => {});
    await client.close();

    const res = await fetch(`${http.url}/metrics`);
    const text = await res.text();
    if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
    for (const needle of [
      'skill_invocations_total{skill_name="run-tests",workflow_phase="testing",completed="false"} 1',
      'skill_duration_seconds_bucket{skill_name="run-tests",le="60"} 2',
      'mcp_tool_calls_total{tool="track_skill_invocation",outcome="ok"} 1',
      'websocket_connections_active 0',
      'skill_anomalies_total{severity="critical"} 0',
      'process_resident_memory_bytes',
      'skill_cost_usd{skill_name="skill:pdf",attribution="stamped"} 0.0123',
      'skill_cost_unpriced_calls{skill_name="skill:pdf",attribution="bounded"} 1',
      'skill_attributed_tokens{skill_name="skill:pdf",attribution="bounded",kind="cache_read"} 10000',
    ]) {
      if (!text.includes(needle)) throw new Error(`/metrics lacks: ${needle}`);
    }
    const dedicated = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).catch(() => null);
    if (!dedicated?.ok) throw new Error('the dedicated metrics port did not answer GET /metrics');
    process.stdout.write(text);
  } finally {
    await http.close();
    await app.close();
  }
} catch (err) {
  process.stderr.write(`scrape-metrics: ${err instanceof Error ? err.message : String(err)}\n`);
  exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
