/** SQLite implementation of JobLeases (lease-types.ts): one conditional upsert. */
import type { SqliteDb } from '../database.js';
import { leaseKey, type JobLeases } from '../lease-types.js';

export class SqliteJobLeases implements JobLeases {
  private readonly upsert;

  constructor(db: SqliteDb) {
    this.upsert = db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value
      WHERE CAST(settings.value AS INTEGER) < CAST(excluded.value AS INTEGER)`);
  }

  async claim(job: string, slot: number): Promise<boolean> {
    return this.upsert.run(leaseKey(job), String(Math.trunc(slot))).changes === 1;
  }
}
