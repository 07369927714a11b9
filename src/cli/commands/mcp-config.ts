import type { Command } from 'commander';
import { buildMcpConfig, mcpHttpUrl } from '../../capture/mcp-config.js';
import type { CliContext } from '../context.js';
import { runningServer } from '../pidfile.js';

interface McpConfigOpts {
  name?: string;
  json?: boolean;
}

export function registerMcpConfigCommand(program: Command, ctx: CliContext): void {
  program
    .command('mcp-config')
    .description('print how to register session-buddy with Claude Code (`claude mcp add`, or .mcp.json), for stdio and HTTP')
    .option('--name <name>', 'server name in Claude Code', 'session-buddy')
    .option('--json', 'print the .mcp.json entries only')
    .action(async (opts: McpConfigOpts, cmd: Command) => {
      const config = ctx.config(cmd);
      const globals = cmd.optsWithGlobals() as { dataDir?: string };
      const server = runningServer(config.dataDir);
      const url = server ? mcpHttpUrl(server.host, server.port) : mcpHttpUrl(config.host, config.port);
      const args = globals.dataDir ? ['session-buddy', '--data-dir', config.dataDir, 'mcp'] : ['session-buddy', 'mcp'];
      const c = buildMcpConfig({ name: opts.name, command: 'npx', args, url });
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify({ stdio: c.stdio.json, http: c.http.json }, null, 2)}\n`);
        return;
      }
      ctx.stdout.write(
        [
          '# stdio: Claude Code starts session-buddy itself',
          c.stdio.command,
          '',
          `# HTTP: connect to a running server (session-buddy start)${server ? '' : ' — not running now'}`,
          c.http.command,
          '',
          '# or commit one of these to .mcp.json (project scope):',
          JSON.stringify(c.stdio.json, null, 2),
          JSON.stringify(c.http.json, null, 2),
          '',
        ].join('\n'),
      );
    });
}
