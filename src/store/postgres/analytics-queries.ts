/**
 * PostgreSQL implementation of AnalyticsQueries (see analytics-types.ts).
 * Reads only rollup tables; skill names sort in byte order (COLLATE "C"), as
 * on SQLite. Window histograms that need several reads take them in one
 * repeatable-read transaction, so writes from other instances never fall
 * between them.
 */
import type pg from 'pg';
import type { HourlyRollup, SkillHistogram, SkillPairCount } from '../../analytics/types.js';
import type { AnalyticsQueries } from '../analytics-types.js';
import { groupHistograms, planWindowHistograms, subtractHistograms, type HistRow } from '../window-histograms.js';

const PAIR_COLUMNS = 'a.name AS a, b.name AS b, p.sessions FROM skill_pairs p JOIN skills a ON a.id = p.skill_a JOIN skills b ON b.id = p.skill_b';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

async function span(q: Queryable, skills: readonly string[]): Promise<{ firstAt: number | null; lastAt: number | null }> {
  const { rows } = await q.query(
    `SELECT min(t.first_at) AS "firstAt", max(t.last_at) AS "lastAt" FROM skill_totals t JOIN skills s ON s.id = t.skill_id WHERE s.name = ANY($1)`,
    [skills],
  );
  return rows[0] as { firstAt: number | null; lastAt: number | null };
}

async function hourlyHist(q: Queryable, from: number, to: number, skills: readonly string[]): Promise<HistRow[]> {
  const { rows } = await q.query(
    `SELECT s.name AS skill, d.bucket, sum(d.count) AS count
     FROM skill_hourly_durations d JOIN skills s ON s.id = d.skill_id
     WHERE s.name = ANY($3) AND d.hour BETWEEN $1 AND $2
     GROUP BY s.name, d.bucket ORDER BY s.name COLLATE "C", d.bucket`,
    [from, to, skills],
  );
  return rows as HistRow[];
}

export class PgAnalyticsQueries implements AnalyticsQueries {
  constructor(private readonly pool: pg.Pool) {}

  async windowTotals(fromHour: number, toHour: number): Promise<HourlyRollup[]> {
    const { rows } = await this.pool.query(
      `SELECT s.name AS skill, $1::bigint AS hour, sum(h.invocations) AS invocations, sum(h.successes) AS successes,
         sum(h.duration_sum) AS "durationSum", sum(h.duration_sq_sum) AS "durationSqSum", max(h.last_at) AS "lastAt"
       FROM skill_hourly h JOIN skills s ON s.id = h.skill_id
       WHERE h.hour BETWEEN $1 AND $2
       GROUP BY s.id, s.name ORDER BY s.name COLLATE "C"`,
      [fromHour, toHour],
    );
    return rows as HourlyRollup[];
  }

  /**
   * A window that is a small part of the skills' history (the usual case) is
   * one self-consistent read; the subtract plan reads several times, inside one
   * repeatable-read transaction that also re-reads the span it was planned on.
   */
  async windowHistograms(fromHour: number, toHour: number, skills: readonly string[]): Promise<SkillHistogram[]> {
    if (skills.length === 0 || toHour < fromHour) return [];
    const plan = planWindowHistograms(fromHour, toHour, skills.length, await span(this.pool, skills));
    if (plan.kind === 'empty') return [];
    if (plan.kind === 'direct') return groupHistograms(await hourlyHist(this.pool, plan.fromHour, plan.toHour, skills));
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // Re-planned on the transaction's snapshot: writes since the first look may have moved the span.
      const again = planWindowHistograms(fromHour, toHour, skills.length, await span(client, skills));
      let out: SkillHistogram[] = [];
      if (again.kind === 'direct') out = groupHistograms(await hourlyHist(client, again.fromHour, again.toHour, skills));
      else if (again.kind === 'subtract') {
        const { rows: allTime } = await client.query(
          `SELECT s.name AS skill, d.bucket, d.count FROM skill_durations d JOIN skills s ON s.id = d.skill_id
           WHERE s.name = ANY($1) ORDER BY s.name COLLATE "C", d.bucket`,
          [skills],
        );
        const outside: HistRow[][] = [];
        for (const r of again.outside) outside.push(await hourlyHist(client, r.fromHour, r.toHour, skills));
        out = subtractHistograms(allTime as HistRow[], outside);
      }
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
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
