/** What `status` shows of a store, read as it is (nothing migrated or created). */
export interface StoreStatus {
  kind: 'sqlite' | 'postgres';
  /** The SQLite file, or the PostgreSQL URL with any password masked. */
  path: string;
  exists: boolean;
  size_bytes?: number;
  schema_version?: number;
  latest_schema_version?: number;
  rows?: Record<string, number>;
  /** SQLite: invocations `archive` moved out of skill_invocations into Parquet files (still counted by the rollups). */
  archived?: { rows: number; files: number };
  /** Why a PostgreSQL store could not be read. */
  error?: string;
}

/** Tables whose row counts `status` shows (those missing at the store's schema version are left out). */
export const STATUS_TABLES = ['skill_invocations', 'skills', 'users', 'sessions', 'skill_anomalies', 'ab_experiments'] as const;
