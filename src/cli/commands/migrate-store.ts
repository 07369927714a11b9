import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { urlSource } from '../../config.js';
import { openDatabase } from '../../store/database.js';
import { openPgStoreAt } from '../../store/open-stores.js';
import { SALT_FILE } from '../../store/salt.js';
import type { CliContext } from '../context.js';
import { lazyProgress } from '../progress.js';
import { checkFlags } from '../flags.js';
import { inUseElsewhere } from '../peer-connections.js';

interface MigrateStoreOpts {
  from?: string;
  to?: string;
  force?: boolean;
}

/** The salt of the installation the SQLite file belongs to: the `salt` file next to it, when there is one. */
function readSalt(dbFile: string): string | null {
  try {
    const salt = fs.readFileSync(path.join(path.dirname(dbFile), SALT_FILE), 'utf8').trim();
    return /^[0-9a-f]{64}$/.test(salt) ? salt : null;
  } catch {
    return null;
  }
}

export function registerMigrateStoreCommand(program: Command, ctx: CliContext): void {
  program
    .command('migrate-store')
    .description('copy every row of a SQLite store into an empty PostgreSQL store (ids kept), then verify the row counts table by table')
    .option('--from <sqlite:PATH>', 'the SQLite store to copy (default: the data directory’s database)')
    .option('--to <postgres-url>', 'the PostgreSQL store to fill (default: --store / SESSION_BUDDY_STORE when that is PostgreSQL)')
    .option('--force', 'replace the contents of a non-empty target')
    .action(async (opts: MigrateStoreOpts, cmd: Command) => {
      const config = ctx.config(cmd);
      const { from, to } = checkFlags({
        from: () => {
          if (opts.from === undefined) return config.dbPath;
          const m = /^sqlite:(?:\/\/)?(.+)$/i.exec(opts.from);
          if (!m) throw AppError.invalid('--from', 'must look like sqlite:PATH');
          return path.resolve(ctx.cwd, m[1]!);
        },
        to: () => {
          if (opts.to === undefined) {
            if (config.store.kind === 'postgres') return { url: config.store.url, source: config.store.source };
            throw AppError.invalid('--to', 'is required (a postgres:// URL)');
          }
          if (!/^postgres(ql)?:\/\//i.test(opts.to)) throw AppError.invalid('--to', 'must be a postgres:// URL');
          return { url: opts.to, source: urlSource('--to', opts.to) };
        },
      });
      if (!fs.existsSync(from)) {
        // Named by --from: a mistyped flag value (exit 2); otherwise the data directory has none yet.
        if (opts.from !== undefined) throw AppError.invalid('--from', `no SQLite database at ${from}`);
        throw new AppError('NOT_FOUND', `no SQLite database at ${from}`);
      }

      const salt = readSalt(from);
      if (!salt)
        ctx.stderr.write(
          `warning: no salt file next to ${from}: the target keeps its own salt, so users recorded from now on hash differently from the copied ones\n`,
        );
      const { migrateSqliteToPg } = await import('../../store/migrate-store.js');
      const source = openDatabase(from, { readonly: true });
      try {
        const opened = await openPgStoreAt(to.url, to.source, 2);
        const target = opened.store;
        try {
          // A server using the target read its salt when it started: after the copy it would go on hashing
          // users with that one, not the salt copied with the data, and count each of them as a new user.
          // Checked before anything changes (even the target's migrations); --force does not skip it.
          const peers = await opened.otherConnections();
          if (peers.length > 0) {
            throw inUseElsewhere(
              peers,
              'stop those servers and commands before copying into it, and start them again after the copy (a server left running keeps hashing users with the salt it read at start, not the one copied with the data); nothing was copied',
            );
          }
          await opened.migrate();
          const progress = lazyProgress('copying', ctx.stderr);
          const result = await migrateSqliteToPg({ source, target, force: opts.force === true, salt, onProgress: progress.update });
          progress.finish();
          for (const t of result.tables) ctx.stdout.write(`  ${t.table.padEnd(24)} ${String(t.target).padStart(10)}\n`);
          ctx.stdout.write(
            `copied ${result.rows} rows of ${result.tables.length} tables from ${from} to ${target.location} (schema version ${result.schemaVersion}); ` +
              'row counts verified table by table\n',
          );
        } finally {
          await target.close();
        }
      } finally {
        source.close();
      }
    });
}
