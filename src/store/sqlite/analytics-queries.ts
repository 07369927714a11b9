/**
 * Read queries the analytics tools need beyond RollupReader: per-skill sums
 * over an hour range computed inside SQLite (one row per skill instead of one
 * per skill-hour), frequent skill pairs, and skill lookups. Like RollupReader
 * they touch only rollup tables, so their cost does not grow with the number
 * of raw invocations.
 */
import type { BucketCount } from '../../analytics/histogram.js';
import { hourOf, type HourlyRollup, type SkillHistogram, type SkillPairCount } from '../../analytics/types.js';
import type { SqliteDb } from '../database.js';

export class AnalyticsQueries {
  private readonly stmts;

  constructor(db: SqliteDb) {
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      // Skills drive the loop (CROSS JOIN fixes the order): one primary-key range seek per skill,
      // (skill_id, hour BETWEEN …), which beats walking the hour index and re-fetching each row.
      windowTotals: p(`SELECT s.name AS skill, ? AS hour, sum(h.invocations) AS invocations, sum(h.successes) AS successes,
          sum(h.duration_sum) AS durationSum, sum(h.duration_sq_sum) AS durationSqSum, max(h.last_at) AS lastAt
        FROM skills s CROSS JOIN skill_hourly h ON h.skill_id = s.id AND h.hour BETWEEN ? AND ?
        GROUP BY s.id ORDER BY s.name`),
      span: p(`SELECT min(t.first_at) AS firstAt, max(t.last_at) AS lastAt FROM skill_totals t JOIN skills s ON s.id = t.skill_id
        WHERE s.name IN (SELECT value FROM json_each(?))`),
      hourlyHist: p(`SELECT s.name AS skill, d.bucket, sum(d.count) AS count
        FROM skills s CROSS JOIN skill_hourly_durations d ON d.skill_id = s.id AND d.hour BETWEEN ? AND ?
        WHERE s.name IN (SELECT value FROM json_each(?))
        GROUP BY s.id, d.bucket ORDER BY s.name, d.bucket`),
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
  }

  /**
   * One row per skill with invocations in hours [fromHour, toHour], holding
   * the sums of that range (`hour` is set to fromHour, `lastAt` is the latest
   * invocation). Equivalent, for any per-skill aggregation, to the hourly rows
   * themselves.
   */
  windowTotals(fromHour: number, toHour: number): HourlyRollup[] {
    return this.stmts.windowTotals.all(fromHour, fromHour, toHour) as HourlyRollup[];
  }

  /**
   * Duration histograms of `skills` summed over hours [fromHour, toHour]; one
   * entry per skill with any count there, buckets ascending.
   *
   * Cost: the hourly histogram rows of a long window are many (skills × hours ×
   * buckets). When the window covers most of the skills' recorded history, the
   * result is computed instead as the all-time histogram minus the hours
   * outside the window, reading whichever side spans fewer hours. Both give the
   * same counts because every write updates the hourly and the all-time
   * histogram in one transaction (and hourly rows are never pruned).
   */
  windowHistograms(fromHour: number, toHour: number, skills: readonly string[]): SkillHistogram[] {
    if (skills.length === 0 || toHour < fromHour) return [];
    const filter = JSON.stringify(skills);
    const span = this.stmts.span.get(filter) as { firstAt: number | null; lastAt: number | null };
    if (span.firstAt === null || span.lastAt === null) return [];
    const first = hourOf(span.firstAt);
    const last = hourOf(span.lastAt);
    const outsideHours = Math.max(0, fromHour - first) + Math.max(0, last - toHour);
    if (outsideHours >= toHour - fromHour + 1) {
      return groupHistograms(this.stmts.hourlyHist.all(fromHour, toHour, filter) as HistRow[]);
    }
    const counts = new Map<string, Map<number, number>>();
    const apply = (rows: HistRow[], sign: 1 | -1) => {
      for (const r of rows) {
        let m = counts.get(r.skill);
        if (!m) counts.set(r.skill, (m = new Map()));
        m.set(r.bucket, (m.get(r.bucket) ?? 0) + sign * r.count);
      }
    };
    apply(this.stmts.allTimeHist.all(filter) as HistRow[], 1);
    if (fromHour > first) apply(this.stmts.hourlyHist.all(first, fromHour - 1, filter) as HistRow[], -1);
    if (last > toHour) apply(this.stmts.hourlyHist.all(toHour + 1, last, filter) as HistRow[], -1);
    const out: SkillHistogram[] = [];
    for (const [skill, m] of counts) {
      const buckets: BucketCount[] = [];
      for (const [bucket, count] of m) if (count > 0) buckets.push({ bucket, count });
      if (buckets.length > 0) out.push({ skill, buckets: buckets.sort((a, b) => a.bucket - b.bucket) });
    }
    return out;
  }

  /** Skill pairs used together in at least `minSessions` sessions (unordered: `a`, `b` as stored). */
  frequentPairs(minSessions: number): SkillPairCount[] {
    return this.stmts.frequentPairs.all(minSessions) as SkillPairCount[];
  }

  /** Skill pairs that contain `skill` (either side). */
  pairsWith(skill: string): SkillPairCount[] {
    return this.stmts.pairsWith.all(skill, skill) as SkillPairCount[];
  }

  /** Whether the skill has ever been recorded. */
  skillExists(name: string): boolean {
    return this.stmts.skillExists.get(name) !== undefined;
  }
}

interface HistRow {
  skill: string;
  bucket: number;
  count: number;
}

function groupHistograms(rows: readonly HistRow[]): SkillHistogram[] {
  const out: SkillHistogram[] = [];
  let current: SkillHistogram | undefined;
  for (const r of rows) {
    if (current?.skill !== r.skill) {
      current = { skill: r.skill, buckets: [] };
      out.push(current);
    }
    current.buckets.push({ bucket: r.bucket, count: r.count });
  }
  return out;
}
