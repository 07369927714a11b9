import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { entryArgv, entryPoint } from '../../capture/entry-command.js';
import { buildMcpConfig, MCP_TOKEN_VARIABLE, mcpHttpUrl } from '../../capture/mcp-config.js';
import { ENV, storeFlagValue, storePasswordNote } from '../../config.js';
import { configToken, type ConfigToken } from '../config-token.js';
import type { CliContext } from '../context.js';
import { runningServer } from '../pidfile.js';

interface McpConfigOpts {
  name?: string;
  json?: boolean;
}

/**
 * `mcp-config`: how to register the server with Claude Code. The stdio
 * command is this installation's absolute node and entry script with the
 * data directory (and the store, when it is not the default), so it starts
 * from any project, with any PATH and offline, on the same data.
 */
export function registerMcpConfigCommand(program: Command, ctx: CliContext): void {
  program
    .command('mcp-config')
    .description('print how to register session-buddy with Claude Code (`claude mcp add`, or .mcp.json), for stdio and HTTP')
    .option('--name <name>', 'server name in Claude Code (letters, digits, - and _)', 'session-buddy')
    .option('--json', 'print the .mcp.json entries only')
    .action(async (opts: McpConfigOpts, cmd: Command) => {
      // `claude mcp add` refuses any other name ("Names can only contain letters, numbers, hyphens, and underscores").
      if (opts.name !== undefined && !/^[A-Za-z0-9_-]+$/.test(opts.name)) {
        throw AppError.invalid('--name', 'must be letters, digits, hyphens and underscores only (Claude Code refuses other server names)');
      }
      const config = ctx.config(cmd);
      const server = runningServer(config.dataDir);
      const url = server ? mcpHttpUrl(server.host, server.port) : mcpHttpUrl(config.host, config.port);
      const [command, ...args] = entryArgv(entryPoint(process.execPath, ctx.binPath), { dataDir: config.dataDir, store: storeFlagValue(config) }, ['mcp']);
      // A server on a non-loopback bind (or demanding the token on loopback too) answers 401 without it.
      const { token, note: tokenNote, because } = configToken(config, server, server?.host ?? config.host);
      if (tokenNote) ctx.stderr.write(`note: ${tokenNote}\n`);
      const c = buildMcpConfig({ name: opts.name, command: command!, args, url, token });
      const note = storePasswordNote(config, "Claude Code's configuration by the stdio `claude mcp add` line (or .mcp.json's stdio entry)");
      if (note) ctx.stderr.write(`note: ${note}\n`);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify({ stdio: c.stdio.json, http: c.http.json }, null, 2)}\n`);
        return;
      }
      ctx.stdout.write(
        [
          '# stdio: Claude Code starts session-buddy itself (--scope user: in every project)',
          c.stdio.command,
          '',
          `# HTTP: connect to a running server (session-buddy start)${server ? '' : ' — not running now'}`,
          c.http.command,
          '',
          '# or put one of these in .mcp.json (project scope). The stdio entry holds paths of this machine',
          '# (node, this installation, your data directory): keep it out of a shared repository.',
          JSON.stringify(c.stdio.json, null, 2),
          ...(token
            ? [
                `# The HTTP entry holds the server address and reads ${whichToken(because, server ? null : config.host)} from`,
                `# $${MCP_TOKEN_VARIABLE} (each member's own: \`session-buddy token create\`): the one to commit for a team.`,
              ]
            : ['# The HTTP entry holds only the server address: the one to commit for a team, each member', '# running session-buddy start on that port.']),
          JSON.stringify(c.http.json, null, 2),
          '',
        ].join('\n'),
      );
    });
}

/**
 * The token the HTTP entry reads, as the comment names it: the one the server demands only when it does
 * (the running server recorded so, or a server on a non-loopback bind always does), else why it is sent.
 */
function whichToken(because: ConfigToken['because'], idleHost: string | null): string {
  if (because === 'setting') return `the token this shell sends because ${ENV.wsRequireToken}=1 here`;
  if (because === 'bind' && idleHost !== null) return `the token a server bound to ${idleHost} demands`;
  return 'the token this server demands';
}
