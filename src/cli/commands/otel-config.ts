import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { otelEnv, shellLines } from '../../capture/otel-config.js';
import { AccessPolicy } from '../../server/access-policy.js';
import { loadOrCreateToken } from '../../server/access-token.js';
import type { CliContext } from '../context.js';
import { runningServer } from '../pidfile.js';

interface OtelConfigOpts {
  json?: boolean;
  token?: boolean;
}

/**
 * `otel-config`: the environment that sends Claude Code's own telemetry
 * (OTLP http/protobuf) to this server's /v1/logs and /v1/metrics, as shell
 * lines and as the `env` block of Claude Code's settings.json. The token
 * header is included when the server demands the token (a non-loopback
 * bind, or the token required on loopback too), or with --token.
 */
export function registerOtelConfigCommand(program: Command, ctx: CliContext): void {
  program
    .command('otel-config')
    .description("print the environment that sends Claude Code's own telemetry (OTLP) to this server, for a shell and for settings.json")
    .option('--host <host>', 'the host the server binds (default 127.0.0.1; a running server is found by itself)')
    .option('--port <port>', 'the port the server listens on (default 8678)')
    .option('--json', 'print the settings.json `env` block only')
    .option('--token', 'include the Authorization header even when the server does not demand the token')
    .action(async (opts: OtelConfigOpts, cmd: Command) => {
      const config = ctx.config(cmd);
      const server = runningServer(config.dataDir);
      const port = server?.port ?? config.port;
      // 0 lets a server pick a free port when it starts: no endpoint to send telemetry to (checked before the token is made).
      if (port === 0) throw AppError.invalid('port', 'must be 1-65535 (the port the server listens on)');
      const policy = new AccessPolicy({
        bindHost: config.host,
        token: () => loadOrCreateToken(config.dataDir),
        requireTokenOnLoopback: config.realtime.wsRequireToken,
        metricsPublic: config.metricsPublic,
        allowedOrigins: [],
      });
      const token = opts.token === true || policy.tokenRequired('http') ? policy.installationToken() : null;
      const env = otelEnv({ host: server?.host ?? config.host, port, token });
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify({ env }, null, 2)}\n`);
        return;
      }
      ctx.stdout.write(
        [
          "# Claude Code's own telemetry to session-buddy (events every 5 s, metrics every 60 s).",
          '# OTEL_LOGS_EXPORTER=otlp is the one that matters: without it no tool_result or api_request events are sent.',
          ...shellLines(env),
          '',
          '# or in ~/.claude/settings.json (every project):',
          JSON.stringify({ env }, null, 2),
          '',
        ].join('\n'),
      );
    });
}
