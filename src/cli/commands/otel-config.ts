import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { otelEnv, shellLines } from '../../capture/otel-config.js';
import { configToken } from '../config-token.js';
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
 * bind, or the token required on loopback too: a running server records
 * whether it does, see config-token.ts), or with --token.
 */
export function registerOtelConfigCommand(program: Command, ctx: CliContext): void {
  program
    .command('otel-config')
    .description("print the environment that sends Claude Code's own telemetry (OTLP) to this server, for a shell and for settings.json")
    .option('--host <host>', "the host the server binds (default: the running server's, else 127.0.0.1)")
    .option('--port <port>', "the port the server listens on (default: the running server's, else 8678)")
    .option('--json', 'print the settings.json `env` block only')
    .option('--token', 'include the Authorization header even when the server does not demand the token')
    .action(async (opts: OtelConfigOpts, cmd: Command) => {
      const config = ctx.config(cmd);
      // A typed --host or --port names another server (e.g. a team's): the running one is then not asked.
      const typed = cmd.getOptionValueSource('host') === 'cli' || cmd.getOptionValueSource('port') === 'cli';
      const server = typed ? null : runningServer(config.dataDir);
      const host = server?.host ?? config.host;
      const port = server?.port ?? config.port;
      // 0 lets a server pick a free port when it starts: no endpoint to send telemetry to (checked before the token is made).
      if (port === 0) throw AppError.invalid('port', 'must be 1-65535 (the port the server listens on)');
      // The token the server the telemetry goes to demands (a running server records whether it does).
      const { token, note } = configToken(config, server, host, opts.token === true);
      if (note) ctx.stderr.write(`note: ${note}\n`);
      const env = otelEnv({ host, port, token });
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify({ env }, null, 2)}\n`);
        return;
      }
      ctx.stdout.write(
        [
          "# Claude Code's own telemetry to session-buddy (events every 5 s, metrics every 60 s).",
          ...(typed || server
            ? []
            : [`# No server is running for ${config.dataDir} now: this is for one started with this shell's settings (run this again once it runs).`]),
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
