/**
 * A SessionSkillMetricsProvider over the skill-invocation tables: invocations
 * recorded under the session's own id, or whose `project` is the session's
 * project name, its directory name or its directory path, and whose
 * `invoked_at` falls inside the session window.
 * p50 is the lower median of the measured raw durations in the window (null
 * when none was measured: typed activations and unmatched hook calls have none).
 */
import path from 'node:path';
import type { SqliteDb } from '../database.js';
import type { SessionSkillMetricsProvider } from '../session-stats-types.js';

export function createSqlSessionSkillMetrics(db: SqliteDb, topN = 10): SessionSkillMetricsProvider {
  return async (w) => {
    const projects = [...new Set([w.project, path.basename(w.workingDirectory), w.workingDirectory])];
    const marks = projects.map(() => '?').join(', ');
    const where = `i.invoked_at >= ? AND i.invoked_at <= ? AND (i.project IN (${marks}) OR i.session_id IN (SELECT id FROM sessions WHERE session_key = ?))`;
    const params = [w.startedAt, w.endedAt, ...projects, w.sessionId];
    const groups = db
      .prepare(
        `SELECT s.id AS skillId, s.name AS skill, count(*) AS n, sum(1 - i.completed) AS failures, sum(i.duration_known) AS timed
           FROM skill_invocations i JOIN skills s ON s.id = i.skill_id
          WHERE ${where}
          GROUP BY s.id ORDER BY n DESC, s.name`,
      )
      .all(...params) as { skillId: number; skill: string; n: number; failures: number; timed: number }[];
    const median = db.prepare(
      `SELECT i.duration_ms AS d FROM skill_invocations i WHERE i.skill_id = ? AND i.duration_known = 1 AND ${where} ORDER BY i.duration_ms LIMIT 1 OFFSET ?`,
    );
    const invocations = groups.reduce((s, g) => s + g.n, 0);
    const failures = groups.reduce((s, g) => s + g.failures, 0);
    return {
      invocations,
      successes: invocations - failures,
      failures,
      distinctSkills: groups.length,
      topSkills: groups.slice(0, topN).map((g) => {
        const row = g.timed > 0 ? (median.get(g.skillId, ...params, Math.floor((g.timed - 1) / 2)) as { d: number } | undefined) : undefined;
        return { skill: g.skill, invocations: g.n, failures: g.failures, p50DurationMs: row ? row.d : null };
      }),
      scope:
        `invocations recorded under session ${JSON.stringify(w.sessionId)} or with project in (${projects.map((p) => JSON.stringify(p)).join(', ')}) ` +
        `between ${new Date(w.startedAt).toISOString()} and ${new Date(w.endedAt).toISOString()}`,
    };
  };
}
