/**
 * Fuzzing: every registered tool is fed generated invalid and hostile inputs.
 * The server must never crash, must answer every call with a result (errors
 * as structured isError results), and a rejected call must leave the
 * database exactly as it was.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { connectInMemory, createTestApp, type TestApp } from '../testing/harness.js';

const CASES_PER_TOOL = 250;

/** Deterministic PRNG so a failure is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE: unknown[] = [
  null,
  true,
  -1,
  -1e308,
  1e308,
  Number.MAX_SAFE_INTEGER,
  0.5,
  '',
  ' ',
  'x'.repeat(100_000),
  "'; DROP TABLE skill_invocations; --",
  '" OR 1=1 --',
  'NEAR("a" "b")',
  '*',
  '\u0000\u0001\u0007',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ \u202e',
  '../../etc/passwd',
  [],
  [1, 'two', null],
  {},
  { $gt: '' },
  { nested: { deep: ['x'.repeat(1000)] } },
];

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

/** A plausible valid value for a JSON-schema property, used as the base that one field is then broken in. */
function plausible(schema: Record<string, unknown>): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.anyOf)) return plausible(schema.anyOf[0] as Record<string, unknown>);
  switch (schema.type) {
    case 'string':
      return 'fuzz';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return 'fuzz';
  }
}

function generate(tool: Tool, rand: () => number): unknown {
  const props = (tool.inputSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const names = Object.keys(props);
  const base: Record<string, unknown> = {};
  for (const n of names) base[n] = plausible(props[n]!);
  switch (Math.floor(rand() * 5)) {
    case 0: // one field replaced by a hostile value
      if (names.length) base[pick(rand, names)] = pick(rand, HOSTILE);
      return base;
    case 1: // several fields hostile
      for (const n of names) if (rand() < 0.5) base[n] = pick(rand, HOSTILE);
      return base;
    case 2: // an unknown extra field
      return { ...base, [`extra_${Math.floor(rand() * 100)}`]: pick(rand, HOSTILE) };
    case 3: // a required field missing
      if (names.length) delete base[pick(rand, names)];
      return base;
    default: // not an object at all
      return pick(rand, HOSTILE);
  }
}

function fingerprint(app: TestApp): string {
  const tables = app.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%'")
    .pluck()
    .all() as string[];
  return tables.map((t) => `${t}:${app.db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number}`).join(',');
}

describe('MCP tools under fuzzing', () => {
  let app: TestApp;
  let client: Client;
  before(async () => {
    app = createTestApp({ env: { SESSION_BUDDY_RATE_LIMIT: '1000000/1000000' } });
    client = await connectInMemory(app.createMcpServer('fuzz'));
  });
  after(async () => {
    await client.close();
    await app.dispose();
  });

  it('answers every invalid call with a result and never changes the database on a rejected call', async () => {
    const { tools } = await client.listTools();
    assert.ok(tools.length >= 2);
    const rand = prng(2026);
    for (const tool of tools) {
      let rejected = 0;
      for (let i = 0; i < CASES_PER_TOOL; i++) {
        const args = generate(tool, rand);
        const before = fingerprint(app);
        let res: CallToolResult;
        try {
          res = (await client.callTool({ name: tool.name, arguments: args as Record<string, unknown> })) as CallToolResult;
        } catch (err) {
          // A protocol-level error is acceptable only for arguments that are not an object at all.
          assert.ok(
            typeof args !== 'object' || args === null || Array.isArray(args),
            `${tool.name} threw on ${JSON.stringify(args).slice(0, 200)}: ${(err as Error).message}`,
          );
          assert.equal(fingerprint(app), before);
          continue;
        }
        if (res.isError) {
          rejected++;
          assert.ok(res.content.length > 0, `${tool.name} error without text`);
          assert.equal(fingerprint(app), before, `${tool.name} changed the database on a rejected call: ${JSON.stringify(args).slice(0, 200)}`);
        }
      }
      // Tools with parameters must have rejected a good share of the hostile inputs (many mutations of
      // optional fields are valid calls, so the share is well below 100 %).
      if (Object.keys(tool.inputSchema.properties ?? {}).length > 0) {
        assert.ok(rejected > CASES_PER_TOOL * 0.15, `${tool.name}: only ${rejected} of ${CASES_PER_TOOL} calls were rejected`);
      }
    }
    // Still healthy afterwards.
    const ok = (await client.callTool({
      name: 'track_skill_invocation',
      arguments: { skill_name: 'after-fuzz', user_id: 'u', session_id: 's', workflow_phase: 'testing', completed: true, duration_ms: 1 },
    })) as CallToolResult;
    assert.equal(ok.isError, undefined);
  });
});
