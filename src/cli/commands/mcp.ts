import type { Command } from 'commander';
import { startSpoolDrainer } from '../../capture/spool-drainer.js';
import { startConfiguredFanout } from '../../fanout/configured-fanout.js';
import type { CliContext } from '../context.js';

export function registerMcpCommand(program: Command, ctx: CliContext): void {
  program
    .command('mcp')
    .description('serve MCP over stdio (the command an MCP client such as `claude mcp add` launches)')
    .action(async (_opts, cmd: Command) => {
      const app = await (await import('../../app.js')).openApp(ctx.config(cmd));
      // What this stdio server records reaches the live streams of the HTTP instances too.
      await startConfiguredFanout(app).catch(async (err: unknown) => {
        await app.close();
        throw err;
      });
      // Hooks spool while no HTTP server runs: a stdio-only set-up ingests the spool here.
      const drainer = startSpoolDrainer({ dataDir: app.config.dataDir, record: (inputs) => app.tracker.trackBatch(inputs), logger: app.logger });
      // A checkpoint or end counts the calls spooled since the last drain too.
      app.sessions.setPendingInvocations(() => drainer.flush());
      const server = app.createMcpServer('stdio');
      // A request line over the stdio limit, or one that is not valid JSON-RPC, is answered with a
      // JSON-RPC error (and logged) instead of closing the transport or going unanswered.
      const { createStdioTransport } = await import('../../server/stdio-transport.js');
      const transport = createStdioTransport(app.logger);
      // Responses to unknown ids, and errors reading stdin, are logged, not lost without a word.
      server.server.onerror = (err) => app.logger.warn('MCP stdio transport error', { err });
      await new Promise<void>((resolve, reject) => {
        transport.onclose = () => resolve();
        process.stdin.once('end', () => resolve());
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
        server.connect(transport).catch(reject);
      });
      drainer.stop();
      await server.close().catch(() => {});
      await app.close();
    });
}
