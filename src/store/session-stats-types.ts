/**
 * What the stores report to the session lifecycle: a session window's skill
 * metrics and the database's storage figures (both back-ends implement them).
 */

/**
 * What the store reports about its storage: for SQLite its file (PRAGMA
 * page_size/page_count/freelist_count); for PostgreSQL its relations' size in
 * pages, and row versions instead of free pages (`postgres`).
 */
export interface DatabaseStorageStats {
  dbPath?: string;
  pageSize: number;
  pageCount: number;
  freelistCount: number;
  /** Size of the `-wal` file, when known. */
  walBytes?: number | null;
  /** Row counts per table, when the store provides them. */
  rows?: Record<string, number>;
  /** PostgreSQL only: whether autovacuum runs, and live and dead row versions in the store's tables. */
  postgres?: { autovacuum: boolean; liveRows: number; deadRows: number };
}

/** The time window and project of one session, as handed to the skill-metrics provider. */
export interface SessionWindow {
  sessionId: string;
  project: string;
  workingDirectory: string;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms; "now" for an open session. */
  endedAt: number;
}

/**
 * What the skill store reports for a session window (implemented by the
 * composition root over the skill-invocation store).
 */
export interface SessionSkillMetrics {
  invocations: number;
  /** Invocations that completed successfully. */
  successes: number;
  failures: number;
  distinctSkills: number;
  /** Most used skills first. */
  topSkills: { skill: string; invocations: number; failures: number; p50DurationMs: number | null }[];
  /** How the window was matched, e.g. "invocations with project = 'x' since 2026-01-01T10:00:00Z". */
  scope?: string;
}

/** Resolves to null when the store cannot attribute invocations to the window. */
export type SessionSkillMetricsProvider = (window: SessionWindow) => Promise<SessionSkillMetrics | null>;
export type StorageStatsProvider = () => Promise<DatabaseStorageStats>;
