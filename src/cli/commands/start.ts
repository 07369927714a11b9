import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ENV } from '../../config.js';
import { AppError } from '../../errors.js';
import { RUNNING_FROM_SOURCES } from '../../version.js';
import type { CliContext } from '../context.js';
import { processAlive } from '../../process-alive.js';
import { isRecordedServer, LOG_FILE, readPidFile, removePidFile, runningServer, serverProcessAlive, writePidFile } from '../pidfile.js';
import { ensureDir } from '../../ensure-dir.js';

interface StartOpts {
  foreground?: boolean;
  host?: string;
  port?: string;
  metricsPort?: string;
}

export function registerStartCommand(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('start the server (MCP over Streamable HTTP at /mcp, /health, ...) in the background')
    .option('--foreground', 'run in this process until Ctrl-C instead of in the background')
    .option('--host <host>', 'interface to bind (default 127.0.0.1)')
    .option('--port <port>', 'HTTP port (default 8678; 0 picks a free one)')
    .option('--metrics-port <port>', 'also serve /metrics on this dedicated port')
    .option('--no-metrics', 'do not serve Prometheus /metrics')
    .option('--metrics-public', 'serve /metrics without the access token on non-loopback binds')
    .option('--no-ws', 'do not serve the /ws live stream')
    .option('--no-dashboard', 'do not serve the web dashboard at /')
    .option('--no-detect', 'no scheduled anomaly detection (default: every 60 s, SESSION_BUDDY_DETECT_INTERVAL)')
    .option('--ws-max-clients <n>', 'most WebSocket clients at once, 1-1048576 (default 1000)')
    .option(
      '--ws-require-token',
      'require the access token on loopback too, as on other binds: on every route, not only /ws (/mcp, /api, /v1, /ws, and /metrics unless --metrics-public); /health and the dashboard page never need it',
    )
    .option('--ws-allowed-origins <list>', 'extra browser origins allowed, comma-separated (on every route, /ws included)')
    .option(
      '--telemetry-user <id>',
      "store Claude Code telemetry under this user; `event`: the event's own user.id (default: the OS user name on a loopback bind, else `event`)",
    )
    .action(async (opts: StartOpts, cmd: Command) => {
      const config = ctx.config(cmd);
      const existing = runningServer(config.dataDir);
      if (existing) {
        throw new AppError(
          'CONFLICT',
          `a server is already running for ${config.dataDir} (pid ${existing.pid}, http://${existing.host}:${existing.port}); stop it with \`session-buddy stop\``,
        );
      }
      if (opts.foreground) {
        const app = await (await import('../../app.js')).openApp(config);
        const { runServer } = await import('../../server/run-server.js');
        await runServer(app, (running) => {
          writePidFile(config.dataDir, {
            pid: process.pid,
            host: config.host,
            port: running.port,
            startedAt: new Date().toISOString(),
            tokenRequired: app.access.tokenRequired('http'),
          });
          const extras = `store: ${app.stores.kind}${config.pubsub ? ', fan-out: redis' : ''}`;
          ctx.stderr.write(
            `session-buddy ${app.version} listening on ${running.url} (MCP: ${running.url}/mcp, ${extras}); stop with Ctrl-C in its terminal or \`session-buddy stop\`\n`,
          );
          if (RUNNING_FROM_SOURCES) {
            ctx.stderr.write(
              'running the TypeScript sources through tsx (dist/ is missing or older than src/): `npm run build` makes the bundle, which starts faster and uses less memory\n',
            );
          }
        }).finally(() => removePidFile(config.dataDir, process.pid));
        return;
      }
      await startInBackground(ctx, cmd, config.dataDir);
    });
}

async function startInBackground(ctx: CliContext, cmd: Command, dataDir: string): Promise<void> {
  ensureDir(dataDir);
  const logPath = path.join(dataDir, LOG_FILE);
  const log = fs.openSync(logPath, 'a');
  const logStart = fs.fstatSync(log).size; // what this start writes follows
  const args = [ctx.binPath, 'start', '--foreground', '--data-dir', dataDir, ...forwardedFlags(cmd)];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], cwd: ctx.cwd, env: { ...ctx.env, ...forwardedEnv(cmd) } });
  let exitCode: number | null = null;
  child.once('exit', (code) => {
    exitCode = code;
  });
  child.unref();
  fs.closeSync(log);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 150));
    if (exitCode !== null || child.pid === undefined || !processAlive(child.pid)) break;
    const info = readPidFile(dataDir);
    if (info?.pid === child.pid) {
      ctx.stdout.write(`session-buddy started (pid ${info.pid}) at http://${info.host}:${info.port} — MCP endpoint /mcp, log ${logPath}\n`);
      return;
    }
  }
  const lines = fs.existsSync(logPath) ? fs.readFileSync(logPath).subarray(logStart).toString('utf8').trimEnd().split('\n') : [];
  // Bad input (a --host that is no address of this machine…): the server said which, in the
  // lines its CLI prints (`error: <flag>: <rule>`); they are this command's error too.
  const issues = lines.flatMap((l) => {
    const m = /^error: ([^:]+): (.+)$/.exec(l);
    return m ? [{ field: m[1]!, rule: m[2]! }] : [];
  });
  if (exitCode === 2 && issues.length > 0) {
    throw AppError.invalid(issues[0]!.field, issues[0]!.rule, issues.length > 1 ? { issues } : {});
  }
  throw new AppError('STORE_UNAVAILABLE', `the server did not start; it wrote to ${logPath}:\n${lines.slice(-15).join('\n')}`);
}

/**
 * --store and --pubsub go to the background server through its environment: URLs may hold passwords,
 * which argv would show to every user of the machine. Which of them were typed as flags goes with them,
 * so that the server's messages (a store it cannot reach) name the flag, not the variable.
 */
function forwardedEnv(cmd: Command): Record<string, string> {
  const o = cmd.optsWithGlobals() as Record<string, string | boolean | undefined>;
  const env: Record<string, string> = {};
  if (typeof o.store === 'string') env[ENV.store] = o.store;
  if (typeof o.pubsub === 'string') env[ENV.pubsub] = o.pubsub;
  env[ENV.typedFlags] = (['store', 'pubsub'] as const).filter((k) => typeof o[k] === 'string').join(',');
  return env;
}

function forwardedFlags(cmd: Command): string[] {
  const o = cmd.optsWithGlobals() as Record<string, string | boolean | undefined>;
  const out: string[] = [];
  for (const [key, flag] of [
    ['host', '--host'],
    ['port', '--port'],
    ['metricsPort', '--metrics-port'],
    ['logLevel', '--log-level'],
    ['wsMaxClients', '--ws-max-clients'],
    ['wsAllowedOrigins', '--ws-allowed-origins'],
    ['telemetryUser', '--telemetry-user'],
  ] as const) {
    const v = o[key];
    if (typeof v === 'string') out.push(flag, v);
  }
  for (const [key, flag] of [
    ['metrics', '--no-metrics'],
    ['ws', '--no-ws'],
    ['dashboard', '--no-dashboard'],
    ['detect', '--no-detect'],
  ] as const) {
    if (o[key] === false) out.push(flag);
  }
  if (o.wsRequireToken === true) out.push('--ws-require-token');
  if (o.metricsPublic === true) out.push('--metrics-public');
  return out;
}

export function registerStopCommand(program: Command, ctx: CliContext): void {
  program
    .command('stop')
    .description('stop the background server')
    .action(async (_opts, cmd: Command) => {
      const { dataDir } = ctx.config(cmd);
      const info = readPidFile(dataDir);
      // A pid file left by a server that died, whose pid another process may have since: never signalled.
      if (!info || !isRecordedServer(info)) {
        if (info) removePidFile(dataDir, info.pid);
        ctx.stdout.write('no server is running\n');
        return;
      }
      process.kill(info.pid, 'SIGTERM');
      const deadline = Date.now() + 10_000;
      while (serverProcessAlive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (serverProcessAlive(info.pid)) throw new AppError('INTERNAL', `server pid ${info.pid} did not stop within 10 s`);
      removePidFile(dataDir, info.pid);
      ctx.stdout.write(`stopped server (pid ${info.pid})\n`);
    });
}
