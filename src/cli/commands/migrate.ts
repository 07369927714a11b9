import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { openSchemaMigrator } from '../../store/open-stores.js';
import type { CliContext } from '../context.js';
import { fieldFlags } from '../flags.js';

export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('migrate')
    .description('apply pending schema migrations, or move down with --rollback / --to (SQLite or PostgreSQL store)')
    .option('--rollback', 'roll back the most recent migration')
    .option('--to <version>', 'move up or down to exactly this schema version')
    .option('--status', 'list applied and pending migrations without changing anything')
    .action(async (opts: { rollback?: boolean; to?: string; status?: boolean }, cmd: Command) => {
      const config = ctx.config(cmd);
      if (opts.rollback && opts.to !== undefined) throw AppError.invalid('--rollback', 'cannot be combined with --to');
      const migrator = await openSchemaMigrator(config);
      try {
        if (opts.status) {
          const steps = await migrator.status();
          ctx.stdout.write(`schema version ${await migrator.currentVersion()} of ${migrator.latestVersion}\n`);
          for (const m of steps) {
            const state = m.appliedAt === null ? 'pending' : 'applied';
            ctx.stdout.write(
              `  ${state.padEnd(8)} ${String(m.version).padStart(4, '0')} ${m.name}${m.appliedAt === null ? '' : ` (${new Date(m.appliedAt).toISOString()})`}\n`,
            );
          }
          const pending = steps.filter((m) => m.appliedAt === null).length;
          if (pending > 0) ctx.stdout.write(`${pending} pending: \`session-buddy migrate\` applies ${pending === 1 ? 'it' : 'them'}\n`);
          return;
        }
        let target = migrator.latestVersion;
        if (opts.rollback) target = Math.max(0, (await migrator.currentVersion()) - 1);
        if (opts.to !== undefined) {
          target = Number(opts.to);
          if (!/^\d+$/.test(opts.to)) throw AppError.invalid('--to', 'must be a non-negative integer');
        }
        const steps = await migrator.to(target);
        if (steps.length === 0) ctx.stdout.write(`already at schema version ${await migrator.currentVersion()}; nothing to do\n`);
        for (const s of steps) ctx.stdout.write(`${s.direction === 'up' ? 'applied ' : 'reverted'} ${String(s.version).padStart(4, '0')} ${s.name}\n`);
        if (steps.length > 0) ctx.stdout.write(`schema version is now ${await migrator.currentVersion()}\n`);
      } finally {
        await migrator.close();
      }
    });
  fieldFlags(command, { to: '--to' });
}
