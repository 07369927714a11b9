/**
 * What `doctor` reads from the database, per back-end (facts only: the
 * doctor turns them into checks and advice). Read as the store is: nothing is
 * created or migrated.
 */
import type { DatabaseStorageStats } from './session-stats-types.js';
import type { UsersSalt } from './sqlite/user-salt.js';

export interface SqliteHealth {
  kind: 'sqlite';
  schemaVersion: number;
  latestVersion: number;
  /** `quick_check`, or `integrity_check` when deep. */
  integrity: string;
  integrityMs: number;
  /**
   * Deep only: rollup rows that disagree with a recomputation from raw rows, or after an archive with
   * the other rollups only (each day against its hours, totals and histograms against the hours; at
   * most 5 listed).
   */
  rollupMismatches: { table: string }[] | null;
  /** Archives that moved raw rows out of the live table (rollups are then not compared with raw rows). */
  archived: number;
  pageSize: number;
  pageCount: number;
  freelistCount: number;
  /**
   * The salt the database's users were hashed with, as far as it tells (sqlite/user-salt.ts): the
   * fingerprint it records (every database opened from a data directory, and every backup, records
   * it), or for one made by an older version outside the data directory, that of the salt file beside
   * it; null: neither.
   */
  usersSalt: UsersSalt | null;
}

export interface PgHealth {
  kind: 'postgres';
  /** Where, with any password masked. */
  location: string;
  /** What a connection failure names: the address and the flag or variable that set the URL (`db:5432 (from --store postgres://…)`). */
  server: string;
  /** null: could not connect (see connectError). */
  serverVersion: string | null;
  connectError: string | null;
  schemaVersion: number;
  latestVersion: number;
  hasSalt: boolean;
  stats: DatabaseStorageStats | null;
  /**
   * Deep only: the raw row count and what the all-time and hourly rollups sum to, and how many
   * rows of the daily rollups (totals and histogram) differ from the sum of their hours.
   */
  rollups: { raw: number; totals: number; hourly: number; archived: number; dailyMismatches: number } | null;
}

export type StoreHealth = SqliteHealth | PgHealth;
