/**
 * The bundle of stores the application runs on: one implementation of every
 * store interface over one back-end (SQLite file or PostgreSQL database),
 * built by open-stores.ts.
 */
import type { ReflectionStore } from './reflection-types.js';
import type { SessionSkillMetricsProvider, StorageStatsProvider } from './session-stats-types.js';
import type { AnalyticsQueries, AnalyticsRecords } from './analytics-types.js';
import type { TranscriptCursorStore } from './cursor-types.js';
import type { ApiTokenStore } from './api-token-types.js';
import type { ExperimentStore } from './experiment-types.js';
import type { JobLeases } from './lease-types.js';
import type { ModelStore } from './model-types.js';
import type { SkillCostStore } from './skill-cost-types.js';
import type { SqliteStore } from './sqlite/store.js';
import type { InvocationStore } from './types.js';

type StoreKind = 'sqlite' | 'postgres';

/** Tables whose row counts the session storage report shows. */
export const STORAGE_TABLES = ['skill_invocations', 'skills', 'sessions', 'skill_anomalies', 'reflections'] as const;

export interface Stores {
  kind: StoreKind;
  /** Where the data lives: the SQLite file, or the PostgreSQL URL with any password masked. */
  location: string;
  invocations: InvocationStore;
  analyticsRecords: AnalyticsRecords;
  analyticsQueries: AnalyticsQueries;
  experiments: ExperimentStore;
  models: ModelStore;
  reflections: ReflectionStore;
  /** Per-user access tokens (hashed). */
  apiTokens: ApiTokenStore;
  sessionSkillMetrics: SessionSkillMetricsProvider;
  storageStats: StorageStatsProvider;
  /** Where transcript import stopped in each file. */
  transcriptCursors: TranscriptCursorStore;
  /** Tokens and cost attributed to skills (skill-cost-types.ts). */
  skillCosts: SkillCostStore;
  /** Slots of periodic jobs, so that one instance runs each (lease-types.ts). */
  leases: JobLeases;
  /** The schema version the store is at. */
  schemaVersion(): Promise<number>;
  /**
   * A value that changes when another connection (another process) committed
   * a write (SQLite: PRAGMA data_version); null when the store cannot tell
   * cheaply (PostgreSQL: caches there apply fan-out events and rebuild periodically).
   */
  changeToken: (() => number) | null;
  /** A database file the training worker can open read-only itself; null: samples are read through `models`. */
  trainingDbFile: string | null;
  /**
   * The user-hash salt: on PostgreSQL the one kept in the database (shared by
   * every instance); on SQLite the data directory's salt file, checked against
   * the salt the database's users were hashed with (sqlite/user-salt.ts). null:
   * a SQLite store opened without a data directory, or read-only without a salt file.
   */
  userSalt: string | null;
  /** The SQLite store, for the operations that work on its file (backup, archive, compact, doctor); null on PostgreSQL. */
  sqlite: SqliteStore | null;
  close(): Promise<void>;
}

/** Options every back-end's opener takes. */
export interface StoreOptions {
  /** Clock for stored timestamps (reflections). */
  now?: () => number;
  /** Prediction models kept (default 5). */
  keepModels?: number;
  /** SQLite page cache in MiB (default 128; ignored on PostgreSQL). */
  cacheMiB?: number;
}
