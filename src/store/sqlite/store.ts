/**
 * SQLite implementation of the invocation store: one WAL database file
 * under the data directory.
 */
import fs from 'node:fs';
import { AppError } from '../../errors.js';
import { openDatabase, type OpenOptions, type SqliteDb } from '../database.js';
import { GroupCommit } from '../group-commit.js';
import { Migrator } from './migrator.js';
import {
  type InvocationStore,
  type InvocationsWithCosts,
  type NormalizedInvocation,
  STATS_TABLES,
  type StoreStats,
  type TailCursor,
  type WriteResult,
} from '../types.js';
import type { AttributedUsage } from '../skill-cost-types.js';
import { InvocationTailReader } from './invocation-tail.js';
import { InvocationWriter } from './invocation-writer.js';
import { SqliteSkillCostStore } from './skill-costs.js';

export interface SqliteStoreOptions extends OpenOptions {
  /** Apply pending migrations on open (default true; never on a read-only open, which needs the current schema). */
  migrate?: boolean;
}

/**
 * A store opened read-only (a data directory this process cannot write) is not migrated: one whose
 * schema is older than this program's cannot be read by it, which is said as what to do about it.
 */
function requireCurrentSchema(file: string, migrator: Migrator): void {
  const version = migrator.currentVersion();
  if (version >= migrator.latestVersion) return;
  throw new AppError(
    'STORE_UNAVAILABLE',
    `${file} has schema version ${version}, older than this program's ${migrator.latestVersion}, and is read-only here: ` +
      `its data directory needs \`session-buddy migrate\`, run by someone who can write it`,
  );
}

export class SqliteStore implements InvocationStore {
  readonly db: SqliteDb;
  readonly migrator: Migrator;
  private readonly writer: InvocationWriter;
  private readonly tail: InvocationTailReader;
  private readonly groupCommit: GroupCommit;
  private costStore: SqliteSkillCostStore | undefined;

  constructor(
    readonly file: string,
    opts: SqliteStoreOptions = {},
  ) {
    this.db = openDatabase(file, opts);
    try {
      this.migrator = new Migrator(this.db);
      if (opts.readonly) requireCurrentSchema(file, this.migrator);
      else if (opts.migrate ?? true) this.migrator.up();
      this.writer = new InvocationWriter(this.db);
      this.tail = new InvocationTailReader(this.db);
      this.groupCommit = new GroupCommit((batch) => this.writer.write(batch));
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  /** Writes a batch; concurrent calls are group-committed (see GroupCommit). */
  record(batch: NormalizedInvocation[]): Promise<WriteResult> {
    return this.groupCommit.submit(batch);
  }

  /** The cost store on this connection: the bundle's `skillCosts`, which recordWithCosts writes through. */
  get skillCosts(): SqliteSkillCostStore {
    this.costStore ??= new SqliteSkillCostStore(this.db);
    return this.costStore;
  }

  /** One transaction (synchronous, so no group commit runs in between): the batch, then its cost rows. */
  async recordWithCosts(batch: NormalizedInvocation[], costs: readonly AttributedUsage[]): Promise<InvocationsWithCosts> {
    const { result, also } = this.writer.writeWith(batch, () => this.skillCosts.recordNow(costs));
    return { invocations: result, costs: also };
  }

  async tailCursor() {
    return this.tail.start();
  }

  async invocationsAfter(cursor: TailCursor, limit: number) {
    return this.tail.after(cursor, limit);
  }

  async invokedAtByDedupeKey(keys: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < keys.length; i += 500) {
      const part = keys.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT dedupe_key AS k, invoked_at AS t FROM skill_invocations WHERE dedupe_key IS NOT NULL AND dedupe_key IN (${part.map(() => '?').join(',')})`,
        )
        .all(...part) as { k: string; t: number }[];
      for (const r of rows) out.set(r.k, Number(r.t));
    }
    return out;
  }

  async existingInvocationIds(ids: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT id FROM skill_invocations WHERE id IN (${part.map(() => '?').join(',')})`)
        .pluck()
        .all(...part) as string[];
      for (const id of rows) out.add(id);
    }
    return out;
  }

  async stats(): Promise<StoreStats> {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    const rows: Record<string, number> = {};
    for (const table of STATS_TABLES) {
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
