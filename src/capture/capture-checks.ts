/**
 * `doctor`'s checks of the Claude Code capture: are our hooks installed, does
 * the configured hook command actually run (from a neutral directory, with a
 * minimal PATH), does the registered MCP stdio command answer `initialize`,
 * did hooks drop data or leave a large spool, and is the native transcript
 * scanner built (without it, `import` is slower).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { candidateSettingsFiles, claudeStateFile } from './claude-paths.js';
import { readDrops } from './drop-counter.js';
import { isOurHookCommand } from './install-hooks.js';
import { loadNativeScanner } from './native-scan.js';
import { MAX_SPOOL_BYTES, spooledBytes } from './spool.js';

type CheckStatus = 'ok' | 'warn' | 'fail';
export interface CaptureCheck {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface CaptureCheckOptions {
  dataDir: string;
  env: Record<string, string | undefined>;
  home: string;
  cwd: string;
  /** Per command run, in ms. */
  timeoutMs?: number;
}

/** PATH a hook may well get: nothing of the project, nothing of the user's shell set-up. */
const MINIMAL_PATH = '/usr/bin:/bin';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  error?: string;
}

function run(
  file: string,
  args: string[],
  input: string,
  opts: { env: Record<string, string>; timeoutMs: number; until?: (stdout: string) => boolean },
): Promise<Run> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(file, args, { cwd: os.tmpdir(), env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const done = (r: Omit<Run, 'stdout' | 'stderr'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve({ ...r, stdout, stderr });
    };
    const timer = setTimeout(() => done({ code: null, timedOut: true }), opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (opts.until?.(stdout)) done({ code: 0, timedOut: false });
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', (err) => done({ code: null, timedOut: false, error: err.message }));
    child.on('close', (code) => done({ code, timedOut: false }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Our hook command in a settings file (the PostToolUse one), if any. */
export function installedHookCommand(settings: unknown): string | null {
  const groups = (settings as { hooks?: Record<string, unknown> } | undefined)?.hooks?.PostToolUse;
  if (!Array.isArray(groups)) return null;
  for (const g of groups) {
    for (const h of ((g as { hooks?: unknown[] })?.hooks ?? []) as Array<{ command?: unknown }>) {
      if (isOurHookCommand(h?.command)) return h.command as string;
    }
  }
  return null;
}

/** The stdio registration of our MCP server: user scope, this project in ~/.claude.json, or ./.mcp.json. */
function registeredMcpServer(opts: CaptureCheckOptions): { where: string; command?: string; args?: string[]; url?: string } | null {
  const state = claudeStateFile(opts.env, opts.home);
  const s = readJson(state) as { mcpServers?: Record<string, unknown>; projects?: Record<string, { mcpServers?: Record<string, unknown> }> } | undefined;
  const project = readJson(`${opts.cwd}/.mcp.json`) as { mcpServers?: Record<string, unknown> } | undefined;
  const candidates: Array<[string, Record<string, unknown> | undefined]> = [
    [`${state} (user scope)`, s?.mcpServers],
    [`${state} (project ${opts.cwd})`, s?.projects?.[opts.cwd]?.mcpServers],
    [`${opts.cwd}/.mcp.json`, project?.mcpServers],
  ];
  for (const [where, servers] of candidates) {
    const entry = servers?.['session-buddy'] as { command?: unknown; args?: unknown; url?: unknown } | undefined;
    if (!entry) continue;
    return {
      where,
      command: typeof entry.command === 'string' ? entry.command : undefined,
      args: Array.isArray(entry.args) ? entry.args.filter((a): a is string => typeof a === 'string') : undefined,
      url: typeof entry.url === 'string' ? entry.url : undefined,
    };
  }
  return null;
}

export async function captureChecks(opts: CaptureCheckOptions): Promise<CaptureCheck[]> {
  const checks: CaptureCheck[] = [];
  const add = (name: string, status: CheckStatus, detail: string) => checks.push({ name, status, detail });
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const env = { PATH: MINIMAL_PATH, HOME: opts.home };

  // Hooks: the most specific settings file that has them, run as Claude Code would.
  let hook: { file: string; command: string } | null = null;
  for (const file of candidateSettingsFiles(opts)) {
    const command = installedHookCommand(readJson(file));
    if (command) {
      hook = { file, command };
      break;
    }
  }
  if (!hook) {
    add('claude code hooks', 'warn', 'not installed (no session-buddy hook in the user or project settings): run `session-buddy install-hooks --write`');
  } else {
    // An event the hook ignores: proves the command runs without recording anything.
    const r = await run('/bin/sh', ['-c', `${hook.command} --verbose`], '{"hook_event_name":"Notification","session_id":"doctor"}', { env, timeoutMs });
    const ran = /"outcome":"ignored"/.test(r.stderr);
    const detail = `${hook.file}: \`${hook.command}\``;
    if (ran && r.code === 0) {
      const pinned = hook.command.includes(opts.dataDir);
      add(
        'claude code hooks',
        pinned ? 'ok' : 'warn',
        `${detail} runs${pinned ? '' : ` but does not write to ${opts.dataDir}: re-run \`session-buddy install-hooks --write\``}`,
      );
    } else {
      add(
        'claude code hooks',
        'fail',
        `${detail} does not run (${r.timedOut ? 'timed out' : (r.error ?? `exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`)}): re-run \`session-buddy install-hooks --write\``,
      );
    }
  }

  // MCP registration: start the stdio command and ask it to initialise.
  const mcp = registeredMcpServer(opts);
  if (!mcp) {
    add('claude code mcp server', 'warn', 'not registered with Claude Code: run `session-buddy mcp-config` and the `claude mcp add` line it prints');
  } else if (mcp.url) {
    add('claude code mcp server', 'ok', `${mcp.where}: HTTP ${mcp.url} (answers while \`session-buddy start\` runs)`);
  } else if (mcp.command) {
    const init = `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'session-buddy-doctor', version: '0' } } })}\n`;
    const r = await run(mcp.command, mcp.args ?? [], init, { env, timeoutMs, until: (out) => /"serverInfo"/.test(out) });
    const line = [mcp.command, ...(mcp.args ?? [])].join(' ');
    if (/"serverInfo"/.test(r.stdout)) add('claude code mcp server', 'ok', `${mcp.where}: \`${line}\` answers initialize`);
    else
      add(
        'claude code mcp server',
        'fail',
        `${mcp.where}: \`${line}\` does not start (${r.timedOut ? 'no answer' : (r.error ?? `exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`)}): re-register with the command \`session-buddy mcp-config\` prints`,
      );
  }

  const drops = readDrops(opts.dataDir);
  if (drops.count > 0) {
    add(
      'hook drops',
      'warn',
      `${drops.capped ? 'at least ' : ''}${drops.count} invocation(s) dropped by hooks, last ${new Date(drops.lastAt ?? 0).toISOString()} (${drops.lastReason ?? 'unknown'}); ` +
        `fix the cause, then delete ${drops.files.join(' and ')} to reset the count`,
    );
  } else {
    add('hook drops', 'ok', 'none');
  }
  const spool = spooledBytes(opts.dataDir);
  add(
    'hook spool',
    spool > MAX_SPOOL_BYTES / 2 ? 'warn' : 'ok',
    `${spool} bytes waiting${spool > 0 ? ' (ingested by the running server or the stdio MCP server)' : ''}${spool > MAX_SPOOL_BYTES / 2 ? ': start the server before it fills up' : ''}`,
  );
  const native = loadNativeScanner() !== null;
  add(
    'transcript scanner',
    native ? 'ok' : 'warn',
    native
      ? 'native (built by npm install)'
      : 'JavaScript: the native scanner is not built, so `import` is slower; run `npm run build:native` in the clone and read its error',
  );
  return checks;
}
