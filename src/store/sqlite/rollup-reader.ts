/**
 * Read queries over the rollup tables. None of these touch the raw
 * invocation table: their cost depends on the number of skills and hours,
 * not on the number of invocations.
 */
import type { HourlyRollup, SkillHistogram, SkillTotals, TriggerHourlyRow, UserSkillStat } from '../../analytics/types.js';
import type { SqliteDb } from '../database.js';
import type { GroupUsers, HourRange, PhaseTotal, SkillGroup } from '../types.js';
import { groupHistograms, type HistRow } from '../window-histograms.js';

/** The rollup reads of AnalyticsQueries (see analytics-queries.ts), synchronous. */
export class RollupReader {
  private readonly stmts;

  constructor(db: SqliteDb) {
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      hourly: p(`SELECT s.name AS skill, h.hour, h.invocations, h.successes, h.timed, h.duration_sum AS durationSum,
          h.duration_sq_sum AS durationSqSum, h.last_at AS lastAt
        FROM skill_hourly h JOIN skills s ON s.id = h.skill_id
        WHERE h.hour BETWEEN ? AND ? ORDER BY s.name, h.hour`),
      hourlyForSkills: p(`SELECT s.name AS skill, h.hour, h.invocations, h.successes, h.timed, h.duration_sum AS durationSum,
          h.duration_sq_sum AS durationSqSum, h.last_at AS lastAt
        FROM skill_hourly h JOIN skills s ON s.id = h.skill_id
        WHERE s.name IN (SELECT value FROM json_each(?)) AND h.hour BETWEEN ? AND ? ORDER BY s.name, h.hour`),
      triggers: p(`SELECT s.name AS skill, t.hour, t.activation_trigger AS trigger, t.invocations, t.successes, t.slash_after_miss AS slashAfterMiss
        FROM skill_trigger_hourly t JOIN skills s ON s.id = t.skill_id
        WHERE (? IS NULL OR s.name IN (SELECT value FROM json_each(?))) AND t.hour BETWEEN ? AND ? ORDER BY s.name, t.hour, t.activation_trigger`),
      totals: p(`SELECT s.name AS skill, c.name AS category, m.name AS modality, t.invocations, t.successes, t.timed,
          t.duration_sum AS durationSum, t.duration_sq_sum AS durationSqSum, t.sessions, t.users,
          t.first_at AS firstAt, t.last_at AS lastAt, t.duration_min AS durationMin, t.duration_max AS durationMax
        FROM skill_totals t JOIN skills s ON s.id = t.skill_id
        LEFT JOIN skill_categories c ON c.id = s.category_id LEFT JOIN skill_modalities m ON m.id = s.modality_id
        WHERE ? IS NULL OR s.name IN (SELECT value FROM json_each(?)) ORDER BY s.name`),
      hist: p(`SELECT s.name AS skill, d.bucket, d.count FROM skill_durations d JOIN skills s ON s.id = d.skill_id
        WHERE ? IS NULL OR s.name IN (SELECT value FROM json_each(?)) ORDER BY s.name, d.bucket`),
      phases: p(`SELECT s.name AS skill, p.workflow_phase AS workflowPhase, p.completed, p.invocations, p.timed, p.duration_sum AS durationSum,
        p.backfilled FROM skill_phase_totals p JOIN skills s ON s.id = p.skill_id ORDER BY s.name, p.workflow_phase, p.completed`),
      userStats: p(`SELECT u.user_hash AS user, s.name AS skill, x.invocations, x.successes, x.last_at AS lastAt
        FROM user_skill_stats x JOIN users u ON u.id = x.user_id JOIN skills s ON s.id = x.skill_id`),
      userStatsOne: p(`SELECT u.user_hash AS user, s.name AS skill, x.invocations, x.successes, x.last_at AS lastAt
        FROM users u JOIN user_skill_stats x ON x.user_id = u.id JOIN skills s ON s.id = x.skill_id
        WHERE u.user_hash = ? ORDER BY s.name`),
      // Per group (a JSON object: group → names), the first `cap` distinct users found through the skill index.
      usersSince: p(`SELECT * FROM (SELECT g.key AS "group", (SELECT count(*) FROM (SELECT DISTINCT x.user_id
          FROM json_each(g.value) n CROSS JOIN skills s ON s.name = n.value CROSS JOIN user_skill_stats x ON x.skill_id = s.id
          WHERE x.last_at >= ? LIMIT ?)) AS users FROM json_each(?) g) WHERE users > 0 ORDER BY 1`),
      sessionCount: p('SELECT count(*) FROM sessions').pluck(),
    };
  }

  hourlyRollups(range: HourRange): HourlyRollup[] {
    if (range.skills) {
      return this.stmts.hourlyForSkills.all(JSON.stringify(range.skills), range.fromHour, range.toHour) as HourlyRollup[];
    }
    return this.stmts.hourly.all(range.fromHour, range.toHour) as HourlyRollup[];
  }

  triggerHourly(range: HourRange): TriggerHourlyRow[] {
    const filter = range.skills ? JSON.stringify(range.skills) : null;
    return this.stmts.triggers.all(filter, filter, range.fromHour, range.toHour) as TriggerHourlyRow[];
  }

  skillTotals(skills?: readonly string[]): SkillTotals[] {
    const filter = skills ? JSON.stringify(skills) : null;
    return this.stmts.totals.all(filter, filter) as SkillTotals[];
  }

  skillHistograms(skills?: readonly string[]): SkillHistogram[] {
    const filter = skills ? JSON.stringify(skills) : null;
    return groupHistograms(this.stmts.hist.all(filter, filter) as HistRow[]);
  }

  phaseTotals(): PhaseTotal[] {
    return (this.stmts.phases.all() as (Omit<PhaseTotal, 'completed'> & { completed: number })[]).map((r) => ({
      ...r,
      completed: r.completed === 1,
    }));
  }

  userSkillStats(userHash?: string): UserSkillStat[] {
    return (userHash === undefined ? this.stmts.userStats.all() : this.stmts.userStatsOne.all(userHash)) as UserSkillStat[];
  }

  usersSince(fromMs: number, groups: readonly SkillGroup[], cap: number): GroupUsers[] {
    if (groups.length === 0) return [];
    const byGroup: Record<string, string[]> = {};
    for (const g of groups) byGroup[g.group] = [...(byGroup[g.group] ?? []), ...g.skills];
    return this.stmts.usersSince.all(fromMs, cap, JSON.stringify(byGroup)) as GroupUsers[];
  }

  sessionCount(): number {
    return this.stmts.sessionCount.get() as number;
  }
}
