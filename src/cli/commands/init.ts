import type { Command } from 'commander';
import { createLogger } from '../../logger.js';
import { loadOrCreateToken } from '../../server/access-token.js';
import type { CliContext } from '../context.js';

export function registerInitCommand(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create the data directory, the per-installation salt and the database (idempotent)')
    .action(async (_opts, cmd: Command) => {
      const app = await (await import('../../app.js')).openApp(ctx.config(cmd), { logger: createLogger('silent') });
      try {
        const version = await app.stores.schemaVersion();
        loadOrCreateToken(app.config.dataDir);
        ctx.stdout.write(
          `Initialised ${app.config.dataDir}\n  database: ${app.stores.location} (${app.stores.kind}, schema version ${version})\n` +
            `  access token: ${app.config.dataDir}/token (required for non-loopback binds)\n`,
        );
      } finally {
        await app.close();
      }
    });
}
