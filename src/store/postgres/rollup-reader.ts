/**
 * The all-time and hourly rollup reads of AnalyticsQueries on PostgreSQL (see
 * analytics-queries.ts). None touch the raw invocation table; skill names
 * sort in byte order (COLLATE "C"), as on SQLite.
 */
import type pg from 'pg';
import type { HourlyRollup, SkillHistogram, SkillTotals, TriggerHourlyRow, UserSkillStat } from '../../analytics/types.js';
import type { GroupUsers, HourRange, PhaseTotal, SkillGroup } from '../types.js';
import { groupHistograms, type HistRow } from '../window-histograms.js';

const HOURLY_COLUMNS = `s.name AS skill, h.hour, h.invocations, h.successes, h.timed, h.duration_sum AS "durationSum",
  h.duration_sq_sum AS "durationSqSum", h.last_at AS "lastAt"`;

export class RollupReader {
  constructor(private readonly pool: Pick<pg.Pool, 'query'>) {}

  async hourlyRollups(range: HourRange): Promise<HourlyRollup[]> {
    const { rows } = range.skills
      ? await this.pool.query(
          `SELECT ${HOURLY_COLUMNS} FROM skill_hourly h JOIN skills s ON s.id = h.skill_id
          WHERE s.name = ANY($1) AND h.hour BETWEEN $2 AND $3 ORDER BY s.name COLLATE "C", h.hour`,
          [range.skills, range.fromHour, range.toHour],
        )
      : await this.pool.query(
          `SELECT ${HOURLY_COLUMNS} FROM skill_hourly h JOIN skills s ON s.id = h.skill_id
          WHERE h.hour BETWEEN $1 AND $2 ORDER BY s.name COLLATE "C", h.hour`,
          [range.fromHour, range.toHour],
        );
    return rows as HourlyRollup[];
  }

  async triggerHourly(range: HourRange): Promise<TriggerHourlyRow[]> {
    const { rows } = await this.pool.query(
      `SELECT s.name AS skill, t.hour, t.activation_trigger AS trigger, t.invocations, t.successes, t.slash_after_miss AS "slashAfterMiss"
       FROM skill_trigger_hourly t JOIN skills s ON s.id = t.skill_id
       WHERE ($1::text[] IS NULL OR s.name = ANY($1)) AND t.hour BETWEEN $2 AND $3
       ORDER BY s.name COLLATE "C", t.hour, t.activation_trigger`,
      [range.skills ?? null, range.fromHour, range.toHour],
    );
    return rows as TriggerHourlyRow[];
  }

  async skillTotals(skills?: readonly string[]): Promise<SkillTotals[]> {
    const { rows } = await this.pool.query(
      `SELECT s.name AS skill, c.name AS category, m.name AS modality, t.invocations, t.successes, t.timed, t.duration_sum AS "durationSum",
         t.duration_sq_sum AS "durationSqSum", t.sessions, t.users, t.first_at AS "firstAt", t.last_at AS "lastAt", t.duration_min AS "durationMin", t.duration_max AS "durationMax"
       FROM skill_totals t JOIN skills s ON s.id = t.skill_id
       LEFT JOIN skill_categories c ON c.id = s.category_id LEFT JOIN skill_modalities m ON m.id = s.modality_id
       WHERE $1::text[] IS NULL OR s.name = ANY($1) ORDER BY s.name COLLATE "C"`,
      [skills ?? null],
    );
    return rows as SkillTotals[];
  }

  async skillHistograms(skills?: readonly string[]): Promise<SkillHistogram[]> {
    const { rows } = await this.pool.query(
      `SELECT s.name AS skill, d.bucket, d.count FROM skill_durations d JOIN skills s ON s.id = d.skill_id
       WHERE $1::text[] IS NULL OR s.name = ANY($1) ORDER BY s.name COLLATE "C", d.bucket`,
      [skills ?? null],
    );
    return groupHistograms(rows as HistRow[]);
  }

  async phaseTotals(): Promise<PhaseTotal[]> {
    const { rows } = await this.pool.query(
      `SELECT s.name AS skill, p.workflow_phase AS "workflowPhase", p.completed = 1 AS completed, p.invocations, p.timed, p.duration_sum AS "durationSum",
       p.backfilled FROM skill_phase_totals p JOIN skills s ON s.id = p.skill_id ORDER BY s.name COLLATE "C", p.workflow_phase, p.completed`,
    );
    return rows as PhaseTotal[];
  }

  async userSkillStats(userHash?: string): Promise<UserSkillStat[]> {
    const { rows } = await this.pool.query(
      `SELECT u.user_hash AS user, s.name AS skill, x.invocations, x.successes, x.last_at AS "lastAt"
       FROM user_skill_stats x JOIN users u ON u.id = x.user_id JOIN skills s ON s.id = x.skill_id
       WHERE $1::text IS NULL OR u.user_hash = $1 ORDER BY s.name COLLATE "C"`,
      [userHash ?? null],
    );
    return rows as UserSkillStat[];
  }

  async usersSince(fromMs: number, groups: readonly SkillGroup[], cap: number): Promise<GroupUsers[]> {
    if (groups.length === 0) return [];
    const byGroup: Record<string, string[]> = {};
    for (const g of groups) byGroup[g.group] = [...(byGroup[g.group] ?? []), ...g.skills];
    // Per group, the first `cap` distinct users found through the skill index.
    const { rows } = await this.pool.query(
      `SELECT * FROM (SELECT g.key AS "group", (SELECT count(*) FROM (SELECT DISTINCT x.user_id
          FROM jsonb_array_elements_text(g.value) n JOIN skills s ON s.name = n JOIN user_skill_stats x ON x.skill_id = s.id
          WHERE x.last_at >= $2 LIMIT $3) t)::int AS users FROM jsonb_each($1::jsonb) g) c
       WHERE users > 0 ORDER BY "group" COLLATE "C"`,
      [JSON.stringify(byGroup), fromMs, cap],
    );
    return rows as GroupUsers[];
  }

  async sessionCount(): Promise<number> {
    const { rows } = await this.pool.query('SELECT count(*) AS n FROM sessions');
    return rows[0].n as number;
  }
}
