/** PostgreSQL implementation of JobLeases (lease-types.ts): one conditional upsert, atomic across instances. */
import type pg from 'pg';
import { leaseKey, type JobLeases } from '../lease-types.js';

export class PgJobLeases implements JobLeases {
  constructor(private readonly pool: pg.Pool) {}

  async claim(job: string, slot: number): Promise<boolean> {
    const res = await this.pool.query(
      `INSERT INTO settings (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
       WHERE settings.value::bigint < EXCLUDED.value::bigint`,
      [leaseKey(job), String(Math.trunc(slot))],
    );
    return res.rowCount === 1;
  }
}
