/**
 * The SQLite migrator: the numbered files in migrations/sqlite, one
 * transaction per step together with its bookkeeping row (see migrations.ts).
 */
import { AppError } from '../../errors.js';
import type { SqliteDb } from '../database.js';
import {
  type AppliedMigration,
  checkApplied,
  label,
  loadMigrations,
  migrationStatus,
  migrationsDir,
  type Migration,
  type MigrationStatus,
  type MigrationStep,
} from '../migrations.js';

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
