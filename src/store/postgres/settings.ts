/**
 * Installation-wide settings in the shared database (table `settings`,
 * migration 0006). The user-hash salt lives here on PostgreSQL: every
 * instance must hash a user id to the same value, or one person would count
 * as several users (baselines, recommendations, experiment assignments).
 */
import crypto from 'node:crypto';
import type pg from 'pg';

export const USER_SALT_KEY = 'user_salt';

/**
 * The store's salt; when it has none yet, `candidate` (or a fresh random one)
 * becomes it. Concurrent first starts agree: the first insert wins and
 * everybody reads that one back.
 */
export async function sharedUserSalt(pool: pg.Pool, candidate?: string): Promise<string> {
  await pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    USER_SALT_KEY,
    candidate ?? crypto.randomBytes(32).toString('hex'),
  ]);
  const { rows } = await pool.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [USER_SALT_KEY]);
  return rows[0]!.value;
}
