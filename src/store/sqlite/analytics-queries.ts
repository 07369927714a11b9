/**
 * SQLite implementation of AnalyticsQueries (see analytics-types.ts): per-skill
 * sums over an hour range computed inside SQLite (one row per skill instead of
 * one per skill-hour), window histograms, frequent skill pairs and skill
 * lookups, and the all-time and hourly rollup reads (RollupReader). They touch only rollup tables, so their cost does
 * not grow with the number of raw invocations. The statements run
 * synchronously inside each (async) call.
 */
import { HOUR_MS, hourOf, type HourlyRollup, type SkillHistogram, type SkillPairCount } from '../../analytics/types.js';
import type { TimeRange } from '../../analytics/window.js';
import type { AnalyticsQueries } from '../analytics-types.js';
import type { SqliteDb } from '../database.js';
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

export class SqliteAnalyticsQueries implements AnalyticsQueries {
  private readonly stmts;
  private readonly rollups: RollupReader;
  private readonly skillNames = new Map<number, string>();
  private lastPieces: { key: string; value: { plan: WindowPieces; raw: RawEdges } } | null = null;
  private readonly edgeHours = new EdgeHourCache();

  private readonly readDaily: (range: { fromHour: number; toHour: number; skills: string }) => HourlyRollup[];

  constructor(
    db: SqliteDb,
    private readonly now: () => number = Date.now,
  ) {
    this.rollups = new RollupReader(db);
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      // Skills drive the loop (CROSS JOIN fixes the order): one primary-key range seek per skill,
      // (skill_id, hour BETWEEN …), which beats walking the hour index and re-fetching each row.
      windowTotals: p(`SELECT s.name AS skill, ? AS hour, sum(h.invocations) AS invocations, sum(h.successes) AS successes,
          sum(h.duration_sum) AS durationSum, sum(h.duration_sq_sum) AS durationSqSum, max(h.last_at) AS lastAt,
          min(h.duration_min) AS durationMin, max(h.duration_max) AS durationMax
        FROM skills s CROSS JOIN skill_hourly h ON h.skill_id = s.id AND h.hour BETWEEN ? AND ?
        GROUP BY s.id ORDER BY s.name`),
      // The same over whole days (migration 0016), for the middle of long windows.
      dailyTotals: p(`SELECT s.name AS skill, sum(d.invocations) AS invocations, sum(d.successes) AS successes,
          sum(d.duration_sum) AS durationSum, sum(d.duration_sq_sum) AS durationSqSum, max(d.last_at) AS lastAt,
          min(d.duration_min) AS durationMin, max(d.duration_max) AS durationMax
        FROM skills s CROSS JOIN skill_daily d ON d.skill_id = s.id AND d.day BETWEEN ? AND ?
        GROUP BY s.id`),
      dailyHist: p(`SELECT s.name AS skill, d.bucket, sum(d.count) AS count
        FROM skills s CROSS JOIN skill_daily_durations d ON d.skill_id = s.id AND d.day BETWEEN ? AND ?
        WHERE s.name IN (SELECT value FROM json_each(?))
        GROUP BY s.id, d.bucket ORDER BY s.name, d.bucket`),
      dailyHistAll: p(`SELECT s.name AS skill, d.bucket, sum(d.count) AS count
        FROM skills s CROSS JOIN skill_daily_durations d ON d.skill_id = s.id AND d.day BETWEEN ? AND ?
        GROUP BY s.id, d.bucket ORDER BY s.name, d.bucket`),
      perDay: p(`SELECT s.name AS skill, (h.hour / 24) * 24 AS hour, sum(h.invocations) AS invocations, sum(h.successes) AS successes,
          sum(h.duration_sum) AS durationSum, sum(h.duration_sq_sum) AS durationSqSum, max(h.last_at) AS lastAt
        FROM skills s CROSS JOIN skill_hourly h ON h.skill_id = s.id AND h.hour BETWEEN ? AND ?
        WHERE s.name IN (SELECT value FROM json_each(?))
        GROUP BY s.id, h.hour / 24 ORDER BY s.name, 2`),
      // Whole days of the daily trend (migration 0016), one row per skill and day.
      dayRows: p(`SELECT s.name AS skill, d.day * 24 AS hour, d.invocations, d.successes, d.duration_sum AS durationSum,
          d.duration_sq_sum AS durationSqSum, d.last_at AS lastAt
        FROM skills s CROSS JOIN skill_daily d ON d.skill_id = s.id AND d.day BETWEEN ? AND ?
        WHERE s.name IN (SELECT value FROM json_each(?))`),
      span: p(`SELECT min(t.first_at) AS firstAt, max(t.last_at) AS lastAt FROM skill_totals t JOIN skills s ON s.id = t.skill_id
        WHERE s.name IN (SELECT value FROM json_each(?))`),
      hourlyHist: p(`SELECT s.name AS skill, d.bucket, sum(d.count) AS count
        FROM skills s CROSS JOIN skill_hourly_durations d ON d.skill_id = s.id AND d.hour BETWEEN ? AND ?
        WHERE s.name IN (SELECT value FROM json_each(?))
        GROUP BY s.id, d.bucket ORDER BY s.name, d.bucket`),
      hourlyHistAll: p(`SELECT s.name AS skill, d.bucket, sum(d.count) AS count
        FROM skills s CROSS JOIN skill_hourly_durations d ON d.skill_id = s.id AND d.hour BETWEEN ? AND ?
        GROUP BY s.id, d.bucket ORDER BY s.name, d.bucket`),
      anyRaw: p('SELECT 1 FROM skill_invocations WHERE invoked_at BETWEEN ? AND ? LIMIT 1').pluck(),
      // Served by the covering time index (migration 0014): no table lookups.
      rawRows: p('SELECT skill_id, completed, duration_ms, invoked_at FROM skill_invocations WHERE invoked_at BETWEEN ? AND ?').raw(),
      skillName: p('SELECT name FROM skills WHERE id = ?').pluck(),
      // The version of one hour (see edge-hours.ts): every write changes its hourly rollup rows.
      hourVersion: p(`SELECT count(*), total(invocations), total(successes), total(duration_sum), total(duration_sq_sum), max(last_at)
        FROM skill_hourly WHERE hour = ?`).raw(),
      state: p('SELECT total_changes(), (SELECT data_version FROM pragma_data_version)').raw(),
      allTimeHist: p(`SELECT s.name AS skill, d.bucket, d.count
        FROM skills s CROSS JOIN skill_durations d ON d.skill_id = s.id
        WHERE s.name IN (SELECT value FROM json_each(?)) ORDER BY s.name, d.bucket`),
      frequentPairs: p(`SELECT a.name AS a, b.name AS b, p.sessions FROM skill_pairs p
        JOIN skills a ON a.id = p.skill_a JOIN skills b ON b.id = p.skill_b
        WHERE p.sessions >= ?`),
      pairsWith: p(`SELECT a.name AS a, b.name AS b, p.sessions FROM skill_pairs p
        JOIN skills a ON a.id = p.skill_a JOIN skills b ON b.id = p.skill_b
        WHERE p.skill_a = (SELECT id FROM skills WHERE name = ?) OR p.skill_b = (SELECT id FROM skills WHERE name = ?)`),
      skillExists: p('SELECT 1 FROM skills WHERE name = ?').pluck(),
    };
    // Whole days from skill_daily, the partial days at the ends from skill_hourly, in one transaction (one state).
    this.readDaily = db.transaction(({ fromHour, toHour, skills }: { fromHour: number; toHour: number; skills: string }) => {
      const split = splitDays(fromHour, toHour);
      const rows: HourlyRollup[] = [];
      if (split.days) rows.push(...(this.stmts.dayRows.all(split.days.fromDay, split.days.toDay, skills) as HourlyRollup[]));
      for (const h of split.hours) rows.push(...(this.stmts.perDay.all(h.fromHour, h.toHour, skills) as HourlyRollup[]));
      return sortDaily(rows);
    });
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
        summary.add(this.nameOf(row[0]!), row[1]!, row[2]!, row[3]!);
      }
      this.edgeHours.set(summary);
    }
    summary.addMinutes(sums, minutes.fromMinute, minutes.toMinute);
    for (const r of minutes.raw) this.addRows(sums, r);
  }

  private addRows(sums: RawEdgeSums, range: TimeRange): void {
    for (const row of this.stmts.rawRows.all(range.fromMs, range.toMs) as number[][]) sums.add(this.nameOf(row[0]!), row[1]!, row[2]!, row[3]!);
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
    const h = plan.hours;
    const rows: HourlyRollup[] = [];
    if (h) {
      const split = splitDays(h.fromHour, h.toHour);
      if (split.days) rows.push(...(this.stmts.dailyTotals.all(split.days.fromDay, split.days.toDay) as HourlyRollup[]));
      for (const r of split.hours) rows.push(...(this.stmts.windowTotals.all(r.fromHour, r.fromHour, r.toHour) as HourlyRollup[]));
    }
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
    else if (h && skills !== null) hours = this.hourHistograms(h.fromHour, h.toHour, skills);
    return mergeWindowHistograms([...hours, ...raw.histograms], [], skills);
  }

  /** Histograms of `skills` over whole hours, directly or as all-time minus the hours outside (see window-histograms.ts). */
  private hourHistograms(fromHour: number, toHour: number, skills: readonly string[]): SkillHistogram[] {
    const filter = JSON.stringify(skills);
    const span = skills.length > 0 ? (this.stmts.span.get(filter) as { firstAt: number | null; lastAt: number | null }) : null;
    const plan = planWindowHistograms(fromHour, toHour, skills.length, span);
    if (plan.kind === 'empty') return [];
    if (plan.kind === 'direct') return this.histPieces(plan.fromHour, plan.toHour, filter).flatMap(groupHistograms);
    return subtractHistograms(
      this.stmts.allTimeHist.all(filter) as HistRow[],
      plan.outside.flatMap((r) => this.histPieces(r.fromHour, r.toHour, filter)),
    );
  }

  async dailyTotals(range: { fromHour: number; toHour: number; skills: readonly string[] }): Promise<HourlyRollup[]> {
    if (range.skills.length === 0) return [];
    return this.readDaily({ fromHour: range.fromHour, toHour: range.toHour, skills: JSON.stringify(range.skills) });
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
