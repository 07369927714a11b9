/**
 * The store bundle (stores.ts) over PostgreSQL: one connection pool shared by
 * every store, migrations applied on open (under an advisory lock, so
 * several instances may start at once), the shared user-hash salt settled.
 */
import { STORAGE_TABLES, type StoreOptions, type Stores } from '../stores.js';
import { PgAnalyticsQueries } from './analytics-queries.js';
import { PgAnalyticsRecords } from './analytics-records.js';
import { PgApiTokenStore } from './api-token-store.js';
import { PgExperimentStore } from './experiment-store.js';
import { PgJobLeases } from './job-leases.js';
import { PgModelStore } from './model-store.js';
import { PgReflectionStore } from './reflection-store.js';
import { createPgSessionSkillMetrics } from './session-skill-metrics.js';
import { sharedUserSalt } from './settings.js';
import { readPgStorageStats } from './storage-stats.js';
import { PgStore } from './store.js';
import { PgTranscriptCursors } from './transcript-cursors.js';
import type { PgConnectOptions } from './pool.js';

export interface PgStoreOptions extends StoreOptions, PgConnectOptions {
  poolSize?: number;
  /** Apply pending migrations on open (default true); without them the salt is not read either. */
  migrate?: boolean;
  /** The salt to adopt when the database has none yet (default: a fresh random one). */
  salt?: string;
}

export async function openPgStores(url: string, opts: PgStoreOptions): Promise<Stores> {
  const store = await PgStore.open(url, {
    instance: opts.instance,
    ...(opts.source !== undefined ? { source: opts.source } : {}),
    ...(opts.poolSize !== undefined ? { poolSize: opts.poolSize } : {}),
    ...(opts.migrate !== undefined ? { migrate: opts.migrate } : {}),
  });
  const { pool, location } = store;
  let userSalt: string | null = null;
  try {
    if (opts.migrate ?? true) userSalt = await sharedUserSalt(pool, opts.salt);
  } catch (err) {
    await store.close();
    throw err;
  }
  return {
    kind: 'postgres',
    location,
    invocations: store,
    analyticsRecords: new PgAnalyticsRecords(pool),
    analyticsQueries: new PgAnalyticsQueries(pool, opts.now),
    experiments: new PgExperimentStore(pool),
    models: new PgModelStore(pool, opts.keepModels),
    reflections: new PgReflectionStore(pool, opts.now ? { now: opts.now } : {}),
    apiTokens: new PgApiTokenStore(pool),
    sessionSkillMetrics: createPgSessionSkillMetrics(pool),
    storageStats: () => readPgStorageStats(pool, location, STORAGE_TABLES),
    transcriptCursors: new PgTranscriptCursors(pool),
    skillCosts: store.skillCosts,
    leases: new PgJobLeases(pool),
    schemaVersion: () => store.migrator.currentVersion(),
    changeToken: null,
    trainingDbFile: null,
    userSalt,
    sqlite: null,
    close: () => store.close(),
  };
}
