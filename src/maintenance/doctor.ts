/**
 * `doctor`: checks the installation and says what to do about each problem.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { REJECTED_FILE } from '../capture/spool.js';
import type { Config } from '../config.js';
import { fileSystemFull, freeBytes } from '../errors.js';
import { pastArchiveThreshold, worthCompacting } from '../session/storage.js';
import { readStoreHealth } from '../store/open-stores.js';
import { readSalt, SALT_FILE, saltFingerprint } from '../store/salt.js';
import { saltFilesWith, saltMismatchFix, type UsersSalt } from '../store/sqlite/user-salt.js';
import type { SqliteHealth } from '../store/store-health.js';

import type { Check, CheckStatus } from './doctor-check.js';
import { postgresChecks } from './pg-doctor.js';

export type { Check };

export interface DoctorOptions {
  config: Config;
  /** Also run the full integrity check and recompute every rollup (slow on big databases). */
  deep?: boolean;
  /** The server's pid/port if one is running for this data dir. */
  runningServer?: { pid: number; port: number } | null;
  /** Other files in the data dir that must be private, created by the server when it starts (its access token). */
  privateFiles?: string[];
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

/** The errno code when this process may not access `p` as asked (R_OK, W_OK, X_OK), else null. */
function accessProblem(p: string, how: number): string | null {
  try {
    fs.accessSync(p, how);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'EACCES';
  }
}

/** A permission problem is fixed with ownership or modes, not with a restore: the data is intact. */
function permissionAdvice(p: string, what: string): string {
  let owner = '';
  try {
    const st = fs.statSync(p);
    owner = ` (owner uid ${st.uid}, mode ${(st.mode & 0o777).toString(8)})`;
  } catch {
    // stat itself was refused
  }
  const uid = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
  return `${p}${owner} is not ${what} by this user${uid}: run session-buddy as the owner, or give this user the files (chown -R, then chmod 700 the data directory and 600 its files); the data is not damaged, do not restore`;
}

const PERMISSION_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'SQLITE_CANTOPEN', 'SQLITE_PERM', 'SQLITE_READONLY', 'SQLITE_AUTH']);

/** What to do when the database cannot be opened or read, by the cause's error code. */
export function databaseErrorAdvice(err: unknown, dbPath: string, measure: (dir: string) => number | null = freeBytes): string {
  const cause = (err as { cause?: unknown } | null)?.cause ?? err;
  const code = String((cause as { code?: unknown } | null)?.code ?? (err as { code?: unknown } | null)?.code ?? '');
  const message = (err as Error).message;
  if (PERMISSION_CODES.has(code) || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
    return `${message}: ${permissionAdvice(dbPath, 'readable and writable')}`;
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_BUSY')) {
    return `${message}: another process holds a lock on it; retry when it has finished (no restore needed)`;
  }
  // An I/O error (the -shm file cannot grow…) on a file system with no free space is a full disk too.
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || (code.startsWith('SQLITE_IOERR') && fileSystemFull(path.dirname(dbPath), measure))) {
    return `${message}: the disk is full; free space on the data directory's file system (no restore needed)`;
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return `${message}: the file is damaged; restore from a backup (\`session-buddy restore FILE\`)`;
  }
  return `${message}: run \`session-buddy doctor --deep\`; restore from a backup only if it reports damage`;
}

/** What `<data-dir>/spool.rejected.jsonl` holds: spooled lines the store refused, each kept with the reason. */
export interface RejectedSpool {
  file: string;
  count: number;
  /** Of them, refused because their user id was hashed with another salt than the store's. */
  saltMismatch: number;
  lastAt: number | null;
  lastReason: string | null;
}

const SALT_MISMATCH = 'pre-hashed with another salt';

export async function readRejectedSpool(dataDir: string): Promise<RejectedSpool> {
  const file = path.join(dataDir, REJECTED_FILE);
  const out: RejectedSpool = { file, count: 0, saltMismatch: 0, lastAt: null, lastReason: null };
  let stream: fs.ReadStream;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    stream = fs.createReadStream(file, 'utf8');
  } catch {
    return out;
  }
  for await (const line of readline.createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.trim() === '') continue;
    out.count++;
    let entry: { rejected_at?: unknown; reason?: unknown } = {};
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // counted; a line cut short by a full disk has no reason to read
    }
    if (typeof entry.reason === 'string') {
      out.lastReason = entry.reason;
      if (entry.reason.includes(SALT_MISMATCH)) out.saltMismatch++;
    }
    if (typeof entry.rejected_at === 'number') out.lastAt = entry.rejected_at;
  }
  return out;
}

/** The doctor check of the rejected spool lines: invocations that were captured but are not in the store. */
function rejectedSpoolCheck(r: RejectedSpool, storeKind: 'sqlite' | 'postgres', add: (name: string, status: CheckStatus, detail: string) => void): void {
  if (r.count === 0) {
    add('rejected spool lines', 'ok', 'none');
    return;
  }
  const last = `last ${r.lastAt === null ? 'at an unknown time' : new Date(r.lastAt).toISOString()} (${r.lastReason ?? 'no reason recorded'})`;
  const salt =
    r.saltMismatch > 0
      ? `; ${r.saltMismatch} of them because their user id was hashed with another salt than the store's (\`user_id: is pre-hashed with another salt\`): ` +
        'they cannot be recorded without the raw ids, and ' +
        (storeKind === 'postgres'
          ? 'hooks of this data directory go on hashing with the other salt while a SQLite session-buddy.db in it keeps its own ' +
            '(`migrate-store` that database, or move it out of the directory, then start the server once so the directory adopts the shared salt)'
          : "they were spooled while the data directory's salt file was another than the one the database's users were hashed with " +
            '(replaced, or recreated by an older hook while it was missing): keep the salt file the `salt fingerprint` check accepts, and later calls are recorded')
      : '';
  add(
    'rejected spool lines',
    'warn',
    `${r.count} spooled invocation(s) were not recorded, kept with the reason in ${r.file}, ${last}${salt}; fix the cause, then move the file aside to clear this warning`,
  );
}

export async function runDoctor(opts: DoctorOptions): Promise<Check[]> {
  const { config } = opts;
  const checks: Check[] = [];
  const add = (name: string, status: CheckStatus, detail: string) => checks.push({ name, status, detail });

  // On PostgreSQL the data lives in the database: it is checked first, and a
  // missing data directory (which then holds only the token, logs and spool) is no failure.
  if (config.store.kind === 'postgres') {
    const health = await readStoreHealth(config, opts.deep ?? false);
    if (health.kind === 'postgres') postgresChecks(health, add);
  }
  const hasDataDir = fs.existsSync(config.dataDir);
  /** Why this user cannot write the data directory (it is then checked as it is, read-only), or null. */
  let readOnly: string | null = null;
  if (!hasDataDir && config.store.kind === 'sqlite') {
    add('data directory', 'fail', `${config.dataDir} does not exist: run \`session-buddy init\``);
    return checks;
  }
  if (!hasDataDir) {
    add(
      'data directory',
      'warn',
      `${config.dataDir} does not exist (it holds the access token, logs and the hook spool): \`session-buddy init\` creates it, run with the same \`--data-dir\` and \`--store\` (or SESSION_BUDDY_STORE) as this command`,
    );
  } else {
    if (accessProblem(config.dataDir, fs.constants.R_OK | fs.constants.X_OK)) {
      add('data directory', 'fail', permissionAdvice(config.dataDir, 'readable, writable and searchable'));
      return checks;
    }
    readOnly = accessProblem(config.dataDir, fs.constants.W_OK);
    if (readOnly) {
      // A mounted backup, or another account's directory readable by this user: checked as it is.
      add('data directory', 'warn', readOnlyAdvice(config.dataDir, readOnly));
    } else {
      const dirMode = mode(config.dataDir);
      add(
        'data directory',
        dirMode & 0o077 ? 'warn' : 'ok',
        `${config.dataDir} mode ${dirMode.toString(8)}${dirMode & 0o077 ? ' (readable by others: chmod 700)' : ''}`,
      );
    }
  }

  // On PostgreSQL the salt lives in the database (checked with it), not in the data directory.
  const saltFiles = config.store.kind === 'sqlite' ? [SALT_FILE] : [];
  for (const name of hasDataDir ? [...saltFiles, ...(opts.privateFiles ?? [])] : []) {
    const file = path.join(config.dataDir, name);
    if (!fs.existsSync(file)) {
      if (name === SALT_FILE) add(`${name} file`, 'fail', `${file} is missing: run \`session-buddy init\``);
      // The other private files (the access token) are created by the server when it starts: missing is normal until then.
      else if (opts.runningServer)
        add(`${name} file`, 'warn', `${file} is missing although the server is running: restart it (\`session-buddy stop\`, then \`start\`)`);
      else add(`${name} file`, 'ok', `${file} not created yet (the server creates it when it starts)`);
      continue;
    }
    if (accessProblem(file, fs.constants.R_OK)) {
      add(`${name} file`, 'fail', permissionAdvice(file, 'readable'));
      continue;
    }
    if (name === SALT_FILE) {
      try {
        readSalt(config.dataDir);
      } catch (err) {
        add(`${name} file`, 'fail', (err as Error).message);
        continue;
      }
    }
    const m = mode(file);
    add(`${name} file`, m & 0o077 ? 'fail' : 'ok', `${file} mode ${m.toString(8)}${m & 0o077 ? ' (must be 600: chmod 600)' : ''}`);
  }

  if (config.store.kind === 'postgres') {
    // its checks ran first (above)
  } else if (!fs.existsSync(config.dbPath)) {
    add('database', 'fail', `${config.dbPath} does not exist: run \`session-buddy init\``);
  } else if (accessProblem(config.dbPath, fs.constants.R_OK | (readOnly ? 0 : fs.constants.W_OK))) {
    add('database', 'fail', permissionAdvice(config.dbPath, 'readable and writable'));
  } else {
    try {
      const h = await readStoreHealth(config, opts.deep ?? false);
      if (h.kind === 'sqlite') {
        sqliteChecks(h, config.compactThresholdBytes, readOnly !== null, add);
        if (h.usersSalt !== null) saltFingerprintCheck(config, h.usersSalt, add);
      }
    } catch (err) {
      add('database', 'fail', databaseErrorAdvice(err, config.dbPath));
    }
  }

  if (hasDataDir) rejectedSpoolCheck(await readRejectedSpool(config.dataDir), config.store.kind, add);

  if (hasDataDir) {
    const free = freeBytes(config.dataDir);
    if (free === null) add('disk space', 'warn', 'could not be measured');
    else if (fileSystemFull(config.dataDir, () => free))
      add('disk space', 'fail', `disk full: ${free} bytes free on the data directory's disk; free space there (no restore needed)`);
    else add('disk space', free < 512 * 1024 * 1024 ? 'warn' : 'ok', `${(free / 1073741824).toFixed(1)} GiB free on the data directory's disk`);
  }

  if (opts.runningServer) {
    add('port', 'ok', `server running (pid ${opts.runningServer.pid}) on port ${opts.runningServer.port}`);
  } else if (config.port !== 0) {
    const free = await portFree(config.host, config.port);
    add(
      'port',
      free ? 'ok' : 'warn',
      free
        ? `${config.host}:${config.port} is free for \`session-buddy start\``
        : `${config.host}:${config.port} is in use by another program: start with --port`,
    );
  }
  return checks;
}

/**
 * The salt the database's users were hashed with (it records its fingerprint, see
 * store/sqlite/user-salt.ts) against the data directory's salt file: another fails, as every command
 * then refuses the store, naming both fingerprints and the fix: for a database of another data
 * directory (`--store sqlite:PATH`), that directory; else a salt file a restore kept
 * (`salt.before-restore-*`) that has the fingerprint.
 */
function saltFingerprintCheck(config: Config, users: UsersSalt, add: (name: string, status: CheckStatus, detail: string) => void): void {
  const { dataDir, dbPath } = config;
  let salt: string | null;
  try {
    salt = readSalt(dataDir);
  } catch {
    return; // a malformed salt file: nothing to compare
  }
  if (salt === null) return; // missing: the salt file check says so
  const file = path.join(dataDir, SALT_FILE);
  const current = saltFingerprint(salt);
  if (current === users.fingerprint) {
    add('salt fingerprint', 'ok', `the database's users were hashed with ${file} (fingerprint ${current})`);
    return;
  }
  const recorded = users.fingerprint;
  const kept = saltFilesWith(dataDir, recorded)[0];
  const inDataDir = path.resolve(path.dirname(dbPath)) === path.resolve(dataDir);
  const fix = !inDataDir
    ? saltMismatchFix(dbPath, dataDir, users)
    : kept
      ? `${kept} has fingerprint ${recorded}: stop the server and put it back (\`cp ${kept} ${file}\`)`
      : `no salt.before-restore-* file in ${dataDir} has fingerprint ${recorded}: stop the server and put back the salt file of the installation the data comes from`;
  add(
    'salt fingerprint',
    'fail',
    `${users.saltFile === null ? 'the database records that its users were hashed' : `the database's users were hashed (it records no salt; ${users.saltFile} beside it is its installation's)`} ` +
      `with the salt of fingerprint ${recorded}, but ${file} has fingerprint ${current}: ` +
      `commands refuse ${dbPath} until they agree (hashed with ${file}, each user would count as a second user); ${fix}`,
  );
}

/** A data directory this user may read but not write (EACCES, EROFS): checked as it is, nothing recorded. */
function readOnlyAdvice(dir: string, code: string): string {
  const fix =
    code === 'EROFS'
      ? 'to record there, mount it writable'
      : 'to record there, run session-buddy as the owner, or give this user the files (chown -R, then chmod 700 the data directory and 600 its files)';
  const uid = typeof process.getuid === 'function' ? `, uid ${process.getuid()}` : '';
  const why = code === 'EROFS' ? 'on a read-only file system' : `for this user (${code}${uid})`;
  return `${dir} is read-only ${why}: checked as it is, and nothing is recorded there; ${fix}`;
}

function sqliteChecks(
  h: SqliteHealth,
  compactThresholdBytes: number,
  readOnly: boolean,
  add: (name: string, status: CheckStatus, detail: string) => void,
): void {
  const v = h.schemaVersion;
  const migrate = readOnly
    ? ", older than this program's: the data directory needs `session-buddy migrate`, run by someone who can write it"
    : ': run `session-buddy migrate`';
  add('schema version', v === h.latestVersion ? 'ok' : 'warn', `version ${v} of ${h.latestVersion}${v < h.latestVersion ? migrate : ''}`);
  const deep = h.rollupMismatches !== null;
  add(
    deep ? 'integrity check' : 'quick check',
    h.integrity === 'ok' ? 'ok' : 'fail',
    `${h.integrity} (${h.integrityMs} ms)${h.integrity === 'ok' ? '' : ': restore from a backup (`session-buddy restore FILE`)'}`,
  );
  if (h.rollupMismatches !== null) {
    const mismatches = h.rollupMismatches;
    // After an archive (raw rows moved out on purpose) the store compared the rollups with each other only.
    const skipped = h.archived > 0 ? `; rollups against raw rows not compared: ${h.archived} archive(s) moved raw rows out of the live table on purpose` : '';
    const compared = h.archived > 0 ? 'each day equals the sum of its hours, all-time totals equal the hourly rollups' : 'match a recomputation from raw rows';
    add(
      'rollups',
      mismatches.length ? 'fail' : 'ok',
      `${mismatches.length ? `${mismatches.length}+ mismatches, first in ${mismatches[0]!.table}` : compared}${skipped}`,
    );
  }
  const size = h.pageCount * h.pageSize;
  const free = h.freelistCount * h.pageSize;
  const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
  const detail = `${mib(size)}, ${mib(free)} free pages`;
  if (worthCompacting(free, size)) {
    add('size', 'warn', `${detail}: \`session-buddy compact\` would reclaim about ${mib(free)}`);
  } else if (pastArchiveThreshold(size, compactThresholdBytes)) {
    // Large, but with little free space compact would give back next to nothing: archive moves old rows out (and says to compact then).
    add('size', 'warn', `${detail}, above the ${mib(compactThresholdBytes)} threshold: \`session-buddy archive\` moves old rows out`);
  } else {
    add('size', 'ok', detail);
  }
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}
