/**
 * Recomputes every rollup from the raw invocation rows and compares it with
 * the incrementally maintained tables. Used by tests, the crash-safety test
 * and `doctor`; it scans the raw table, so it is slow by design. The daily
 * rollups are compared with their hours (each day is the sum of its hourly
 * rows, which are never pruned).
 *
 * Duration figures (sums, min/max, histograms, `timed`) hold the measured
 * invocations only (duration_known = 1); a rollup row with none stores 0 for
 * its minimum and maximum.
 *
 * After an `archive` the raw rows of the archived period are gone on purpose,
 * so no rollup can be recomputed from them; verifyRollupConsistency then
 * compares the rollups with each other only (what an archive leaves true):
 * each day with the sum of its hours, and the all-time totals, histograms and
 * per-phase totals with the hourly rollups.
 */
import { durationBucket } from '../../analytics/histogram.js';
import type { SqliteDb } from '../database.js';

export interface RollupMismatch {
  table: string;
  key: string;
  expected: unknown;
  actual: unknown;
}

const EPS = 1e-6;

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= EPS * Math.max(1, Math.abs(a), Math.abs(b));
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(table: string, expected: Map<string, unknown[]>, actual: Map<string, unknown[]>, out: RollupMismatch[]): void {
  for (const [key, exp] of expected) {
    const act = actual.get(key);
    if (!act || exp.length !== act.length || exp.some((v, i) => !same(v, act[i]))) out.push({ table, key, expected: exp, actual: act ?? null });
  }
  for (const [key, act] of actual) if (!expected.has(key)) out.push({ table, key, expected: null, actual: act });
}

function keyed(rows: unknown[][], keyLen: number): Map<string, unknown[]> {
  const m = new Map<string, unknown[]>();
  for (const r of rows) m.set(r.slice(0, keyLen).join(':'), r.slice(keyLen));
  return m;
}

type Query = (sql: string) => unknown[][];

/** The duration figures of raw rows as the rollups keep them: measured rows only, 0 for the range of none. */
const MEASURED = `sum(duration_known = 1), total(CASE WHEN duration_known = 1 THEN duration_ms ELSE 0 END), total(CASE WHEN duration_known = 1 THEN duration_ms * duration_ms ELSE 0 END),
  max(invoked_at), coalesce(min(CASE WHEN duration_known = 1 THEN duration_ms END), 0), coalesce(max(CASE WHEN duration_known = 1 THEN duration_ms END), 0)`;

const query =
  (db: SqliteDb): Query =>
  (sql) =>
    db.prepare(sql).raw().all() as unknown[][];

/** Each day of the daily rollups (figures and histogram) against the sum of its hours. */
function compareDays(q: Query, out: RollupMismatch[]): void {
  compare(
    'skill_daily',
    keyed(
      q(`SELECT skill_id, hour / 24, sum(invocations), sum(successes), sum(timed), sum(duration_sum), sum(duration_sq_sum), max(last_at),
      coalesce(min(CASE WHEN timed > 0 THEN duration_min END), 0), coalesce(max(CASE WHEN timed > 0 THEN duration_max END), 0) FROM skill_hourly GROUP BY 1, 2`),
      2,
    ),
    keyed(q('SELECT skill_id, day, invocations, successes, timed, duration_sum, duration_sq_sum, last_at, duration_min, duration_max FROM skill_daily'), 2),
    out,
  );
  compare(
    'skill_daily_durations',
    keyed(q('SELECT skill_id, hour / 24, bucket, sum(count) FROM skill_hourly_durations GROUP BY 1, 2, 3'), 3),
    keyed(q('SELECT skill_id, day, bucket, count FROM skill_daily_durations'), 3),
    out,
  );
}

/**
 * The rollups compared with each other only, never with the raw rows (valid after an archive moved
 * raw rows out): each day against the sum of its hours, and the all-time totals, the all-time
 * duration histogram and the per-phase totals against the hourly rollups.
 */
export function verifyRollupConsistency(db: SqliteDb, maxMismatches = 20): RollupMismatch[] {
  const out: RollupMismatch[] = [];
  const q = query(db);
  compareDays(q, out);
  compare(
    'skill_totals',
    keyed(
      q(`SELECT skill_id, sum(invocations), sum(successes), sum(timed), sum(duration_sum), sum(duration_sq_sum), max(last_at),
      coalesce(min(CASE WHEN timed > 0 THEN duration_min END), 0), coalesce(max(CASE WHEN timed > 0 THEN duration_max END), 0) FROM skill_hourly GROUP BY 1`),
      1,
    ),
    keyed(q('SELECT skill_id, invocations, successes, timed, duration_sum, duration_sq_sum, last_at, duration_min, duration_max FROM skill_totals'), 1),
    out,
  );
  compare(
    'skill_durations',
    keyed(q('SELECT skill_id, bucket, sum(count) FROM skill_hourly_durations GROUP BY 1, 2'), 2),
    keyed(q('SELECT skill_id, bucket, count FROM skill_durations'), 2),
    out,
  );
  compare(
    'skill_phase_totals',
    keyed(q('SELECT skill_id, invocations, successes, timed, duration_sum FROM skill_totals'), 1),
    keyed(
      q(`SELECT skill_id, sum(invocations), sum(CASE WHEN completed = 1 THEN invocations ELSE 0 END), sum(timed), sum(duration_sum)
      FROM skill_phase_totals GROUP BY 1`),
      1,
    ),
    out,
  );
  return out.slice(0, maxMismatches);
}

/** Every rollup against a recomputation from the raw rows, and each day of the daily rollups against its hours. */
export function verifyRollups(db: SqliteDb, maxMismatches = 20): RollupMismatch[] {
  const out: RollupMismatch[] = [];
  const q = query(db);

  compare(
    'skill_hourly',
    keyed(q(`SELECT skill_id, invoked_at / 3600000, count(*), sum(completed), ${MEASURED} FROM skill_invocations GROUP BY 1, 2`), 2),
    keyed(q('SELECT skill_id, hour, invocations, successes, timed, duration_sum, duration_sq_sum, last_at, duration_min, duration_max FROM skill_hourly'), 2),
    out,
  );

  compareDays(q, out);

  compare(
    'skill_totals',
    keyed(
      q(`SELECT skill_id, count(*), sum(completed), count(DISTINCT session_id), count(DISTINCT user_id), min(invoked_at), ${MEASURED}
      FROM skill_invocations GROUP BY 1`),
      1,
    ),
    keyed(
      q(`SELECT skill_id, invocations, successes, sessions, users, first_at, timed, duration_sum, duration_sq_sum, last_at, duration_min, duration_max
      FROM skill_totals`),
      1,
    ),
    out,
  );

  compare(
    'skill_phase_totals',
    keyed(
      q(`SELECT skill_id, workflow_phase, completed, count(*), sum(duration_known = 1), total(CASE WHEN duration_known = 1 THEN duration_ms ELSE 0 END)
      FROM skill_invocations GROUP BY 1, 2, 3`),
      3,
    ),
    keyed(q('SELECT skill_id, workflow_phase, completed, invocations, timed, duration_sum FROM skill_phase_totals'), 3),
    out,
  );

  compare(
    'user_skill_stats',
    keyed(q(`SELECT user_id, skill_id, count(*), sum(completed), max(invoked_at) FROM skill_invocations GROUP BY 1, 2`), 2),
    keyed(q('SELECT user_id, skill_id, invocations, successes, last_at FROM user_skill_stats'), 2),
    out,
  );

  compare(
    'session_skills',
    keyed(q(`SELECT session_id, skill_id, count(*), sum(completed) FROM skill_invocations GROUP BY 1, 2`), 2),
    keyed(q('SELECT session_id, skill_id, invocations, successes FROM session_skills'), 2),
    out,
  );

  compare(
    'sessions',
    keyed(q(`SELECT session_id, count(*), sum(completed), min(invoked_at), max(invoked_at) FROM skill_invocations GROUP BY 1`), 1),
    keyed(q('SELECT id, invocations, successes, first_at, last_at FROM sessions WHERE invocations > 0'), 1),
    out,
  );

  compare(
    'skill_pairs',
    keyed(
      q(`SELECT a.skill_id, b.skill_id, count(*) FROM
      (SELECT DISTINCT session_id, skill_id FROM skill_invocations) a
      JOIN (SELECT DISTINCT session_id, skill_id FROM skill_invocations) b ON a.session_id = b.session_id AND a.skill_id < b.skill_id
      GROUP BY 1, 2`),
      2,
    ),
    keyed(q('SELECT skill_a, skill_b, sessions FROM skill_pairs'), 2),
    out,
  );

  compare(
    'skill_trigger_hourly',
    keyed(
      q(`SELECT skill_id, invoked_at / 3600000, activation_trigger, count(*), sum(completed), coalesce(sum(slash_after_miss), 0)
      FROM skill_invocations WHERE activation_trigger IS NOT NULL GROUP BY 1, 2, 3`),
      3,
    ),
    keyed(q('SELECT skill_id, hour, activation_trigger, invocations, successes, slash_after_miss FROM skill_trigger_hourly'), 3),
    out,
  );

  // Histograms: bucketing is done in JS, so recompute them in JS.
  const hourlyHist = new Map<string, unknown[]>();
  const totalHist = new Map<string, unknown[]>();
  for (const [skill, at, ms] of db
    .prepare('SELECT skill_id, invoked_at, duration_ms FROM skill_invocations WHERE duration_known = 1')
    .raw()
    .iterate() as Iterable<[number, number, number]>) {
    const b = durationBucket(ms);
    const hk = `${skill}:${Math.floor(at / 3600000)}:${b}`;
    hourlyHist.set(hk, [((hourlyHist.get(hk)?.[0] as number) ?? 0) + 1]);
    const tk = `${skill}:${b}`;
    totalHist.set(tk, [((totalHist.get(tk)?.[0] as number) ?? 0) + 1]);
  }
  compare('skill_hourly_durations', hourlyHist, keyed(q('SELECT skill_id, hour, bucket, count FROM skill_hourly_durations'), 3), out);
  compare('skill_durations', totalHist, keyed(q('SELECT skill_id, bucket, count FROM skill_durations'), 2), out);

  return out.slice(0, maxMismatches);
}
