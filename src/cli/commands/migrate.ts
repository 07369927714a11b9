import fs from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { openSchemaMigrator } from '../../store/open-stores.js';
import type { CliContext } from '../context.js';
import { runningServer } from '../pidfile.js';
import { checkFlags, fieldFlags } from '../flags.js';
import { readOnlyStore } from '../read-only.js';
import { inUseElsewhere } from '../peer-connections.js';
import { backupConfiguredDatabase, defaultBackupPath } from './maintenance.js';

export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('migrate')
    .description('apply pending schema migrations, or move down with --rollback / --to (SQLite or PostgreSQL store)')
    .option('--rollback', 'roll back the most recent migration')
    .option('--to <version>', 'move up or down to exactly this schema version')
    .option('--status', 'list applied and pending migrations without changing anything')
    .option('--yes', 'on PostgreSQL: move down although it drops what later versions added (back it up first)')
    .action(async (opts: { rollback?: boolean; to?: string; status?: boolean; yes?: boolean }, cmd: Command) => {
      // One of --rollback, --to, --status: every combination is refused, none is ignored.
      // Bad input first, before anything is looked at (a running server, the store).
      checkFlags({
        to: () => {
          if (opts.to !== undefined && !/^\d+$/.test(opts.to)) throw AppError.invalid('--to', 'must be a non-negative integer');
        },
        rollback: () => {
          if (opts.rollback && opts.to !== undefined) throw AppError.invalid('--rollback', 'cannot be combined with --to');
        },
        status: () => {
          const others = [opts.rollback ? '--rollback' : null, opts.to !== undefined ? '--to' : null].filter(Boolean);
          if (opts.status && others.length > 0) throw AppError.invalid('--status', `cannot be combined with ${others.join(' or ')} (it changes nothing)`);
        },
      });
      const config = ctx.config(cmd);
      const server = opts.status ? null : runningServer(config.dataDir);
      // A server works on the schema it opened; changing it underneath is what restore refuses too.
      if (server) throw new AppError('CONFLICT', `the server is running (pid ${server.pid}); stop it first with \`session-buddy stop\``);
      // --status only reads: a store this user cannot write is read as it is (said once on stderr).
      const readonly = opts.status === true && readOnlyStore(config, ctx) !== null;
      const migrator = await openSchemaMigrator(config, { readonly });
      try {
        // On PostgreSQL this connects first: an unreachable store is one clean error, as for the other
        // commands, and the other instances that use the schema are known before anything changes.
        const peers = await migrator.otherConnections();
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
          if (pending > 0) {
            ctx.stdout.write(
              `${pending} pending: \`session-buddy migrate\` applies ${pending === 1 ? 'it' : 'them'}${readonly ? ', run by someone who can write the data directory' : ''}\n`,
            );
          }
          return;
        }
        let target = migrator.latestVersion;
        if (opts.rollback) target = Math.max(0, (await migrator.currentVersion()) - 1);
        if (opts.to !== undefined) target = Number(opts.to);
        const current = await migrator.currentVersion();
        if (target !== current && Number.isInteger(target) && target <= migrator.latestVersion && peers.length > 0) {
          throw inUseElsewhere(peers, 'stop those servers and commands before changing the schema (`migrate --status` only reads)');
        }
        if (target < current) await beforeGoingDown(ctx, config, current, target, opts.yes === true);
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

/**
 * Moving down drops what the later versions added (tables, columns: a column added by a later step
 * comes back empty when it is applied again). On SQLite a verified backup is taken first, in
 * <data-dir>/backups; on PostgreSQL, whose backups are the server's own tools, --yes is asked for.
 */
async function beforeGoingDown(ctx: CliContext, config: Config, from: number, to: number, yes: boolean): Promise<void> {
  if (config.store.kind === 'postgres') {
    if (!yes) {
      throw AppError.invalid(
        '--yes',
        `moving down from schema version ${from} to ${to} drops what the later versions added: back the database up (pg_dump), then pass --yes`,
      );
    }
    return;
  }
  if (!fs.existsSync(config.dbPath)) return;
  const copy = await backupConfiguredDatabase(config, defaultBackupPath(config, `session-buddy-before-migrate-${from}-to-${to}`));
  ctx.stdout.write(`backed up to ${copy.file} before moving down (${copy.invocations} invocations; \`session-buddy restore\` brings it back)\n`);
}
