/**
 * Storage usage of the data directory and the compaction recommendation.
 * Pure arithmetic over numbers handed in (page counts come from the store's
 * PRAGMAs through the composition root); this module never opens the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../format-bytes.js';
import type { DatabaseStorageStats } from '../store/session-stats-types.js';

interface DataDirFile {
  /** Relative to the data directory, `/`-separated. */
  path: string;
  bytes: number;
}

export interface DataDirUsage {
  dataDir: string;
  exists: boolean;
  totalBytes: number;
  fileCount: number;
  /** Largest files first (at most 15). */
  largest: DataDirFile[];
  /** Bytes per top-level entry (files, and directories summed), largest first. */
  byEntry: DataDirFile[];
  truncated: boolean;
}

export interface CompactionThresholds {
  /** Database size past which (strictly above: see pastArchiveThreshold) archiving then compacting is recommended (config `compactThresholdBytes`). */
  compactThresholdBytes: number;
}

export const DEFAULT_COMPACTION_THRESHOLDS: CompactionThresholds = {
  compactThresholdBytes: 256 * 1024 * 1024,
};

/** Free pages `compact` must reclaim to be worth running: at least this many bytes… */
export const COMPACT_MIN_FREE_BYTES = 8 * 1024 * 1024;
/** …and at least this share of the file. */
export const COMPACT_MIN_FREE_RATIO = 0.1;

/**
 * Whether `compact` (VACUUM) would reclaim enough to be worth running: at least 8 MiB and at least
 * a tenth of the file. SQLite reuses free pages for new rows, so a few percent free is only room
 * the next writes fill; VACUUM rewrites the whole file (time in proportion to its size, as much
 * free disk again while it runs, writers wait), which pays when it gives back a tenth of the file,
 * and never for less than a few MiB, whatever the file. The one rule of `doctor` and the
 * checkpoint's storage report.
 */
export function worthCompacting(freeBytes: number, sizeBytes: number): boolean {
  return freeBytes >= COMPACT_MIN_FREE_BYTES && freeBytes >= sizeBytes * COMPACT_MIN_FREE_RATIO;
}

/**
 * Whether a database of `databaseBytes` is past the size threshold (`SESSION_BUDDY_COMPACT_THRESHOLD_MB`,
 * config `compactThresholdBytes`): strictly larger, as the README's "past" says; a database exactly at the
 * threshold is not advised to archive. The one rule of `doctor` (which points such a database to `archive`)
 * and the checkpoint's storage report (archive, then compact).
 */
export function pastArchiveThreshold(databaseBytes: number, thresholdBytes: number): boolean {
  return databaseBytes > thresholdBytes;
}

/** PostgreSQL with autovacuum off: VACUUM is recommended at this share of dead row versions. */
const PG_DEAD_ROW_RATIO = 0.25;

export interface CompactionAdvice {
  recommended: boolean;
  actions: { action: 'compact' | 'vacuum'; reason: string }[];
  databaseBytes: number;
  freeBytes: number;
  /** freelist_count / page_count (0 for an empty database). */
  freeRatio: number;
  walBytes: number | null;
  thresholds: CompactionThresholds;
  summary: string;
}

export function measureDataDir(dataDir: string, maxEntries = 5_000): DataDirUsage {
  const files: DataDirFile[] = [];
  let truncated = false;
  const exists = fs.existsSync(dataDir);
  const walk = (rel: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dataDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (files.length >= maxEntries) {
        truncated = true;
        return;
      }
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (depth < 4) walk(childRel, depth + 1);
      } else if (e.isFile()) {
        try {
          files.push({ path: childRel, bytes: fs.statSync(path.join(dataDir, childRel)).size });
        } catch {
          // vanished while walking
        }
      }
    }
  };
  if (exists) walk('', 0);
  const byTop = new Map<string, number>();
  for (const f of files) {
    const top = f.path.split('/')[0]!;
    byTop.set(top, (byTop.get(top) ?? 0) + f.bytes);
  }
  const desc = (a: DataDirFile, b: DataDirFile) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1);
  return {
    dataDir,
    exists,
    totalBytes: files.reduce((s, f) => s + f.bytes, 0),
    fileCount: files.length,
    largest: [...files].sort(desc).slice(0, 15),
    byEntry: [...byTop.entries()].map(([p, bytes]) => ({ path: p, bytes })).sort(desc),
    truncated,
  };
}

/**
 * SQLite:
 * - compact (archive, then compact) when databaseBytes (page_size × page_count) is past compactThresholdBytes
 *   (pastArchiveThreshold: strictly above it, as `doctor` advises);
 * - vacuum (run `compact`) when the free pages are worth it (worthCompacting: freeBytes, page_size ×
 *   freelist_count, at least 8 MiB and a tenth of the file), as `doctor` advises.
 * PostgreSQL (which reclaims space itself, and where `compact` does not apply):
 * - vacuum when autovacuum is off and dead row versions are ≥ 25 % of all row versions
 *   (nothing is recommended for size; there are no free pages, so freeRatio is 0).
 */
export function compactionAdvice(stats: DatabaseStorageStats, thresholds: CompactionThresholds = DEFAULT_COMPACTION_THRESHOLDS): CompactionAdvice {
  if (stats.postgres) return postgresAdvice(stats, stats.postgres, thresholds);
  const databaseBytes = stats.pageSize * stats.pageCount;
  const freeBytes = stats.pageSize * stats.freelistCount;
  const freeRatio = stats.pageCount > 0 ? stats.freelistCount / stats.pageCount : 0;
  const actions: CompactionAdvice['actions'] = [];
  if (pastArchiveThreshold(databaseBytes, thresholds.compactThresholdBytes)) {
    actions.push({
      action: 'compact',
      reason: `database is ${formatBytes(databaseBytes)}, past the ${formatBytes(thresholds.compactThresholdBytes)} threshold`,
    });
  }
  if (worthCompacting(freeBytes, databaseBytes)) {
    actions.push({
      action: 'vacuum',
      reason: `${(freeRatio * 100).toFixed(1)}% of pages are free (${formatBytes(freeBytes)} reclaimable; worth it from ${formatBytes(COMPACT_MIN_FREE_BYTES)} and ${(COMPACT_MIN_FREE_RATIO * 100).toFixed(0)}% of the file)`,
    });
  }
  const share = thresholds.compactThresholdBytes > 0 ? (100 * databaseBytes) / thresholds.compactThresholdBytes : 0;
  const summary =
    actions.length > 0
      ? `recommended: ${actions.map((a) => `${a.action} (${a.reason})`).join('; ')}`
      : `not needed: database ${formatBytes(databaseBytes)} is ${share.toFixed(1)}% of the ${formatBytes(thresholds.compactThresholdBytes)} threshold, ${(freeRatio * 100).toFixed(1)}% free pages`;
  return {
    recommended: actions.length > 0,
    actions,
    databaseBytes,
    freeBytes,
    freeRatio,
    walBytes: stats.walBytes ?? null,
    thresholds,
    summary,
  };
}

function postgresAdvice(stats: DatabaseStorageStats, pg: NonNullable<DatabaseStorageStats['postgres']>, thresholds: CompactionThresholds): CompactionAdvice {
  const versions = pg.liveRows + pg.deadRows;
  const deadRatio = versions > 0 ? pg.deadRows / versions : 0;
  const share = `${(deadRatio * 100).toFixed(1)}% of row versions are dead (${pg.deadRows} of ${versions})`;
  const actions: CompactionAdvice['actions'] =
    !pg.autovacuum && deadRatio >= PG_DEAD_ROW_RATIO
      ? [{ action: 'vacuum', reason: `${share} and autovacuum is off: run VACUUM (ANALYZE) on the database, or turn autovacuum on` }]
      : [];
  const databaseBytes = stats.pageSize * stats.pageCount;
  return {
    recommended: actions.length > 0,
    actions,
    databaseBytes,
    freeBytes: 0,
    freeRatio: 0,
    walBytes: null,
    thresholds,
    summary:
      actions.length > 0
        ? `recommended: vacuum (${actions[0]!.reason})`
        : `not needed: PostgreSQL store of ${formatBytes(databaseBytes)}, ${share}, autovacuum ${pg.autovacuum ? 'on' : 'off'}`,
  };
}
