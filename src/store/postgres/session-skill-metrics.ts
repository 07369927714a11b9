/**
 * The session skill metrics (see session/session-skill-metrics.ts for the
 * rules) over the PostgreSQL store: invocations recorded under the session's
 * own id, or whose `project` is the session's project name, its directory
 * name or its directory path, inside the session window. p50 is the lower median of the measured raw durations
 * (percentile_disc(0.5) picks the element at index ceil(n/2) − 1 = floor((n − 1)/2)); null when none was measured.
 */
import path from 'node:path';
import type pg from 'pg';
import type { SessionSkillMetricsProvider } from '../session-stats-types.js';

export function createPgSessionSkillMetrics(pool: pg.Pool, topN = 10): SessionSkillMetricsProvider {
  return async (w) => {
    const projects = [...new Set([w.project, path.basename(w.workingDirectory), w.workingDirectory])];
    const { rows } = await pool.query<{ skill: string; n: number; failures: number; p50: number | null }>(
      `SELECT s.name AS skill, count(*) AS n, sum(1 - i.completed) AS failures,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY i.duration_ms) FILTER (WHERE i.duration_known = 1) AS p50
         FROM skill_invocations i JOIN skills s ON s.id = i.skill_id
        WHERE i.invoked_at >= $1 AND i.invoked_at <= $2
          AND (i.project = ANY($3) OR i.session_id IN (SELECT id FROM sessions WHERE session_key = $4))
        GROUP BY s.id, s.name ORDER BY n DESC, s.name COLLATE "C"`,
      [w.startedAt, w.endedAt, projects, w.sessionId],
    );
    const invocations = rows.reduce((s, g) => s + g.n, 0);
    const failures = rows.reduce((s, g) => s + g.failures, 0);
    return {
      invocations,
      successes: invocations - failures,
      failures,
      distinctSkills: rows.length,
      topSkills: rows.slice(0, topN).map((g) => ({ skill: g.skill, invocations: g.n, failures: g.failures, p50DurationMs: g.p50 })),
      scope:
        `invocations recorded under session ${JSON.stringify(w.sessionId)} or with project in (${projects.map((p) => JSON.stringify(p)).join(', ')}) ` +
        `between ${new Date(w.startedAt).toISOString()} and ${new Date(w.endedAt).toISOString()}`,
    };
  };
}
