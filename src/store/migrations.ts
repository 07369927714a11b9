/**
 * Versioned SQL migrations. Each migration is a pair of files
 * `NNNN_name.up.sql` / `NNNN_name.down.sql` in `migrations/<dialect>/`.
 * Every step runs in its own transaction together with the bookkeeping row,
 * so a failed step leaves the schema exactly at the previous version.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';
import { packageRoot } from '../package-root.js';

export interface Migration {
  version: number;
  name: string;
  up: string;
  down: string;
  checksum: string;
}

export interface MigrationStep {
  version: number;
  name: string;
  direction: 'up' | 'down';
}

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$/;

export function migrationsDir(dialect: 'sqlite' | 'postgres'): string {
  return path.join(packageRoot(), 'src', 'store', 'migrations', dialect);
}

export function loadMigrations(dir: string): Migration[] {
  const byVersion = new Map<number, Partial<Migration> & { version: number; name: string }>();
  for (const file of fs.readdirSync(dir).sort()) {
    const m = FILE_RE.exec(file);
    if (!m) continue;
    const version = Number(m[1]);
    const entry = byVersion.get(version) ?? { version, name: m[2]! };
    if (entry.name !== m[2]) throw new Error(`migration ${version} has two names: ${entry.name} and ${m[2]}`);
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    if (m[3] === 'up') entry.up = sql;
    else entry.down = sql;
    byVersion.set(version, entry);
  }
  const list = [...byVersion.values()].sort((a, b) => a.version - b.version);
  return list.map((e, i) => {
    if (e.up === undefined || e.down === undefined) {
      throw new Error(`migration ${label(e.version, e.name)} needs both an up and a down file`);
    }
    if (e.version !== i + 1) throw new Error(`migrations must be numbered 1..n without gaps; found ${e.version} at position ${i + 1}`);
    const checksum = crypto.createHash('sha256').update(e.up).digest('hex').slice(0, 16);
    return { version: e.version, name: e.name, up: e.up, down: e.down, checksum };
  });
}

export function label(version: number, name: string): string {
  return `${String(version).padStart(4, '0')}_${name}`;
}

export interface MigrationStatus {
  version: number;
  name: string;
  /** Epoch ms when it was applied; null: pending. */
  appliedAt: number | null;
}

/**
 * Every migration this program knows, in order, applied or pending, followed
 * by any applied migration it does not know (a database newer than the program).
 */
export function migrationStatus(
  known: readonly Pick<Migration, 'version' | 'name'>[],
  applied: readonly { version: number; name: string; applied_at: number | string }[],
): MigrationStatus[] {
  const byVersion = new Map(applied.map((a) => [Number(a.version), a]));
  const out: MigrationStatus[] = known.map((m) => {
    const a = byVersion.get(m.version);
    return { version: m.version, name: m.name, appliedAt: a ? Number(a.applied_at) : null };
  });
  for (const a of applied) {
    if (!known.some((m) => m.version === Number(a.version))) out.push({ version: Number(a.version), name: a.name, appliedAt: Number(a.applied_at) });
  }
  return out;
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

/** Refuses to go on when the database is newer than this program or an applied migration was edited. */
export function checkApplied(rows: readonly AppliedMigration[], migrations: readonly Migration[]): void {
  for (const row of rows) {
    const m = migrations[row.version - 1];
    if (!m) {
      throw new AppError('STORE_UNAVAILABLE', `database is at schema version ${row.version}, newer than this program knows (${migrations.length})`);
    }
    if (m.checksum !== row.checksum) {
      throw new AppError('STORE_UNAVAILABLE', `migration ${label(row.version, row.name)} was changed after it was applied (checksum mismatch)`);
    }
  }
}

/** A connection of another Session Buddy process to the same PostgreSQL database and schema. */
export interface PeerConnection {
  /** The client's address, or null for a Unix socket (or when this role may not see it). */
  clientAddr: string | null;
  applicationName: string;
}

/** Either back-end's migrator behind one asynchronous face (open-stores.ts opens the configured one). */
export interface SchemaMigrator {
  latestVersion: number;
  /**
   * The connections other Session Buddy processes hold to the same database and schema (PostgreSQL:
   * recognised by their application_name; the migrator's own are left out), which a schema change
   * must not happen under. Always none on SQLite, whose server the data directory's pid file knows.
   * On PostgreSQL it is the first to connect: an unreachable store fails here with STORE_UNAVAILABLE.
   */
  otherConnections(): Promise<PeerConnection[]>;
  currentVersion(): Promise<number>;
  status(): Promise<MigrationStatus[]>;
  to(target: number): Promise<MigrationStep[]>;
  close(): Promise<void>;
}
