/**
 * OTLP ingest throughput beside the hook ingest path: tool_result events
 * POSTed to /v1/logs (encoded beforehand by the OpenTelemetry SDK's own
 * serializers, http/protobuf and http/json) and the same calls as invocation
 * JSON POSTed to /api/invocations, against a real server on 127.0.0.1 (in
 * this process, fresh SQLite store or a new PostgreSQL schema). Every event
 * is a new row. A third OTLP case sends typed skill activations
 * (`skill_activated`, trigger user-slash: 20 per session, 5 skills, 31 s
 * apart), each matched against the stored typed rows of its session and skill
 * before it is written. Prints events/s and the process's CPU time per 1,000
 * events (server and senders share the process) per path and batch size as
 * a Markdown table.
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
import { newPgInstance } from '../src/store/postgres/pool.js';
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

/** A typed activation: session i/20, skill i%5, 31 s apart within a session (beyond the 30 s match window: every event is new). */
function typedEvent(i: number): TestEvent {
  const at = Date.now() - 3_600_000 + (i % 20) * 31_000;
  return {
    name: 'skill_activated',
    at,
    attributes: {
      'session.id': `typed-${process.pid}-${Math.floor(i / 20)}`,
      'user.id': `device-${i % 7}`,
      'prompt.id': `p-${i}`,
      'skill.name': `skill-${i % 5}`,
      invocation_trigger: 'user-slash',
      'skill.source': 'projectSettings',
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

async function typedCase(batch: number): Promise<Case> {
  const bodies: Uint8Array[] = [];
  const EVENTS = total(batch);
  for (let n = 0; n < EVENTS; n += batch) {
    bodies.push(
      await encodeEvents(
        Array.from({ length: Math.min(batch, EVENTS - n) }, (_, k) => typedEvent(n + k)),
        'protobuf',
      ),
    );
  }
  return { name: '/v1/logs http/protobuf, typed skill_activated', path: '/v1/logs', contentType: CONTENT_TYPE.protobuf, batch, bodies };
}

function hookCase(batch: number): Case {
  const bodies: string[] = [];
  const EVENTS = total(batch);
  for (let n = 0; n < EVENTS; n += batch) bodies.push(JSON.stringify(Array.from({ length: Math.min(batch, EVENTS - n) }, (_, k) => call(n + k).invocation)));
  return { name: '/api/invocations JSON', path: '/api/invocations', contentType: 'application/json', batch, bodies };
}

async function run(url: string, c: Case): Promise<{ rate: number; cpuMsPer1000: number }> {
  let next = 0;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
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
  const used = process.cpuUsage(cpu);
  return { rate: total(c.batch) / seconds, cpuMsPer1000: ((used.user + used.system) / 1000 / total(c.batch)) * 1000 };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-otlp-'));
  const config = parseConfig({ flags: { dataDir: dir, port: 0 }, env: { SESSION_BUDDY_AUDIT: 'off' } });
  const schema = STORE ? await createPgSchema(STORE) : null;
  let app: App | null = null;
  try {
    const stores = schema ? await openPgStores(schema.url, { instance: newPgInstance() }) : undefined;
    app = createApp(config, { logger: createLogger('silent'), ...(stores ? { stores } : {}) });
    const http = await startHttpServer(app, []);
    const cases: Case[] = [];
    for (const batch of [100, 1]) {
      cases.push(await otlpCase('protobuf', batch), await otlpCase('json', batch), await typedCase(batch), hookCase(batch));
    }
    // Warm-up outside the timing (first protobufjs parse, JIT), with events of their own.
    for (const body of [
      await encodeEvents(
        Array.from({ length: 100 }, (_, k) => call(1_000_000 + k).event),
        'protobuf',
      ),
      await encodeEvents(
        Array.from({ length: 100 }, (_, k) => call(1_000_000 + k).event),
        'json',
      ),
      await encodeEvents(
        Array.from({ length: 100 }, (_, k) => typedEvent(1_000_000 + k)),
        'protobuf',
      ),
    ]) {
      const json = body[0] === 0x7b;
      const res = await fetch(`${http.url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': CONTENT_TYPE[json ? 'json' : 'protobuf'] },
        body: Buffer.from(body),
      });
      if (res.status !== 200) throw new Error(`warm-up: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
    const rows: string[] = [];
    for (const c of cases) {
      const { rate, cpuMsPer1000 } = await run(http.url, c);
      rows.push(`| ${c.name} | ${c.batch} | ${Math.round(rate).toLocaleString('en-US')} | ${Math.round(cpuMsPer1000).toLocaleString('en-US')} |`);
      process.stderr.write(`${c.name} batch ${c.batch}: ${Math.round(rate)} events/s, ${Math.round(cpuMsPer1000)} CPU ms per 1,000\n`);
    }
    await http.close();
    process.stdout.write(
      [
        `${EVENTS.toLocaleString('en-US')} tool calls per batched case (${Math.min(SINGLE, EVENTS).toLocaleString('en-US')} one per request), ${CONCURRENCY} concurrent senders, ${schema ? 'PostgreSQL' : 'SQLite'}, Node ${process.version}`,
        '',
        '| path | events per request | events/s | CPU ms per 1,000 events |',
        '|---|---:|---:|---:|',
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
