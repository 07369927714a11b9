/**
 * OTLP ingest throughput beside the hook ingest path: tool_result events
 * POSTed to /v1/logs (encoded beforehand by the OpenTelemetry SDK's own
 * serializers, http/protobuf and http/json) and the same calls as invocation
 * JSON POSTed to /api/invocations, against a real server on 127.0.0.1 (in
 * this process, fresh SQLite store or a new PostgreSQL schema). Every event
 * is a new row. Prints events/s per path and batch size as a Markdown table.
 *
 *   npm run bench:otlp                              # 20 000 events per batched case (1 000 one per request), 4 concurrent senders
 *   npm run bench:otlp -- --events 5000 --concurrency 2
 *   npm run bench:otlp -- --store postgres://postgres@127.0.0.1:5432/test
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startHttpServer } from '../src/server/http-server.js';
import { openPgStores } from '../src/store/postgres/stores.js';
import { createPgSchema } from '../src/testing/backends.js';
import { CONTENT_TYPE, encodeEvents, type TestEvent, type WireFormat } from '../src/testing/otlp-encode.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const EVENTS = Number(opt('events', '20000'));
const CONCURRENCY = Number(opt('concurrency', '4'));
const STORE = opt('store', '');
/** Events for the one-event-per-request cases (each request is one commit: slow, so fewer). */
const SINGLE = Number(opt('single-events', '1000'));

const TOOLS = ['Bash', 'Read', 'Edit', 'Grep', 'Skill'];
let seq = 0;

function call(i: number): { event: TestEvent; invocation: Record<string, unknown> } {
  const id = `toolu_${process.pid}_${seq++}`;
  const tool = TOOLS[i % TOOLS.length]!;
  const at = Date.now() - 1000;
  return {
    event: {
      name: 'tool_result',
      at,
      attributes: {
        'session.id': `sess-${i % 50}`,
        'user.id': `device-${i % 7}`,
        tool_use_id: id,
        tool_name: tool,
        success: i % 10 === 0 ? 'false' : 'true',
        duration_ms: 20 + (i % 400),
        ...(tool === 'Skill' ? { tool_parameters: JSON.stringify({ skill_name: 'code-review' }) } : {}),
      },
    },
    invocation: {
      skill_name: tool === 'Skill' ? 'skill:code-review' : tool,
      user_id: `device-${i % 7}`,
      session_id: `sess-${i % 50}`,
      workflow_phase: 'unknown',
      completed: i % 10 !== 0,
      duration_ms: 20 + (i % 400),
      invoked_at: at,
      agent: 'claude-code',
      dedupe_key: `cc:${id}`,
    },
  };
}

const total = (batch: number) => (batch === 1 ? Math.min(SINGLE, EVENTS) : EVENTS);

interface Case {
  name: string;
  path: string;
  contentType: string;
  batch: number;
  bodies: (Uint8Array | string)[];
}

async function otlpCase(format: WireFormat, batch: number): Promise<Case> {
  const bodies: Uint8Array[] = [];
  const EVENTS = total(batch);
  for (let n = 0; n < EVENTS; n += batch)
    bodies.push(
      await encodeEvents(
        Array.from({ length: Math.min(batch, EVENTS - n) }, (_, k) => call(n + k).event),
        format,
      ),
    );
  return { name: `/v1/logs http/${format}`, path: '/v1/logs', contentType: CONTENT_TYPE[format], batch, bodies };
}

function hookCase(batch: number): Case {
  const bodies: string[] = [];
  const EVENTS = total(batch);
  for (let n = 0; n < EVENTS; n += batch) bodies.push(JSON.stringify(Array.from({ length: Math.min(batch, EVENTS - n) }, (_, k) => call(n + k).invocation)));
  return { name: '/api/invocations JSON', path: '/api/invocations', contentType: 'application/json', batch, bodies };
}

async function run(url: string, c: Case): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < c.bodies.length) {
        const body = c.bodies[next++]!;
        const res = await fetch(`${url}${c.path}`, {
          method: 'POST',
          headers: { 'content-type': c.contentType },
          body: typeof body === 'string' ? body : Buffer.from(body),
        });
        if (res.status !== 200) throw new Error(`${c.name}: HTTP ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return total(c.batch) / seconds;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-otlp-'));
  const config = parseConfig({ flags: { dataDir: dir, port: 0 }, env: { SESSION_BUDDY_AUDIT: 'off' } });
  const schema = STORE ? await createPgSchema(STORE) : null;
  let app: App | null = null;
  try {
    const stores = schema ? await openPgStores(schema.url) : undefined;
    app = createApp(config, { logger: createLogger('silent'), ...(stores ? { stores } : {}) });
    const http = await startHttpServer(app, []);
    const cases: Case[] = [];
    for (const batch of [100, 1]) {
      cases.push(await otlpCase('protobuf', batch), await otlpCase('json', batch), hookCase(batch));
    }
    const rows: string[] = [];
    for (const c of cases) {
      const rate = await run(http.url, c);
      rows.push(`| ${c.name} | ${c.batch} | ${Math.round(rate).toLocaleString('en-US')} |`);
      process.stderr.write(`${c.name} batch ${c.batch}: ${Math.round(rate)} events/s\n`);
    }
    await http.close();
    process.stdout.write(
      [
        `${EVENTS.toLocaleString('en-US')} tool calls per batched case (${Math.min(SINGLE, EVENTS).toLocaleString('en-US')} one per request), ${CONCURRENCY} concurrent senders, ${schema ? 'PostgreSQL' : 'SQLite'}, Node ${process.version}`,
        '',
        '| path | events per request | events/s |',
        '|---|---:|---:|',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    await app?.close();
    await schema?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
