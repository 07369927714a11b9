import fs from 'node:fs';
import type { Command } from 'commander';
import { openDatabase } from '../../store/database.js';
import { formatBytes } from '../../format-bytes.js';
import type { CliContext } from '../context.js';
import { AppError } from '../../errors.js';
import { requireSqliteStore } from '../sqlite-only.js';

function fileSize(path: string): number {
  let total = 0;
  for (const p of [path, `${path}-wal`]) if (fs.existsSync(p)) total += fs.statSync(p).size;
  return total;
}

export function registerCompactCommand(program: Command, ctx: CliContext): void {
  program
    .command('compact')
    .description('reclaim free space and refresh query statistics (VACUUM + ANALYZE)')
    .action((_opts, cmd: Command) => {
      const config = ctx.config(cmd);
      requireSqliteStore(config, 'compact');
      if (!fs.existsSync(config.dbPath)) throw new AppError('NOT_FOUND', `no database at ${config.dbPath}; run \`session-buddy init\` first`);
      const db = openDatabase(config.dbPath, { synchronous: config.sqliteSynchronous });
      try {
        const before = fileSize(config.dbPath);
        const started = Date.now();
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.exec('VACUUM');
        db.exec('ANALYZE');
        db.pragma('wal_checkpoint(TRUNCATE)');
        const after = fileSize(config.dbPath);
        ctx.stdout.write(
          `compacted ${config.dbPath} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${formatBytes(before)} -> ${formatBytes(after)} (${formatBytes(Math.max(0, before - after))} reclaimed)\n`,
        );
      } finally {
        db.close();
      }
    });
}
