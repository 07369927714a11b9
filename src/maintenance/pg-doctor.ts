/**
 * `doctor` on a PostgreSQL store: the database part of the checks, from the
 * facts store/postgres/store-health.ts reads (the data directory, disk and
 * port checks are shared with SQLite, see doctor.ts).
 */
import { formatBytes } from '../format-bytes.js';
import { compactionAdvice } from '../session/storage.js';
import type { PgHealth } from '../store/store-health.js';
import type { CheckStatus } from './doctor-check.js';

type Add = (name: string, status: CheckStatus, detail: string) => void;

export function postgresChecks(h: PgHealth, add: Add): void {
  if (h.serverVersion === null) {
    add('database', 'fail', `cannot connect to ${h.server}: ${h.connectError ?? 'no answer'}`);
    return;
  }
  add('database', 'ok', `PostgreSQL ${h.serverVersion} at ${h.location}`);
  const v = h.schemaVersion;
  add(
    'schema version',
    v === h.latestVersion ? 'ok' : v === 0 ? 'fail' : 'warn',
    `version ${v} of ${h.latestVersion}${v < h.latestVersion ? ': run `session-buddy migrate` (or start a server, which migrates)' : ''}`,
  );
  if (v === 0 || !h.stats) return;

  add(
    'user salt',
    h.hasSalt ? 'ok' : 'warn',
    h.hasSalt ? 'shared by every instance (in the settings table)' : 'none yet: the first server or command that records creates it',
  );

  const pg = h.stats.postgres!;
  const advice = compactionAdvice(h.stats);
  add(
    'vacuum',
    advice.recommended || !pg.autovacuum ? 'warn' : 'ok',
    advice.recommended
      ? advice.actions[0]!.reason
      : `autovacuum ${pg.autovacuum ? 'on' : 'off: dead row versions will pile up; turn it on or VACUUM (ANALYZE) regularly'}; ${pg.deadRows} dead of ${pg.liveRows + pg.deadRows} row versions`,
  );
  add('size', 'ok', `${formatBytes(h.stats.pageSize * h.stats.pageCount)} in the store's tables and indexes`);

  const r = h.rollups;
  if (r) {
    if (r.archived > 0) {
      // An archive moved raw rows out on purpose: the totals can only be compared with each other.
      const skipped = `rollups against raw rows not compared: ${r.archived} archive(s) moved raw rows out of the live table on purpose`;
      if (r.totals === r.hourly) add('rollups', 'ok', `all-time totals and hourly totals both sum to ${r.totals} invocations; ${skipped}`);
      else add('rollups', 'fail', `all-time totals sum to ${r.totals} invocations, hourly totals to ${r.hourly}; ${skipped}`);
    } else if (r.totals === r.raw && r.hourly === r.raw) add('rollups', 'ok', `all-time and hourly totals both sum to the ${r.raw} raw invocations`);
    else add('rollups', 'fail', `raw invocations ${r.raw}, all-time totals sum to ${r.totals}, hourly totals to ${r.hourly}`);
    if (r.dailyMismatches === 0) add('daily rollups', 'ok', 'every day equals the sum of its hours (totals and histograms)');
    else add('daily rollups', 'fail', `${r.dailyMismatches} daily rollup row(s) differ from the sum of their hours`);
  }
}
