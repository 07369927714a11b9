/**
 * PostgreSQL implementation of AnalyticsQueries (see analytics-types.ts).
 * Reads only rollup tables (the all-time and hourly reads in rollup-reader.ts); skill names sort in byte order (COLLATE "C"), as
 * on SQLite. Window reads (a probe, whole hours, raw edges, maybe several
 * histogram reads) take them in one repeatable-read transaction, so writes
 * from other instances never fall between them.
 */
import type pg from 'pg';
import { HOUR_MS, hourOf, type HourlyRollup, type SkillHistogram, type SkillPairCount } from '../../analytics/types.js';
import type { TimeRange } from '../../analytics/window.js';
import type { AnalyticsQueries } from '../analytics-types.js';
import type { HourRange, SkillGroup } from '../types.js';
import { EdgeHourCache, EdgeHourSummary, planMinutes } from '../edge-hours.js';
import { RollupReader } from './rollup-reader.js';
import { groupHistograms, planWindowHistograms, subtractHistograms, type HistRow } from '../window-histograms.js';
import {
  mergeWindowHistograms,
  mergeWindowTotals,
  planWindow,
  RawEdgeSums,
  type RawEdges,
  sortDaily,
  splitDays,
  tailProbe,
  type WindowPieces,
} from '../window-pieces.js';

const PAIR_COLUMNS = 'a.name AS a, b.name AS b, p.sessions FROM skill_pairs p JOIN skills a ON a.id = p.skill_a JOIN skills b ON b.id = p.skill_b';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

async function span(q: Queryable, skills: readonly string[]): Promise<{ firstAt: number | null; lastAt: number | null }> {
  const { rows } = await q.query(
    `SELECT min(t.first_at) AS "firstAt", max(t.last_at) AS "lastAt" FROM skill_totals t JOIN skills s ON s.id = t.skill_id WHERE s.name = ANY($1)`,
    [skills],
  );
  return rows[0] as { firstAt: number | null; lastAt: number | null };
}

async function hourlyHist(q: Queryable, from: number, to: number, skills: readonly string[] | null): Promise<HistRow[]> {
  const { rows } = await q.query(
    `SELECT s.name AS skill, d.bucket, sum(d.count) AS count
     FROM skill_hourly_durations d JOIN skills s ON s.id = d.skill_id
     WHERE ($3::text[] IS NULL OR s.name = ANY($3)) AND d.hour BETWEEN $1 AND $2
     GROUP BY s.name, d.bucket ORDER BY s.name COLLATE "C", d.bucket`,
    [from, to, skills],
  );
  return rows as HistRow[];
}

async function dailyHist(q: Queryable, from: number, to: number, skills: readonly string[] | null): Promise<HistRow[]> {
  const { rows } = await q.query(
    `SELECT s.name AS skill, d.bucket, sum(d.count) AS count
     FROM skill_daily_durations d JOIN skills s ON s.id = d.skill_id
     WHERE ($3::text[] IS NULL OR s.name = ANY($3)) AND d.day BETWEEN $1 AND $2
     GROUP BY s.name, d.bucket ORDER BY s.name COLLATE "C", d.bucket`,
    [from, to, skills],
  );
  return rows as HistRow[];
}

/** Histogram rows of whole hours, read as whole days and the hours at the ends (see splitDays); one row set per piece. */
async function histPieces(q: Queryable, fromHour: number, toHour: number, skills: readonly string[] | null): Promise<HistRow[][]> {
  const split = splitDays(fromHour, toHour);
  const out: HistRow[][] = [];
  if (split.days) out.push(await dailyHist(q, split.days.fromDay, split.days.toDay, skills));
  for (const r of split.hours) out.push(await hourlyHist(q, r.fromHour, r.toHour, skills));
  return out;
}

// The duration range of rows with measured invocations only (a row with timed = 0 stores 0 for both): null when none.
const SUM_COLUMNS = `sum(h.invocations) AS invocations, sum(h.successes) AS successes, sum(h.timed) AS timed,
  sum(h.duration_sum) AS "durationSum", sum(h.duration_sq_sum) AS "durationSqSum", max(h.last_at) AS "lastAt",
  min(h.duration_min) FILTER (WHERE h.timed > 0) AS "durationMin", max(h.duration_max) FILTER (WHERE h.timed > 0) AS "durationMax"`;

/** Per-skill sums of whole hours, read as whole days and the hours at the ends (see splitDays). */
async function hourSums(q: Queryable, fromHour: number, toHour: number): Promise<HourlyRollup[]> {
  const split = splitDays(fromHour, toHour);
  const out: HourlyRollup[] = [];
  if (split.days) {
    const { rows } = await q.query(
      `SELECT s.name AS skill, ${SUM_COLUMNS} FROM skill_daily h JOIN skills s ON s.id = h.skill_id
       WHERE h.day BETWEEN $1 AND $2 GROUP BY s.id, s.name`,
      [split.days.fromDay, split.days.toDay],
    );
    out.push(...(rows as HourlyRollup[]));
  }
  for (const r of split.hours) {
    const { rows } = await q.query(
      `SELECT s.name AS skill, ${SUM_COLUMNS} FROM skill_hourly h JOIN skills s ON s.id = h.skill_id
       WHERE h.hour BETWEEN $1 AND $2 GROUP BY s.id, s.name`,
      [r.fromHour, r.toHour],
    );
    out.push(...(rows as HourlyRollup[]));
  }
  return out;
}

async function addRows(q: Queryable, sums: { add: EdgeHourSummary['add'] }, range: TimeRange): Promise<void> {
  const { rows } = await q.query({
    text: `SELECT s.name, i.completed, i.duration_ms, i.invoked_at, i.duration_known
     FROM skill_invocations i JOIN skills s ON s.id = i.skill_id WHERE i.invoked_at BETWEEN $1 AND $2`,
    values: [range.fromMs, range.toMs],
    rowMode: 'array',
  });
  for (const row of rows as [string, number, number, string | number, number][]) sums.add(row[0], row[1], row[2], Number(row[3]), row[4] === 1);
}

/**
 * Adds the raw rows of `range` to `sums`. A range inside one past hour is read
 * as whole minutes from that hour's summary (built once, checked against the
 * hour's rollup version in this transaction, see edge-hours.ts) and the raw
 * rows of its partial minutes.
 */
async function addRaw(q: Queryable, sums: RawEdgeSums, range: TimeRange, cache: EdgeHourCache, now: number): Promise<void> {
  const minutes = planMinutes(range);
  const hour = hourOf(range.fromMs);
  if (minutes === null || (hour + 1) * HOUR_MS > now) return addRows(q, sums, range);
  const { rows } = await q.query({
    text: `SELECT count(*), sum(invocations), sum(successes), sum(duration_sum), sum(duration_sq_sum), max(last_at)
     FROM skill_hourly WHERE hour = $1`,
    values: [hour],
    rowMode: 'array',
  });
  const version = (rows[0] as unknown[]).map((v) => (v === null ? '' : String(v))).join(':');
  let summary = cache.get(hour, version);
  if (!summary) {
    summary = new EdgeHourSummary(hour, version);
    await addRows(q, summary, { fromMs: hour * HOUR_MS, toMs: (hour + 1) * HOUR_MS - 1 });
    cache.set(summary);
  }
  summary.addMinutes(sums, minutes.fromMinute, minutes.toMinute);
  for (const r of minutes.raw) await addRows(q, sums, r);
}

/** The pieces of the window and its raw edges summed per skill as they are read (see window-pieces.ts). */
async function windowPieces(q: Queryable, range: TimeRange, cache: EdgeHourCache, now: number): Promise<{ plan: WindowPieces; raw: RawEdges }> {
  const probe = tailProbe(range);
  const later = probe ? (await q.query('SELECT 1 FROM skill_invocations WHERE invoked_at BETWEEN $1 AND $2 LIMIT 1', [probe.fromMs, probe.toMs])).rowCount : 0;
  const plan = planWindow(range, (later ?? 0) > 0);
  const sums = new RawEdgeSums();
  for (const r of plan.raw) await addRaw(q, sums, r, cache, now);
  return { plan, raw: sums.result() };
}

export class PgAnalyticsQueries implements AnalyticsQueries {
  private readonly rollups: RollupReader;
  /** Per-minute summaries of recent edge hours (edge-hours.ts), this instance's own. */
  private readonly edgeHours = new EdgeHourCache();

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => number = Date.now,
  ) {
    this.rollups = new RollupReader(pool);
  }

  hourlyRollups(range: HourRange) {
    return this.rollups.hourlyRollups(range);
  }

  triggerHourly(range: HourRange) {
    return this.rollups.triggerHourly(range);
  }

  skillTotals(skills?: readonly string[]) {
    return this.rollups.skillTotals(skills);
  }

  skillHistograms(skills?: readonly string[]) {
    return this.rollups.skillHistograms(skills);
  }

  phaseTotals() {
    return this.rollups.phaseTotals();
  }

  userSkillStats(userHash?: string) {
    return this.rollups.userSkillStats(userHash);
  }

  usersSince(fromMs: number, groups: readonly SkillGroup[], cap: number) {
    return this.rollups.usersSince(fromMs, groups, cap);
  }

  sessionCount() {
    return this.rollups.sessionCount();
  }

  async windowTotals(range: TimeRange): Promise<HourlyRollup[]> {
    return this.readOnly(async (q) => {
      const { plan, raw } = await windowPieces(q, range, this.edgeHours, this.now());
      const h = plan.hours;
      const rows = h ? await hourSums(q, h.fromHour, h.toHour) : [];
      return mergeWindowTotals(range.fromMs, [...rows, ...raw.totals], []);
    });
  }

  /** Whole days from skill_daily, the partial days at the ends from skill_hourly, as one statement (one snapshot). */
  async dailyTotals(range: { fromHour: number; toHour: number; skills: readonly string[] }): Promise<HourlyRollup[]> {
    if (range.skills.length === 0) return [];
    const split = splitDays(range.fromHour, range.toHour);
    const args: unknown[] = [[...range.skills]];
    const arg = (v: unknown) => `$${args.push(v)}`;
    const parts: string[] = [];
    if (split.days) {
      parts.push(`SELECT s.name AS skill, d.day * 24 AS hour, d.invocations, d.successes, d.timed, d.duration_sum AS "durationSum",
          d.duration_sq_sum AS "durationSqSum", d.last_at AS "lastAt"
        FROM skill_daily d JOIN skills s ON s.id = d.skill_id
        WHERE s.name = ANY($1) AND d.day BETWEEN ${arg(split.days.fromDay)} AND ${arg(split.days.toDay)}`);
    }
    for (const h of split.hours) {
      parts.push(`SELECT s.name AS skill, (h.hour / 24) * 24 AS hour, sum(h.invocations) AS invocations, sum(h.successes) AS successes,
          sum(h.timed) AS timed, sum(h.duration_sum) AS "durationSum", sum(h.duration_sq_sum) AS "durationSqSum", max(h.last_at) AS "lastAt"
        FROM skill_hourly h JOIN skills s ON s.id = h.skill_id
        WHERE s.name = ANY($1) AND h.hour BETWEEN ${arg(h.fromHour)} AND ${arg(h.toHour)}
        GROUP BY s.id, s.name, h.hour / 24`);
    }
    if (parts.length === 0) return [];
    const { rows } = await this.pool.query(parts.join(' UNION ALL '), args);
    return sortDaily(rows as HourlyRollup[]);
  }

  /** The probe, the whole hours and the raw edges are read in one repeatable-read transaction. */
  async windowHistograms(range: TimeRange, skills: readonly string[] | null): Promise<SkillHistogram[]> {
    if (skills !== null && skills.length === 0) return [];
    return this.readOnly(async (q) => {
      const { plan, raw } = await windowPieces(q, range, this.edgeHours, this.now());
      const h = plan.hours;
      let hours: SkillHistogram[] = [];
      if (h && skills === null) hours = (await histPieces(q, h.fromHour, h.toHour, null)).flatMap(groupHistograms);
      else if (h && skills !== null) hours = await this.hourHistograms(q, h.fromHour, h.toHour, skills);
      return mergeWindowHistograms([...hours, ...raw.histograms], [], skills);
    });
  }

  private async readOnly<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Histograms of `skills` over whole hours, directly or as all-time minus the hours outside (see window-histograms.ts). */
  private async hourHistograms(client: Queryable, fromHour: number, toHour: number, skills: readonly string[]): Promise<SkillHistogram[]> {
    const plan = planWindowHistograms(fromHour, toHour, skills.length, await span(client, skills));
    if (plan.kind === 'empty') return [];
    if (plan.kind === 'direct') return (await histPieces(client, plan.fromHour, plan.toHour, skills)).flatMap(groupHistograms);
    const { rows: allTime } = await client.query(
      `SELECT s.name AS skill, d.bucket, d.count FROM skill_durations d JOIN skills s ON s.id = d.skill_id
       WHERE s.name = ANY($1) ORDER BY s.name COLLATE "C", d.bucket`,
      [skills],
    );
    const outside: HistRow[][] = [];
    for (const r of plan.outside) outside.push(...(await histPieces(client, r.fromHour, r.toHour, skills)));
    return subtractHistograms(allTime as HistRow[], outside);
  }

  async frequentPairs(minSessions: number): Promise<SkillPairCount[]> {
    const { rows } = await this.pool.query(`SELECT ${PAIR_COLUMNS} WHERE p.sessions >= $1`, [minSessions]);
    return rows as SkillPairCount[];
  }

  async pairsWith(skill: string): Promise<SkillPairCount[]> {
    const { rows } = await this.pool.query(
      `SELECT ${PAIR_COLUMNS} WHERE p.skill_a = (SELECT id FROM skills WHERE name = $1) OR p.skill_b = (SELECT id FROM skills WHERE name = $1)`,
      [skill],
    );
    return rows as SkillPairCount[];
  }

  async skillExists(name: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM skills WHERE name = $1', [name]);
    return (rowCount ?? 0) > 0;
  }
}
