/**
 * SQLite implementation of AnalyticsQueries (see analytics-types.ts): window
 * totals, window histograms and the daily trend, frequent skill pairs and
 * skill lookups, and the all-time and hourly rollup reads (RollupReader). They
 * touch only rollup tables, so their cost does not grow with the number of raw
 * invocations. A window's whole days and hours are summed from their rollup
 * rows kept in memory per period with the period's version (period-cache.ts),
 * read again only when written since. The statements run synchronously inside
 * each (async) call.
 */
import { HOUR_MS, hourOf, type HourlyRollup, type SkillHistogram, type SkillPairCount } from '../../analytics/types.js';
import type { TimeRange } from '../../analytics/window.js';
import type { AnalyticsQueries } from '../analytics-types.js';
import type { SqliteDb } from '../database.js';
import type { HourRange, SkillGroup } from '../types.js';
import { EdgeHourCache, EdgeHourSummary, planMinutes } from '../edge-hours.js';
import { RollupReader } from './rollup-reader.js';
import { groupHistograms, type HistRow } from '../window-histograms.js';
import {
  combineHistograms,
  PeriodCache,
  periodHistograms,
  periodVersions,
  sumPeriodHistograms,
  type PeriodHistograms,
  type PeriodVersions,
} from '../period-cache.js';
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

/** At most this many days and hours of pieces are kept (a year's report reads 365 days and at most 46 edge hours). */
const DAY_PIECES = 370;
const HOUR_PIECES = 24 * 7;

/** Hourly rollup rows summed per skill and UTC day (`hour`: the day's first hour), in the rows' order (as SQL sums them). */
function sumPerDay(pieces: readonly HourlyRollup[][]): HourlyRollup[] {
  const byDay = new Map<string, HourlyRollup>();
  for (const piece of pieces) {
    for (const r of piece) {
      const hour = Math.floor(r.hour / 24) * 24;
      const key = `${r.skill}\u0000${hour}`;
      const cur = byDay.get(key);
      if (!cur) byDay.set(key, { ...r, hour });
      else {
        cur.invocations += r.invocations;
        cur.successes += r.successes;
        cur.timed += r.timed;
        cur.durationSum += r.durationSum;
        cur.durationSqSum += r.durationSqSum;
        cur.lastAt = Math.max(cur.lastAt, r.lastAt);
      }
    }
  }
  return [...byDay.values()];
}

/** Rollup rows summed per skill (sums, last use, duration range of the rows with measured invocations), in the rows' order. */
function sumPerSkill(pieces: readonly HourlyRollup[][]): HourlyRollup[] {
  const by = new Map<string, HourlyRollup>();
  for (const piece of pieces) {
    for (const r of piece) {
      const cur = by.get(r.skill);
      if (!cur) by.set(r.skill, { ...r });
      else {
        cur.invocations += r.invocations;
        cur.successes += r.successes;
        cur.durationSum += r.durationSum;
        cur.durationSqSum += r.durationSqSum;
        cur.lastAt = Math.max(cur.lastAt, r.lastAt);
        if (r.timed > 0) {
          cur.durationMin = cur.timed > 0 ? Math.min(cur.durationMin!, r.durationMin!) : r.durationMin;
          cur.durationMax = cur.timed > 0 ? Math.max(cur.durationMax!, r.durationMax!) : r.durationMax;
        }
        cur.timed += r.timed;
      }
    }
  }
  return [...by.values()];
}

export class SqliteAnalyticsQueries implements AnalyticsQueries {
  private readonly stmts;
  private readonly rollups: RollupReader;
  private readonly skillNames = new Map<number, string>();
  private lastPieces: { key: string; value: { plan: WindowPieces; raw: RawEdges } } | null = null;
  private readonly edgeHours = new EdgeHourCache();

  /** Whole days' and hours' rollup pieces of every skill, with their versions (see period-cache.ts). */
  private readonly dayHistograms = new PeriodCache<PeriodHistograms, PeriodHistograms>(DAY_PIECES, combineHistograms);
  private readonly hourHistograms = new PeriodCache<PeriodHistograms, PeriodHistograms>(HOUR_PIECES, combineHistograms);
  private readonly dayRows = new PeriodCache<HourlyRollup[], HourlyRollup[]>(DAY_PIECES, (pieces) => pieces.flat());
  /** Hours summed per skill and UTC day (the partial days of the daily trend). */
  private readonly hourRows = new PeriodCache<HourlyRollup[], HourlyRollup[]>(HOUR_PIECES, sumPerDay);
  /** The same rows with their duration ranges, summed per skill (window totals). */
  private readonly dayTotals = new PeriodCache<HourlyRollup[], HourlyRollup[]>(DAY_PIECES, sumPerSkill);
  private readonly hourTotals = new PeriodCache<HourlyRollup[], HourlyRollup[]>(HOUR_PIECES, sumPerSkill);
  private readonly readTotals: (range: { fromHour: number; toHour: number }) => HourlyRollup[];
  private lastHistograms: { key: string; segments: PeriodHistograms[]; value: SkillHistogram[] } | null = null;
  private readonly periodVersions = new Map<string, { state: string; versions: PeriodVersions }>();

  private readonly readDaily: (range: { fromHour: number; toHour: number; skills: readonly string[] }) => HourlyRollup[];
  private readonly readHistograms: (range: { fromHour: number; toHour: number; skills: readonly string[] }) => SkillHistogram[];

  constructor(
    db: SqliteDb,
    private readonly now: () => number = Date.now,
  ) {
    this.rollups = new RollupReader(db);
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      dailyHist: p(`SELECT s.name AS skill, d.bucket, sum(d.count) AS count
        FROM skills s CROSS JOIN skill_daily_durations d ON d.skill_id = s.id AND d.day BETWEEN ? AND ?
        WHERE s.name IN (SELECT value FROM json_each(?))
        GROUP BY s.id, d.bucket ORDER BY s.name, d.bucket`),
      dailyHistAll: p(`SELECT s.name AS skill, d.bucket, sum(d.count) AS count
        FROM skills s CROSS JOIN skill_daily_durations d ON d.skill_id = s.id AND d.day BETWEEN ? AND ?
        GROUP BY s.id, d.bucket ORDER BY s.name, d.bucket`),
      // Versions of whole days and hours (period-cache.ts): the number of rollup rows and of invocations.
      dayVersions: p(`SELECT d.day, count(*), total(d.invocations)
        FROM skills s CROSS JOIN skill_daily d ON d.skill_id = s.id AND d.day BETWEEN ? AND ? GROUP BY d.day`).raw(),
      hourVersions: p(`SELECT h.hour, count(*), total(h.invocations)
        FROM skills s CROSS JOIN skill_hourly h ON h.skill_id = s.id AND h.hour BETWEEN ? AND ? GROUP BY h.hour`).raw(),
      // Pieces of every skill over a range of days or hours, in primary-key order (buckets ascending per skill and period).
      dayHistRows: p(`SELECT d.day, d.skill_id, d.bucket, d.count
        FROM skills s CROSS JOIN skill_daily_durations d ON d.skill_id = s.id AND d.day BETWEEN ? AND ?`).raw(),
      hourHistRows: p(`SELECT d.hour, d.skill_id, d.bucket, d.count
        FROM skills s CROSS JOIN skill_hourly_durations d ON d.skill_id = s.id AND d.hour BETWEEN ? AND ?`).raw(),
      dayRollups: p(`SELECT d.day, d.skill_id, d.invocations, d.successes, d.duration_sum, d.duration_sq_sum, d.last_at, d.duration_min, d.duration_max, d.timed
        FROM skills s CROSS JOIN skill_daily d ON d.skill_id = s.id AND d.day BETWEEN ? AND ?`).raw(),
      hourRollups:
        p(`SELECT h.hour, h.skill_id, h.invocations, h.successes, h.duration_sum, h.duration_sq_sum, h.last_at, h.duration_min, h.duration_max, h.timed
        FROM skills s CROSS JOIN skill_hourly h ON h.skill_id = s.id AND h.hour BETWEEN ? AND ?`).raw(),
      hourlyHist: p(`SELECT s.name AS skill, d.bucket, sum(d.count) AS count
        FROM skills s CROSS JOIN skill_hourly_durations d ON d.skill_id = s.id AND d.hour BETWEEN ? AND ?
        WHERE s.name IN (SELECT value FROM json_each(?))
        GROUP BY s.id, d.bucket ORDER BY s.name, d.bucket`),
      hourlyHistAll: p(`SELECT s.name AS skill, d.bucket, sum(d.count) AS count
        FROM skills s CROSS JOIN skill_hourly_durations d ON d.skill_id = s.id AND d.hour BETWEEN ? AND ?
        GROUP BY s.id, d.bucket ORDER BY s.name, d.bucket`),
      anyRaw: p('SELECT 1 FROM skill_invocations WHERE invoked_at BETWEEN ? AND ? LIMIT 1').pluck(),
      // Served by the covering time index (migrations 0014, 0025): no table lookups.
      rawRows: p('SELECT skill_id, completed, duration_ms, invoked_at, duration_known FROM skill_invocations WHERE invoked_at BETWEEN ? AND ?').raw(),
      skillName: p('SELECT name FROM skills WHERE id = ?').pluck(),
      // The version of one hour (see edge-hours.ts): every write changes its hourly rollup rows.
      hourVersion: p(`SELECT count(*), total(invocations), total(successes), total(duration_sum), total(duration_sq_sum), max(last_at)
        FROM skill_hourly WHERE hour = ?`).raw(),
      state: p('SELECT total_changes(), (SELECT data_version FROM pragma_data_version)').raw(),
      frequentPairs: p(`SELECT a.name AS a, b.name AS b, p.sessions FROM skill_pairs p
        JOIN skills a ON a.id = p.skill_a JOIN skills b ON b.id = p.skill_b
        WHERE p.sessions >= ?`),
      pairsWith: p(`SELECT a.name AS a, b.name AS b, p.sessions FROM skill_pairs p
        JOIN skills a ON a.id = p.skill_a JOIN skills b ON b.id = p.skill_b
        WHERE p.skill_a = (SELECT id FROM skills WHERE name = ?) OR p.skill_b = (SELECT id FROM skills WHERE name = ?)`),
      skillExists: p('SELECT 1 FROM skills WHERE name = ?').pluck(),
    };
    // Whole days from skill_daily, the partial days at the ends from skill_hourly, in one transaction (one state).
    this.readDaily = db.transaction(({ fromHour, toHour, skills }: { fromHour: number; toHour: number; skills: readonly string[] }) => {
      const wanted = new Set(skills);
      const segments = this.windowSegments(
        fromHour,
        toHour,
        this.dayRows,
        this.hourRows,
        (stmt, from, to) => this.readRollups(stmt, from, to, false),
        () => [],
      );
      return sortDaily(segments.flat().filter((r) => wanted.has(r.skill)));
    });
    this.readTotals = db.transaction(({ fromHour, toHour }: { fromHour: number; toHour: number }) =>
      this.windowSegments(
        fromHour,
        toHour,
        this.dayTotals,
        this.hourTotals,
        (stmt, from, to) => this.readRollups(stmt, from, to, true),
        () => [],
      ).flat(),
    );
    this.readHistograms = db.transaction(({ fromHour, toHour, skills }: { fromHour: number; toHour: number; skills: readonly string[] }) => {
      const segments = this.windowSegments(
        fromHour,
        toHour,
        this.dayHistograms,
        this.hourHistograms,
        (stmt, from, to) => this.readHistRows(stmt === 'dayRollups' ? 'dayHistRows' : 'hourHistRows', from, to),
        () => new Map(),
      );
      // The same segments (unchanged, see PeriodCache.segment) and skills as the last call: the same sums.
      const key = skills.join('\u0000');
      const last = this.lastHistograms;
      if (last && last.key === key && last.segments.length === segments.length && last.segments.every((x, i) => x === segments[i])) return last.value;
      const value = sumPeriodHistograms(segments, skills);
      this.lastHistograms = { key, segments, value };
      return value;
    });
  }

  /**
   * Versions of the days or hours [from, to]; kept while the database is
   * unchanged (as `pieces`), so the histograms and the daily trend of one
   * report read them once.
   */
  private versions(stmt: 'dayVersions' | 'hourVersions', from: number, to: number): PeriodVersions {
    const state = (this.stmts.state.get() as number[]).join(':');
    const key = `${stmt}:${from}:${to}`;
    const hit = this.periodVersions.get(key);
    if (hit?.state === state) return hit.versions;
    const versions = periodVersions(this.stmts[stmt].all(from, to) as number[][]);
    if (this.periodVersions.size >= 16) this.periodVersions.clear();
    this.periodVersions.set(key, { state, versions });
    return versions;
  }

  /**
   * The segments of the window [fromHour, toHour]: its whole days (one segment, from `dayCache`) and
   * the partial days at its ends (from `hourCache`), each read through `read` (`dayRollups` for days,
   * `hourRollups` for hours) only where missing or changed.
   */
  private windowSegments<V, S>(
    fromHour: number,
    toHour: number,
    dayCache: PeriodCache<V, S>,
    hourCache: PeriodCache<V, S>,
    read: (stmt: 'dayRollups' | 'hourRollups', from: number, to: number) => Map<number, V>,
    empty: () => V,
  ): S[] {
    const split = splitDays(fromHour, toHour);
    const segments: S[] = [];
    if (split.days) segments.push(this.daySegment(dayCache, split.days.fromDay, split.days.toDay, (from, to) => read('dayRollups', from, to), empty));
    for (const h of split.hours) segments.push(this.hourSegment(hourCache, h.fromHour, h.toHour, (from, to) => read('hourRollups', from, to), empty));
    return segments;
  }

  /** The days [fromDay, toDay] that have rollup rows, combined; a day is read (`read(from, to)`) only when missing or changed. */
  private daySegment<V, S>(cache: PeriodCache<V, S>, fromDay: number, toDay: number, read: (from: number, to: number) => Map<number, V>, empty: () => V): S {
    const versions = this.versions('dayVersions', fromDay, toDay);
    return cache.segment(`${fromDay}:${toDay}`, versions, (periods) => read(Math.min(...periods), Math.max(...periods)), empty);
  }

  /** The same for the hours [fromHour, toHour]. */
  private hourSegment<V, S>(cache: PeriodCache<V, S>, fromHour: number, toHour: number, read: (from: number, to: number) => Map<number, V>, empty: () => V): S {
    const versions = this.versions('hourVersions', fromHour, toHour);
    return cache.segment(`${fromHour}:${toHour}`, versions, (periods) => read(Math.min(...periods), Math.max(...periods)), empty);
  }

  private readHistRows(stmt: 'dayHistRows' | 'hourHistRows', from: number, to: number): Map<number, PeriodHistograms> {
    const rows = this.stmts[stmt].all(from, to) as [number, number, number, number][];
    return periodHistograms(rows.map(([period, id, bucket, count]) => [period, this.nameOf(id), bucket, count] as const));
  }

  /**
   * Rollup rows per period; `hour` is the period's first hour (a day's periods are days).
   * `withRange`: with the smallest and largest duration (window totals; the daily trend has none).
   */
  private readRollups(stmt: 'dayRollups' | 'hourRollups', from: number, to: number, withRange: boolean): Map<number, HourlyRollup[]> {
    const hoursPer = stmt === 'dayRollups' ? 24 : 1;
    const out = new Map<number, HourlyRollup[]>();
    for (const [period, id, invocations, successes, durationSum, durationSqSum, lastAt, min, max, timed] of this.stmts[stmt].all(from, to) as number[][]) {
      let list = out.get(period!);
      if (!list) out.set(period!, (list = []));
      const row: HourlyRollup = {
        skill: this.nameOf(id!),
        hour: period! * hoursPer,
        invocations: invocations!,
        successes: successes!,
        timed: timed!,
        durationSum: durationSum!,
        durationSqSum: durationSqSum!,
        lastAt: lastAt!,
      };
      if (withRange) {
        row.durationMin = min!;
        row.durationMax = max!;
      }
      list.push(row);
    }
    return out;
  }

  async hourlyRollups(range: HourRange) {
    return this.rollups.hourlyRollups(range);
  }

  async triggerHourly(range: HourRange) {
    return this.rollups.triggerHourly(range);
  }

  async skillTotals(skills?: readonly string[]) {
    return this.rollups.skillTotals(skills);
  }

  async skillHistograms(skills?: readonly string[]) {
    return this.rollups.skillHistograms(skills);
  }

  async phaseTotals() {
    return this.rollups.phaseTotals();
  }

  async userSkillStats(userHash?: string) {
    return this.rollups.userSkillStats(userHash);
  }

  async usersSince(fromMs: number, groups: readonly SkillGroup[], cap: number) {
    return this.rollups.usersSince(fromMs, groups, cap);
  }

  async sessionCount() {
    return this.rollups.sessionCount();
  }

  /**
   * The pieces of the window and its raw edges summed (see window-pieces.ts).
   * The last result is kept while the database is unchanged (no write on this
   * connection, `total_changes()`, nor on another, `data_version`), so a tool
   * that reads a window's totals and then its histograms reads the raw rows once.
   */
  private pieces(range: TimeRange): { plan: WindowPieces; raw: RawEdges } {
    const state = this.stmts.state.get() as number[];
    const key = `${range.fromMs}:${range.toMs}:${state[0]}:${state[1]}`;
    if (this.lastPieces?.key === key) return this.lastPieces.value;
    const probe = tailProbe(range);
    const plan = planWindow(range, probe !== null && this.stmts.anyRaw.get(probe.fromMs, probe.toMs) !== undefined);
    const sums = new RawEdgeSums();
    for (const r of plan.raw) this.addRaw(sums, r);
    const value = { plan, raw: sums.result() };
    this.lastPieces = { key, value };
    return value;
  }

  /**
   * Adds the raw rows of `range` to `sums`. A range inside one past hour is
   * read as whole minutes from that hour's summary (built once, checked
   * against the hour's rollup version on each use, see edge-hours.ts) and
   * the raw rows of its partial minutes.
   */
  private addRaw(sums: RawEdgeSums, range: TimeRange): void {
    const minutes = planMinutes(range);
    const hour = hourOf(range.fromMs);
    if (minutes === null || (hour + 1) * HOUR_MS > this.now()) {
      this.addRows(sums, range);
      return;
    }
    const version = (this.stmts.hourVersion.get(hour) as unknown[]).join(':');
    let summary = this.edgeHours.get(hour, version);
    if (!summary) {
      summary = new EdgeHourSummary(hour, version);
      for (const row of this.stmts.rawRows.all(hour * HOUR_MS, (hour + 1) * HOUR_MS - 1) as number[][]) {
        summary.add(this.nameOf(row[0]!), row[1]!, row[2]!, row[3]!, row[4] === 1);
      }
      this.edgeHours.set(summary);
    }
    summary.addMinutes(sums, minutes.fromMinute, minutes.toMinute);
    for (const r of minutes.raw) this.addRows(sums, r);
  }

  private addRows(sums: RawEdgeSums, range: TimeRange): void {
    for (const row of this.stmts.rawRows.all(range.fromMs, range.toMs) as number[][]) sums.add(this.nameOf(row[0]!), row[1]!, row[2]!, row[3]!, row[4] === 1);
  }

  /** Skill names by id (skills are only ever added, never renamed or removed). */
  private nameOf(id: number): string {
    let name = this.skillNames.get(id);
    if (name === undefined) {
      name = this.stmts.skillName.get(id) as string;
      this.skillNames.set(id, name);
    }
    return name;
  }

  /** Read in one synchronous step, so a concurrent write cannot fall between the reads. */
  async windowTotals(range: TimeRange): Promise<HourlyRollup[]> {
    const { plan, raw } = this.pieces(range);
    const rows = plan.hours ? this.readTotals(plan.hours) : [];
    return mergeWindowTotals(range.fromMs, [...rows, ...raw.totals], []);
  }

  /** Histogram rows of whole hours (skills: a JSON array, null = all), read as whole days and the hours at the ends; one row set per piece. */
  private histPieces(fromHour: number, toHour: number, skills: string | null): HistRow[][] {
    const split = splitDays(fromHour, toHour);
    const out: HistRow[][] = [];
    if (split.days) {
      const { fromDay, toDay } = split.days;
      out.push((skills === null ? this.stmts.dailyHistAll.all(fromDay, toDay) : this.stmts.dailyHist.all(fromDay, toDay, skills)) as HistRow[]);
    }
    for (const r of split.hours) {
      out.push((skills === null ? this.stmts.hourlyHistAll.all(r.fromHour, r.toHour) : this.stmts.hourlyHist.all(r.fromHour, r.toHour, skills)) as HistRow[]);
    }
    return out;
  }

  async windowHistograms(range: TimeRange, skills: readonly string[] | null): Promise<SkillHistogram[]> {
    if (skills !== null && skills.length === 0) return [];
    const { plan, raw } = this.pieces(range);
    const h = plan.hours;
    let hours: SkillHistogram[] = [];
    if (h && skills === null) hours = this.histPieces(h.fromHour, h.toHour, null).flatMap(groupHistograms);
    else if (h && skills !== null) {
      hours = this.readHistograms({ fromHour: h.fromHour, toHour: h.toHour, skills });
      // Already one sorted histogram per wanted skill, sorted by skill (sumPeriodHistograms): nothing to merge.
      // (Possibly the same objects as the last call's: callers read histograms, never change them.)
      if (raw.histograms.length === 0) return hours;
    }
    return mergeWindowHistograms([...hours, ...raw.histograms], [], skills);
  }

  async dailyTotals(range: { fromHour: number; toHour: number; skills: readonly string[] }): Promise<HourlyRollup[]> {
    if (range.skills.length === 0) return [];
    return this.readDaily(range);
  }

  async frequentPairs(minSessions: number): Promise<SkillPairCount[]> {
    return this.stmts.frequentPairs.all(minSessions) as SkillPairCount[];
  }

  async pairsWith(skill: string): Promise<SkillPairCount[]> {
    return this.stmts.pairsWith.all(skill, skill) as SkillPairCount[];
  }

  async skillExists(name: string): Promise<boolean> {
    return this.stmts.skillExists.get(name) !== undefined;
  }
}
