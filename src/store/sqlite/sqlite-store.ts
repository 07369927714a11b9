/**
 * SQLite implementation of the invocation store: one WAL database file
 * under the data directory.
 */
import fs from 'node:fs';
import { openDatabase, type OpenOptions, type SqliteDb } from '../database.js';
import { Migrator } from '../migrator.js';
import type { NormalizedInvocation } from '../../tracking/invocation-input.js';
import type { HourRange, InvocationStore, StoreStats, WriteResult } from '../types.js';
import { InvocationWriter } from './invocation-writer.js';
import { RollupReader } from './rollup-reader.js';

/** Tables whose row counts `stats()` reports. */
const COUNTED_TABLES = [
  'skill_invocations',
  'skills',
  'users',
  'sessions',
  'skill_hourly',
  'skill_pairs',
  'skill_anomalies',
  'community_baselines',
  'ab_experiments',
  'ab_outcomes',
] as const;

interface PendingWrite {
  batch: NormalizedInvocation[];
  resolve: (r: WriteResult) => void;
  reject: (err: unknown) => void;
}

export interface SqliteStoreOptions extends OpenOptions {
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

export class SqliteStore implements InvocationStore {
  readonly db: SqliteDb;
  readonly migrator: Migrator;
  private readonly writer: InvocationWriter;
  private readonly reader: RollupReader;

  constructor(
    readonly file: string,
    opts: SqliteStoreOptions = {},
  ) {
    this.db = openDatabase(file, opts);
    try {
      this.migrator = new Migrator(this.db);
      if (opts.migrate ?? true) this.migrator.up();
      this.writer = new InvocationWriter(this.db);
      this.reader = new RollupReader(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  /**
   * Group commit: batches submitted in the same event-loop turn are written
   * in one transaction, and each caller is answered only after that commit.
   * Concurrent single-invocation calls thus share the cost of a commit
   * without giving up durability or per-call atomicity (if the shared
   * transaction fails, each batch is retried on its own).
   */
  record(batch: NormalizedInvocation[]): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private pending: PendingWrite[] = [];
  private flushScheduled = false;

  private flush(): void {
    this.flushScheduled = false;
    const group = this.pending;
    this.pending = [];
    if (group.length > 1) {
      try {
        const merged = group.flatMap((g) => g.batch);
        const result = this.writer.write(merged);
        let offset = 0;
        for (const g of group) {
          const ids = result.ids.slice(offset, offset + g.batch.length);
          const inserted = g.batch.reduce((n, inv, i) => n + (ids[i] === inv.id ? 1 : 0), 0);
          offset += g.batch.length;
          g.resolve({ ids, inserted, duplicates: g.batch.length - inserted });
        }
        return;
      } catch {
        // Fall through: write each batch on its own so only the failing one fails.
      }
    }
    for (const g of group) {
      try {
        g.resolve(this.writer.write(g.batch));
      } catch (err) {
        g.reject(err);
      }
    }
  }

  async hourlyRollups(range: HourRange) {
    return this.reader.hourlyRollups(range);
  }

  async hourlyHistograms(range: HourRange) {
    return this.reader.hourlyHistograms(range);
  }

  async skillTotals(skills?: readonly string[]) {
    return this.reader.skillTotals(skills);
  }

  async skillHistograms(skills?: readonly string[]) {
    return this.reader.skillHistograms(skills);
  }

  async phaseTotals() {
    return this.reader.phaseTotals();
  }

  async userSkillStats(userHash?: string) {
    return this.reader.userSkillStats(userHash);
  }

  async skillPairs(skill?: string) {
    return this.reader.skillPairs(skill);
  }

  async sessionCount() {
    return this.reader.sessionCount();
  }

  async session(sessionKey: string) {
    return this.reader.session(sessionKey);
  }

  async stats(): Promise<StoreStats> {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    const rows: Record<string, number> = {};
    for (const table of COUNTED_TABLES) {
      rows[table] = this.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    }
    let walBytes = 0;
    try {
      walBytes = fs.statSync(`${this.file}-wal`).size;
    } catch {
      // no WAL file right now
    }
    return {
      location: this.file,
      schemaVersion: this.migrator.currentVersion(),
      latestSchemaVersion: this.migrator.latestVersion,
      sizeBytes: pageSize * pages + walBytes,
      freeBytes: pageSize * free,
      rows,
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
