import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { openDatabase } from '../../store/database.js';
import { Migrator, type MigrationStep } from '../../store/migrator.js';
import type { CliContext } from '../context.js';

/** The two migrators behind one asynchronous face. */
interface AnyMigrator {
  latestVersion: number;
  currentVersion(): Promise<number>;
  applied(): Promise<{ version: number; name: string; applied_at: number }[]>;
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
      async applied() {
        await m.currentVersion(); // creates the bookkeeping table when missing
        const { rows } = await pool.query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
        return rows as { version: number; name: string; applied_at: number }[];
      },
      to: (target) => m.to(target),
      close: () => pool.end(),
    };
  }
  const db = openDatabase(config.dbPath, { synchronous: config.sqliteSynchronous });
  const m = new Migrator(db);
  return {
    latestVersion: m.latestVersion,
    currentVersion: async () => m.currentVersion(),
    applied: async () => m.applied(),
    to: async (target) => m.to(target),
    close: async () => {
      db.close();
    },
  };
}

export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  program
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
          const applied = await migrator.applied();
          ctx.stdout.write(`schema version ${await migrator.currentVersion()} of ${migrator.latestVersion}\n`);
          for (const m of applied) ctx.stdout.write(`  applied  ${String(m.version).padStart(4, '0')} ${m.name} (${new Date(m.applied_at).toISOString()})\n`);
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
}
