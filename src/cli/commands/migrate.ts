import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { openDatabase } from '../../store/database.js';
import { Migrator, type MigrationStatus, type MigrationStep } from '../../store/migrator.js';
import type { CliContext } from '../context.js';
import { fieldFlags } from '../flags.js';

/** The two migrators behind one asynchronous face. */
interface AnyMigrator {
  latestVersion: number;
  currentVersion(): Promise<number>;
  status(): Promise<MigrationStatus[]>;
  to(target: number): Promise<MigrationStep[]>;
  close(): Promise<void>;
}

async function openMigrator(config: ReturnType<CliContext['config']>): Promise<AnyMigrator> {
  if (config.store.kind === 'postgres') {
    // Loaded only for a PostgreSQL store: other commands do not pay for the driver.
    const [{ PgMigrator }, { createPgPool }] = await Promise.all([import('../../store/postgres/migrator.js'), import('../../store/postgres/pool.js')]);
    const pool = createPgPool(config.store.url, 2);
    const m = new PgMigrator(pool);
    return {
      latestVersion: m.latestVersion,
      currentVersion: () => m.currentVersion(),
      status: () => m.status(),
      to: (target) => m.to(target),
      close: () => pool.end(),
    };
  }
  const db = openDatabase(config.dbPath, { synchronous: config.sqliteSynchronous });
  const m = new Migrator(db);
  return {
    latestVersion: m.latestVersion,
    currentVersion: async () => m.currentVersion(),
    status: async () => m.status(),
    to: async (target) => m.to(target),
    close: async () => {
      db.close();
    },
  };
}

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
      const migrator = await openMigrator(config);
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
