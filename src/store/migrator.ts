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
import type { SqliteDb } from './database.js';

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

export class Migrator {
  constructor(
    private readonly db: SqliteDb,
    private readonly migrations: Migration[] = loadMigrations(migrationsDir('sqlite')),
  ) {
    // A read-only handle (status, doctor) reads what is there and writes nothing: a database
    // without the bookkeeping table (e.g. a 0-byte file left by a full disk) is at version 0.
    if (db.readonly) return;
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      checksum   TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    )`);
  }

  get latestVersion(): number {
    return this.migrations.at(-1)?.version ?? 0;
  }

  private hasTable(): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
  }

  currentVersion(): number {
    if (!this.hasTable()) return 0;
    const row = this.db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
    return row.v ?? 0;
  }

  applied(): { version: number; name: string; applied_at: number }[] {
    if (!this.hasTable()) return [];
    return this.db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
      version: number;
      name: string;
      applied_at: number;
    }[];
  }

  /** Every migration, applied (with when) or pending; see migrationStatus. */
  status(): MigrationStatus[] {
    return migrationStatus(this.migrations, this.applied());
  }

  /** Applies every pending migration. Idempotent: a second call does nothing. */
  up(): MigrationStep[] {
    return this.to(this.latestVersion);
  }

  /** Rolls back the most recent migration. */
  rollback(): MigrationStep[] {
    const current = this.currentVersion();
    return current === 0 ? [] : this.to(current - 1);
  }

  /** Moves the schema up or down to exactly `target`. */
  to(target: number): MigrationStep[] {
    if (!Number.isInteger(target) || target < 0 || target > this.latestVersion) {
      throw AppError.invalid('to', `must be an integer between 0 and ${this.latestVersion}`);
    }
    this.verifyChecksums();
    const steps: MigrationStep[] = [];
    let current = this.currentVersion();
    while (current < target) {
      const m = this.migrations[current]!;
      this.runStep(m, 'up');
      steps.push({ version: m.version, name: m.name, direction: 'up' });
      current++;
    }
    while (current > target) {
      const m = this.migrations[current - 1]!;
      this.runStep(m, 'down');
      steps.push({ version: m.version, name: m.name, direction: 'down' });
      current--;
    }
    return steps;
  }

  private runStep(m: Migration, direction: 'up' | 'down'): void {
    const step = this.db.transaction(() => {
      this.db.exec(direction === 'up' ? m.up : m.down);
      if (direction === 'up') {
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)')
          .run(m.version, m.name, m.checksum, Date.now());
      } else {
        this.db.prepare('DELETE FROM schema_migrations WHERE version = ?').run(m.version);
      }
    });
    try {
      step.immediate();
    } catch (err) {
      throw new AppError('STORE_UNAVAILABLE', `migration ${label(m.version, m.name)} (${direction}) failed: ${(err as Error).message}`, {}, { cause: err });
    }
  }

  private verifyChecksums(): void {
    const rows = this.db.prepare('SELECT version, name, checksum FROM schema_migrations').all() as AppliedMigration[];
    checkApplied(rows, this.migrations);
  }
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
