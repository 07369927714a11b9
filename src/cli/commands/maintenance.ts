import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { parseAge } from '../../age.js';
import { AppError } from '../../errors.js';
import { backupDatabase, restoreDatabase, type RestoredSalt, type VerifiedCopy } from '../../store/sqlite/backup.js';
import { readSalt, SALT_FILE, saltFingerprint } from '../../store/salt.js';
import { usersSalt } from '../../store/sqlite/user-salt.js';
import { runDoctor } from '../../maintenance/doctor.js';
import { openDatabase } from '../../store/database.js';
import { Migrator } from '../../store/sqlite/migrator.js';
import { formatBytes } from '../../format-bytes.js';
import { packageRoot } from '../../package-root.js';
import { RUNNING_FROM_SOURCES } from '../../version.js';
import { homeOf, type CliContext } from '../context.js';
import { requireSqliteStore } from '../sqlite-only.js';
import { runningServer } from '../pidfile.js';
import { readOnlyStore } from '../read-only.js';
import { fieldFlags } from '../flags.js';
import { createProgress } from '../progress.js';
import { ensureDir } from '../../ensure-dir.js';

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false; // missing or unreadable: the command says which
  }
}

function requireDatabase(dbPath: string): void {
  if (!fs.existsSync(dbPath)) throw new AppError('NOT_FOUND', `no database at ${dbPath}; run \`session-buddy init\` first`);
}

/** `<data-dir>/backups/<prefix>-<time>.db` (the directory is created). */
export function defaultBackupPath(config: Config, prefix = 'session-buddy'): string {
  const dir = path.join(config.dataDir, 'backups');
  ensureDir(dir);
  return path.join(dir, `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}.db`);
}

/** The data directory's salt; null when it is missing or malformed (a backup then records no fingerprint). */
function installationSalt(dataDir: string): string | null {
  try {
    return readSalt(dataDir);
  } catch {
    return null;
  }
}

/**
 * A verified online copy of the configured SQLite database at `dest` (backupDatabase), recording the
 * fingerprint of the salt its users were hashed with: the one the database tells (usersSalt), else
 * the installation's; `readonly`: a database this user cannot write, read as it is.
 */
export async function backupConfiguredDatabase(config: Config, dest: string, onProgress?: (fraction: number) => void, readonly = false): Promise<VerifiedCopy> {
  const db = openDatabase(config.dbPath, { synchronous: config.sqliteSynchronous, readonly });
  try {
    const salt = installationSalt(config.dataDir);
    const fingerprint = usersSalt(db, config.dbPath, config.dataDir)?.fingerprint ?? (salt === null ? null : saltFingerprint(salt));
    return await backupDatabase(db, dest, onProgress, fingerprint);
  } finally {
    db.close();
  }
}

export function registerBackupCommand(program: Command, ctx: CliContext): void {
  program
    .command('backup')
    .description('copy the database to FILE while the server keeps running (SQLite online backup), then verify the copy')
    .argument('[file]', 'destination (default <data-dir>/backups/session-buddy-<time>.db)')
    .action(async (file: string | undefined, _opts, cmd: Command) => {
      const config = ctx.config(cmd);
      requireSqliteStore(config, 'backup');
      requireDatabase(config.dbPath);
      // A data directory this user cannot write (a mounted backup, another account's) is copied as it is.
      const readonly = readOnlyStore(config, ctx) !== null;
      if (readonly && file === undefined) {
        throw AppError.invalid('file', `must be named outside ${config.dataDir}: the data directory is read-only, so its backups/ folder cannot be written`);
      }
      const dest = file === undefined ? defaultBackupPath(config) : path.resolve(ctx.cwd, file);
      const progress = createProgress('backup', 100, ctx.stderr as NodeJS.WriteStream);
      const copy = await backupConfiguredDatabase(config, dest, (f) => progress.update(Math.round(f * 100)), readonly);
      // SQLite reports progress between steps only, never after the last one: the copy is complete and verified here.
      progress.update(100);
      progress.finish();
      ctx.stdout.write(
        `backed up to ${copy.file} (${formatBytes(copy.bytes)}, schema version ${copy.schemaVersion}, ${copy.invocations} invocations, integrity ok, ` +
          `${copy.saltFingerprint ? `users hashed with the salt of fingerprint ${copy.saltFingerprint}` : `no salt fingerprint recorded: ${path.join(config.dataDir, SALT_FILE)} is missing or malformed`})\n`,
      );
    });
}

/** What restore says about the salt: one line, and a note on stderr when something could not be checked. */
function describeRestoredSalt(salt: RestoredSalt, file: string): { line: string | null; note: string | null } {
  switch (salt.kind) {
    case 'same':
      return { line: `its users were hashed with this installation's salt (fingerprint ${salt.fingerprint})`, note: null };
    case 'installed':
      return {
        line:
          `installed the salt given (fingerprint ${salt.fingerprint}) with it` +
          `${salt.replaced ? `; the replaced salt (fingerprint ${salt.replaced.fingerprint}) was kept as ${salt.replaced.kept}` : ''}`,
        note: salt.checked
          ? null
          : `note: ${file} records no salt fingerprint (made by an older version), so it could not be checked that its users were hashed with the salt given`,
      };
    case 'unrecorded': {
      const mine = salt.fingerprint
        ? `this installation's salt (fingerprint ${salt.fingerprint})`
        : 'the salt this installation creates next (it has none yet)';
      return {
        line: salt.sharedUsers > 0 ? `${salt.sharedUsers} of its users are users of the replaced database too: hashed with ${mine}` : null,
        note:
          salt.sharedUsers > 0
            ? null
            : `note: ${file} records no salt fingerprint (made by an older version), so it could not be checked that its users were hashed with ${mine}; ` +
              "if it came from another installation, restore it again with --salt FILE (that installation's salt file), or each of its users counts as a second user",
      };
    }
  }
}

/** The salt in the file `--salt` names. */
function readSaltFlag(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw AppError.invalid('salt', code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file} (${code ?? (err as Error).message})`);
  }
}

export function registerRestoreCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('restore')
    .description('replace the database with a verified backup (the server must be stopped; the old database is kept)')
    .argument('<file>', 'backup file made by `session-buddy backup`')
    .option('--salt <file>', 'the salt file of the installation the backup comes from (its users were hashed with it): installed with the data')
    .action((file: string, opts: { salt?: string }, cmd: Command) => {
      const config = ctx.config(cmd);
      requireSqliteStore(config, 'restore');
      const server = runningServer(config.dataDir);
      if (server) throw new AppError('CONFLICT', `the server is running (pid ${server.pid}); stop it first with \`session-buddy stop\``);
      const source = path.resolve(ctx.cwd, file);
      // restoreDatabase refuses anything but a file as "no such file": a directory is named as such.
      if (isDirectory(source)) {
        throw new AppError('INVALID_INPUT', `${source} is a directory, not a backup file`, { field: 'file', rule: 'must be a backup file' });
      }
      const salt = opts.salt === undefined ? undefined : readSaltFlag(path.resolve(ctx.cwd, opts.salt));
      const result = restoreDatabase(source, config.dbPath, { dataDir: config.dataDir, ...(salt === undefined ? {} : { salt }) });
      const said = describeRestoredSalt(result.salt, source);
      ctx.stdout.write(
        `restored ${result.invocations} invocations (schema version ${result.schemaVersion}) into ${config.dbPath}` +
          `${result.previous ? `; the previous database${result.damaged ? ' (damaged)' : ''} was kept as ${result.previous}` : ''}${said.line ? `; ${said.line}` : ''}\n`,
      );
      if (said.note) ctx.stderr.write(`${said.note}\n`);
    });
  fieldFlags(command, { salt: '--salt' });
}

export function registerArchiveCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('archive')
    .description('move raw invocations older than a cutoff into Parquet files (verified) and delete them from the live table; rollups stay')
    .option('--older-than <age>', 'age cutoff such as 365d, 12w or 48h (default: the configured retention)')
    .option('--dry-run', 'only count what would be archived')
    .action(async (opts: { olderThan?: string; dryRun?: boolean }, cmd: Command) => {
      // Loaded here, not at start-up: the Parquet libraries are for this command only.
      const { archiveInvocations, countArchivable } = await import('../../store/sqlite/archive.js');
      const config = ctx.config(cmd);
      requireSqliteStore(config, 'archive');
      requireDatabase(config.dbPath);
      const ageMs = opts.olderThan ? parseAge(opts.olderThan) : config.retentionDays * 86_400_000;
      const before = Date.now() - ageMs;
      const db = openDatabase(config.dbPath, { synchronous: config.sqliteSynchronous });
      try {
        new Migrator(db).up();
        const count = countArchivable(db, before);
        if (opts.dryRun) {
          ctx.stdout.write(`${count} invocations are older than ${new Date(before).toISOString()} (dry run: nothing changed)\n`);
          return;
        }
        // Run even with nothing to archive: it also records the dedupe keys of files archived before they were recorded.
        const progress = count > 0 ? createProgress('archiving', count, ctx.stderr as NodeJS.WriteStream) : null;
        const result = await archiveInvocations({ db, dataDir: config.dataDir, before, onProgress: (d) => progress?.update(d) });
        progress?.finish();
        for (const f of result.keysBackfilled) ctx.stdout.write(`  recorded ${f.keys} dedupe key(s) of ${f.file} (archived before its keys were recorded)\n`);
        for (const f of result.keysMissing) {
          ctx.stdout.write(
            `  dedupe keys of ${f.file} not recorded (${f.reason}): its calls, recorded again, would count twice; put the file back and run \`archive\` again\n`,
          );
        }
        if (count === 0 && result.adopted.length === 0) {
          ctx.stdout.write(`0 invocations are older than ${new Date(before).toISOString()}; nothing to archive\n`);
          return;
        }
        for (const f of result.adopted) ctx.stdout.write(`  adopted ${f.file} (${f.rows} rows) written by an earlier run (interrupted, or before a restore)\n`);
        for (const f of result.ignored) ctx.stdout.write(`  left alone ${f.file}: ${f.reason}\n`);
        for (const f of result.files) ctx.stdout.write(`  ${f.file} (${f.rows} rows, sha256 ${f.sha256.slice(0, 16)}…)\n`);
        // Rows of adopted files were deleted from the live table by this run too: they count.
        const adoptedRows = result.adopted.reduce((n, f) => n + f.rows, 0);
        ctx.stdout.write(
          `archived ${result.rows + adoptedRows} invocations older than ${new Date(before).toISOString()}` +
            `${adoptedRows > 0 ? ` (${adoptedRows} of them into the adopted file(s))` : ''}; rollups and analytics are unchanged. Run \`session-buddy compact\` to reclaim the space.\n`,
        );
      } finally {
        db.close();
      }
    });
  fieldFlags(command, { 'older-than': '--older-than' });
}

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description('check permissions, schema version, database integrity (SQLite) or vacuum state (PostgreSQL), disk space and ports')
    .option('--deep', 'SQLite: full integrity check and rollup recomputation; PostgreSQL: rollup totals against the raw row count (slow on large databases)')
    .option('--json', 'print JSON')
    .action(async (opts: { deep?: boolean; json?: boolean }, cmd: Command) => {
      const config = ctx.config(cmd);
      // A store this user cannot write is checked as it is (said once on stderr; the data directory line says what to do).
      readOnlyStore(config, ctx);
      const server = runningServer(config.dataDir);
      const checks = await runDoctor({ config, deep: opts.deep, runningServer: server, privateFiles: ['token'] });
      // Claude Code capture: hooks and MCP command actually run, drops, spool.
      const { captureChecks } = await import('../../capture/capture-checks.js');
      checks.push(...(await captureChecks({ dataDir: config.dataDir, env: ctx.env, home: homeOf(ctx), cwd: ctx.cwd })));
      // Hooks and the stdio server run this installation's entry script: from the TypeScript sources
      // (dist/ missing or older than src/, e.g. after a `git pull`) every hook starts about 5× slower.
      checks.push(
        RUNNING_FROM_SOURCES
          ? {
              name: 'bundle',
              status: 'warn',
              detail: `dist/ is missing or older than src/ in ${packageRoot()}: commands and every hook run the TypeScript sources through tsx (slower start, more memory); run \`npm run build\` there`,
            }
          : { name: 'bundle', status: 'ok', detail: 'dist/ is up to date with the sources' },
      );
      if (opts.json) ctx.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
      else for (const c of checks) ctx.stdout.write(`${c.status === 'ok' ? 'ok  ' : c.status === 'warn' ? 'WARN' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
      if (checks.some((c) => c.status === 'fail')) throw new AppError('STORE_UNAVAILABLE', 'doctor found problems (see FAIL lines above)');
    });
}
