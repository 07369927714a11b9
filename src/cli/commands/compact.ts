import fs from 'node:fs';
import type { Command } from 'commander';
import { compactDatabase } from '../../store/sqlite/compact.js';
import { formatBytes } from '../../format-bytes.js';
import type { CliContext } from '../context.js';
import { AppError } from '../../errors.js';
import { requireSqliteStore } from '../sqlite-only.js';

export function registerCompactCommand(program: Command, ctx: CliContext): void {
  program
    .command('compact')
    .description('reclaim free space and refresh query statistics (VACUUM + ANALYZE)')
    .action((_opts, cmd: Command) => {
      const config = ctx.config(cmd);
      requireSqliteStore(config, 'compact');
      if (!fs.existsSync(config.dbPath)) throw new AppError('NOT_FOUND', `no database at ${config.dbPath}; run \`session-buddy init\` first`);
      const { beforeBytes: before, afterBytes: after, ms } = compactDatabase(config.dbPath, { synchronous: config.sqliteSynchronous });
      ctx.stdout.write(
        `compacted ${config.dbPath} in ${(ms / 1000).toFixed(1)} s: ${formatBytes(before)} -> ${formatBytes(after)} (${formatBytes(Math.max(0, before - after))} reclaimed)\n`,
      );
    });
}
