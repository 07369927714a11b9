import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { openDatabase } from '../../store/database.js';
import { Migrator } from '../../store/migrator.js';
import type { CliContext } from '../context.js';

export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('apply pending schema migrations, or move down with --rollback / --to')
    .option('--rollback', 'roll back the most recent migration')
    .option('--to <version>', 'move up or down to exactly this schema version')
    .option('--status', 'list applied and pending migrations without changing anything')
    .action((opts: { rollback?: boolean; to?: string; status?: boolean }, cmd: Command) => {
      const config = ctx.config(cmd);
      if (opts.rollback && opts.to !== undefined) throw AppError.invalid('--rollback', 'cannot be combined with --to');
      const db = openDatabase(config.dbPath, { synchronous: config.sqliteSynchronous });
      try {
        const migrator = new Migrator(db);
        if (opts.status) {
          const applied = migrator.applied();
          ctx.stdout.write(`schema version ${migrator.currentVersion()} of ${migrator.latestVersion}\n`);
          for (const m of applied) ctx.stdout.write(`  applied  ${String(m.version).padStart(4, '0')} ${m.name} (${new Date(m.applied_at).toISOString()})\n`);
          return;
        }
        let target = migrator.latestVersion;
        if (opts.rollback) target = Math.max(0, migrator.currentVersion() - 1);
        if (opts.to !== undefined) {
          target = Number(opts.to);
          if (!/^\d+$/.test(opts.to)) throw AppError.invalid('--to', 'must be a non-negative integer');
        }
        const steps = migrator.to(target);
        if (steps.length === 0) ctx.stdout.write(`already at schema version ${migrator.currentVersion()}; nothing to do\n`);
        for (const s of steps) ctx.stdout.write(`${s.direction === 'up' ? 'applied ' : 'reverted'} ${String(s.version).padStart(4, '0')} ${s.name}\n`);
        if (steps.length > 0) ctx.stdout.write(`schema version is now ${migrator.currentVersion()}\n`);
      } finally {
        db.close();
      }
    });
}
