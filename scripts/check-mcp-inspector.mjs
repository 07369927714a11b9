#!/usr/bin/env node
/**
 * Runs the official MCP Inspector CLI (@modelcontextprotocol/inspector, a
 * devDependency) against both transports of a freshly started server: stdio
 * (`session-buddy mcp`) and Streamable HTTP (`session-buddy start`). Per
 * transport it lists the tools (through `mcp-inspector --cli`, the documented
 * entry) and calls every tool once with valid input (expects structured
 * content) and once with invalid input (expects the structured INVALID_INPUT
 * error naming the field), through the CLI that `--cli` runs
 * (`mcp-inspector-cli`), several calls at a time.
 *
 * Usage: node scripts/check-mcp-inspector.mjs [--only stdio|http]   (run `npm run build` first: each stdio call starts a server)
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require_ = (p) => path.join(root, 'node_modules', p);
const INSPECTOR = require_('@modelcontextprotocol/inspector/cli/build/cli.js');
const INSPECTOR_CLI = require_('@modelcontextprotocol/inspector-cli/build/index.js');
const BIN = path.join(root, 'bin', 'session-buddy.js');
/**
 * Calls at a time per transport. HTTP calls run one at a time: each Inspector process compiles every
 * output schema after tools/list, which on a starved CPU (several processes at once on a loaded
 * machine) blocked its event loop past the server's 5 s keep-alive, and the process then wrote its
 * call on a socket the server had just closed ("fetch failed: other side closed").
 */
const CONCURRENCY = { stdio: 4, http: 1 };

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-inspector-'));
const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-inspector-project-'));
fs.writeFileSync(path.join(projectDir, 'package.json'), JSON.stringify({ name: 'inspector-fixture', version: '1.0.0' }));
fs.writeFileSync(path.join(projectDir, 'README.md'), '# fixture\n');
const env = { ...process.env, SESSION_BUDDY_AUDIT: 'off', SESSION_BUDDY_LOG_LEVEL: 'error' };

const inv = (session) => ({
  skill_name: 'inspector-skill',
  user_id: 'alice',
  session_id: session,
  workflow_phase: 'testing',
  completed: true,
  duration_ms: 120,
});

/**
 * Every tool: valid arguments, invalid arguments and the field the error must name.
 * `phase` orders them: 1 writes what later calls read, 2 runs in parallel, 3 ends the session.
 * Values are strings as on the Inspector command line (it converts them by the tool's schema).
 */
function cases(t, sessionId) {
  const exp = `inspector-exp-${t}`;
  return [
    {
      phase: 1,
      tool: 'track_skill_invocation',
      valid: { ...inv(`s-${t}`), completed: 'true', duration_ms: '120' },
      invalid: { ...inv('x'), completed: 'true', duration_ms: '-5' },
      field: 'duration_ms',
    },
    {
      phase: 1,
      tool: 'track_skill_invocations',
      valid: { invocations: JSON.stringify([inv(`s-${t}`), { ...inv(`s2-${t}`), completed: false }]) },
      invalid: { invocations: JSON.stringify([{ ...inv('x'), duration_ms: 'slow' }]) },
      field: 'invocations.0.duration_ms',
    },
    { phase: 1, tool: 'create_ab_test', valid: { name: exp, variants: '["a","b"]' }, invalid: { name: `${exp}-bad`, variants: '["a"]' }, field: 'variants' },
    { phase: 1, tool: 'start', valid: { working_directory: projectDir }, invalid: { working_directory: projectDir, workdir: '.' }, field: 'workdir' },
    { phase: 2, tool: 'get_real_time_metrics', valid: { limit: '5', time_window_hours: '24' }, invalid: { time_window: '24' }, field: 'time_window' },
    { phase: 2, tool: 'detect_anomalies', valid: { threshold: '2' }, invalid: { threshold: '0' }, field: 'threshold' },
    {
      phase: 2,
      tool: 'get_skill_trend',
      valid: { skill_name: 'inspector-skill', days: '7' },
      invalid: { skill_name: 'inspector-skill', granularity: 'week' },
      field: 'granularity',
    },
    { phase: 2, tool: 'get_community_baselines', valid: { skill_name: 'inspector-skill' }, invalid: { skil_name: 'inspector-skill' }, field: 'skil_name' },
    { phase: 2, tool: 'update_community_baselines', valid: {}, invalid: { force: 'true' }, field: 'force' },
    { phase: 2, tool: 'get_skill_report', valid: { days: '30', limit: '5' }, invalid: { days: '0' }, field: 'days' },
    { phase: 2, tool: 'get_skill_dependencies', valid: { min_support: '0.01' }, invalid: { min_support: '2' }, field: 'min_support' },
    { phase: 2, tool: 'checkpoint', valid: { working_directory: projectDir }, invalid: { working_directory: projectDir, dir: projectDir }, field: 'dir' },
    { phase: 2, tool: 'status', valid: {}, invalid: { verbose: 'true' }, field: 'verbose' },
    {
      phase: 2,
      tool: 'store_reflection',
      valid: { content: `inspector note over ${t}`, tags: '["ci"]' },
      invalid: { content: 'x', tags: '[1]' },
      field: 'tags.0',
    },
    { phase: 2, tool: 'search_reflections', valid: { query: 'inspector' }, invalid: { query: 'inspector', limit: '0' }, field: 'limit' },
    { phase: 2, tool: 'reflection_stats', valid: {}, invalid: { project: 'x' }, field: 'project' },
    { phase: 2, tool: 'get_collaborative_recommendations', valid: { user_id: 'alice' }, invalid: { user_id: 'alice', limit: '51' }, field: 'limit' },
    { phase: 2, tool: 'assign_ab_test_variant', valid: { experiment: exp, user_id: 'alice' }, invalid: { user_id: 'alice' }, field: 'experiment' },
    {
      phase: 2,
      tool: 'record_ab_test_outcome',
      valid: { experiment: exp, user_id: 'bob', value: '1.5' },
      invalid: { experiment: exp, user_id: 'bob', value: 'high' },
      field: 'value',
    },
    { phase: 2, tool: 'get_ab_test_results', valid: { experiment: exp }, invalid: { experiment: exp, direction: 'sideways' }, field: 'direction' },
    { phase: 2, tool: 'train_success_model', valid: { days: '30' }, invalid: { days: '0' }, field: 'days' },
    // Accepted input, but a handful of invocations trains no model: the answer is the tool's own NOT_FOUND.
    {
      phase: 2,
      tool: 'predict_skill_success',
      valid: { skill_name: 'inspector-skill', workflow_phase: 'testing', user_id: 'alice' },
      validError: 'NOT_FOUND',
      invalid: { skill_name: 'inspector-skill', workflow_phase: 'lunch', user_id: 'alice' },
      field: 'workflow_phase',
    },
    { phase: 3, tool: 'end', valid: { session_id: sessionId() }, invalid: { session: 'x' }, field: 'session' },
  ];
}

function run(file, args, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { env, cwd: projectDir, timeout: timeoutMs, maxBuffer: 32 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function toolArgs(args) {
  const pairs = Object.entries(args).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return pairs.length > 0 ? ['--tool-arg', ...pairs] : [];
}

async function callTool(target, tool, args) {
  // The argument order `mcp-inspector --cli` passes on: the target (command and its flags), then the options.
  const r = await run(INSPECTOR_CLI, [...target, '--method', 'tools/call', '--tool-name', tool, ...toolArgs(args)]);
  if (r.code !== 0) throw new Error(`inspector exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return JSON.parse(r.stdout);
}

function errorOf(result) {
  for (const b of result.content ?? []) if (b.type === 'text' && b.text.startsWith('{"error"')) return JSON.parse(b.text).error;
  return null;
}

async function pool(items, n, fn) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let it; (it = queue.shift()); ) await fn(it);
    }),
  );
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitForHealth(url, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not answer /health within 20 s');
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const failures = [];
let calls = 0;
const started = Date.now();
const port = await freePort();
const server = spawn(process.execPath, [BIN, 'start', '--foreground', '--port', String(port), '--data-dir', dataDir, '--no-ws', '--no-dashboard'], {
  env,
  cwd: projectDir,
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, server);
  const targets = {
    stdio: [process.execPath, BIN, 'mcp', '--data-dir', dataDir],
    http: [`${url}/mcp`],
  };
  for (const [name, target] of Object.entries(targets)) {
    if (only && name !== only) continue;
    const listed = await run(INSPECTOR, ['--cli', ...target, '--method', 'tools/list']);
    if (listed.code !== 0) throw new Error(`${name}: mcp-inspector --cli tools/list exited ${listed.code}: ${listed.stderr}`);
    const tools = JSON.parse(listed.stdout)
      .tools.map((t) => t.name)
      .sort();
    let sessionId = '';
    const all = cases(name, () => sessionId);
    const expected = all.map((c) => c.tool).sort();
    if (JSON.stringify(tools) !== JSON.stringify(expected)) failures.push(`${name}: tools/list gave ${tools.join(', ')}; expected ${expected.join(', ')}`);
    for (const phase of [1, 2, 3]) {
      const work = all
        .filter((c) => c.phase === phase)
        .flatMap((c) => [
          { ...c, kind: 'valid' },
          { ...c, kind: 'invalid' },
        ]);
      await pool(work, CONCURRENCY[name], async (c) => {
        const args = c.kind === 'valid' ? (c.tool === 'end' ? { session_id: sessionId } : c.valid) : c.invalid;
        const where = `${name} ${c.tool} (${c.kind})`;
        calls++;
        try {
          const res = await callTool(target, c.tool, args);
          if (c.kind === 'valid') {
            const expectedError = c.validError && res.isError && errorOf(res)?.code === c.validError;
            if (!expectedError && (res.isError || !res.structuredContent))
              failures.push(`${where}: expected structured content, got ${JSON.stringify(res.content)}`);
            else if (c.tool === 'start') sessionId = res.structuredContent.session?.id ?? res.structuredContent.session_id ?? '';
          } else {
            const err = errorOf(res);
            if (!res.isError || err?.code !== 'INVALID_INPUT' || err.field !== c.field) {
              failures.push(`${where}: expected INVALID_INPUT naming ${c.field}, got ${JSON.stringify(res.content)}`);
            }
          }
        } catch (e) {
          failures.push(`${where}: ${e.message}`);
        }
      });
      if (phase === 1 && !sessionId) failures.push(`${name}: start returned no session id`);
    }
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(projectDir, { recursive: true, force: true });
}

const secs = ((Date.now() - started) / 1000).toFixed(0);
if (failures.length > 0) {
  console.error(`MCP Inspector: ${failures.length} failure(s) in ${calls} calls (${secs} s):\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`MCP Inspector CLI: tools/list and ${calls} tool calls (every tool, valid and invalid input) over ${only ?? 'stdio and http'} passed in ${secs} s`);
