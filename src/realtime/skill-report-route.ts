/**
 * `GET /api/skill-report?days=N&limit=N`: the skill report as JSON (the
 * get_skill_report answer) for the dashboard's Skills view. Another or a
 * repeated parameter is refused (400, the parameter named), as over MCP. Behind the same
 * access middleware as every route: a per-user token gets its own figures,
 * with everyone's only where at least k users contribute.
 */
import type { App } from '../app.js';
import { AppError } from '../errors.js';
import { DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS } from '../insights/skill-report.js';
import { skillReportJson } from '../mcp/tools/get-skill-report.js';
import type { HttpMount } from '../server/http-server.js';
import { closestName } from '../suggest.js';
import { decimalInt } from '../decimal.js';

const PARAMS = ['days', 'limit'] as const;

/** A misspelt or repeated parameter would otherwise be answered, silently, with the defaults (`?day=7` → 30 days). */
function checkParams(query: Record<string, string[]>): void {
  for (const [name, values] of Object.entries(query)) {
    if (!(PARAMS as readonly string[]).includes(name)) {
      const meant = closestName(name, PARAMS);
      throw AppError.invalid(name, `unknown parameter${meant ? `; did you mean '${meant}'?` : ''} (accepted: ${PARAMS.join(', ')})`);
    }
    if (values.length > 1) throw AppError.invalid(name, 'must be given at most once');
  }
}

function intParam(name: string, raw: string | undefined, fallback: number, max: number): number {
  // Absent: the default. Empty (`?days=`) is a value, and not an integer.
  if (raw === undefined) return fallback;
  const n = decimalInt(raw);
  if (!(n >= 1 && n <= max)) throw AppError.invalid(name, `must be an integer between 1 and ${max}`);
  return n;
}

export function createSkillReportMount(app: Pick<App, 'skillReport'>): HttpMount {
  return {
    routes(hono) {
      hono.get('/api/skill-report', async (c) => {
        checkParams(c.req.queries());
        const days = intParam('days', c.req.query('days'), DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS);
        const limit = intParam('limit', c.req.query('limit'), 100, 1000);
        const caller = c.get('caller');
        const report = await app.skillReport.report({ days, limit, subjectHash: caller.role === 'admin' ? null : caller.userHash, projectDir: null });
        return c.json(skillReportJson(report), 200, { 'Cache-Control': 'no-store' });
      });
    },
  };
}
