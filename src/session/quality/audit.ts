/**
 * Vulnerability audit through the ecosystem's own tool, when it can answer.
 *
 * npm: `npm audit --json --package-lock-only`. It needs the registry's audit
 * endpoint. `--offline` is deliberately NOT used: offline, npm reports zero
 * vulnerabilities without having checked anything, which would be a fake result.
 * Python: `pip-audit -r requirements.txt -f json --progress-spinner off`, only
 * when pip-audit is installed and a requirements.txt exists (it too needs the network).
 * Any failure or timeout (10 s) is reported as "not measured" with the reason.
 */
import type { CommandRunner } from '../exec.js';
import { firstLine } from '../exec.js';
import type { ProjectContext } from '../project-context.js';

const AUDIT_TIMEOUT_MS = 10_000;

interface VulnerabilityCounts {
  critical: number;
  high: number;
  moderate: number;
  low: number;
  /** Vulnerabilities without a severity (pip-audit reports none). */
  unrated: number;
}

export type AuditOutcome = { measured: true; tool: string; counts: VulnerabilityCounts; total: number } | { measured: false; tool: string; reason: string };

export type AuditEcosystem = 'npm' | 'python';
export type AuditRunner = (ecosystem: AuditEcosystem, ctx: ProjectContext) => Promise<AuditOutcome>;

export function createAuditRunner(run: CommandRunner, timeoutMs = AUDIT_TIMEOUT_MS): AuditRunner {
  return async (ecosystem, ctx) => (ecosystem === 'npm' ? npmAudit(run, ctx, timeoutMs) : pipAudit(run, ctx, timeoutMs));
}

/** An audit runner that measures nothing, for callers that turned audits off. */
export const disabledAudit: AuditRunner = async (ecosystem) => ({
  measured: false,
  tool: ecosystem === 'npm' ? 'npm audit' : 'pip-audit',
  reason: 'dependency audit is turned off',
});

async function npmAudit(run: CommandRunner, ctx: ProjectContext, timeoutMs: number): Promise<AuditOutcome> {
  const tool = 'npm audit';
  const r = await run('npm', ['audit', '--json', '--package-lock-only'], { cwd: ctx.root, timeoutMs });
  if (r.error === 'ENOENT') return { measured: false, tool, reason: 'npm is not installed' };
  if (r.timedOut) return { measured: false, tool, reason: `npm audit needs the registry and did not answer within ${timeoutMs / 1000} s` };
  return parseNpmAudit(r.stdout) ?? { measured: false, tool, reason: `npm audit needs the registry (${npmError(r.stdout) ?? firstLine(r)})` };
}

/** Parses `npm audit --json` (npm ≥ 7 and npm 6 both have metadata.vulnerabilities). */
export function parseNpmAudit(stdout: string): AuditOutcome | null {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return null;
  }
  const v = (json as { metadata?: { vulnerabilities?: Record<string, unknown> } } | null)?.metadata?.vulnerabilities;
  if (!v || typeof v !== 'object') return null;
  const n = (k: string) => (typeof v[k] === 'number' ? (v[k] as number) : 0);
  const counts = { critical: n('critical'), high: n('high'), moderate: n('moderate'), low: n('low') + n('info'), unrated: 0 };
  return { measured: true, tool: 'npm audit', counts, total: counts.critical + counts.high + counts.moderate + counts.low };
}

function npmError(stdout: string): string | null {
  try {
    const j = JSON.parse(stdout) as { error?: { code?: string; summary?: string }; statusCode?: number };
    if (!j.error) return null;
    const parts = [j.error.code, j.statusCode ? `HTTP ${j.statusCode}` : undefined, j.error.summary?.split('\n')[0]].filter(
      (s): s is string => typeof s === 'string' && s !== '',
    );
    return parts.length ? parts.join(', ') : 'error without details';
  } catch {
    return null;
  }
}

async function pipAudit(run: CommandRunner, ctx: ProjectContext, timeoutMs: number): Promise<AuditOutcome> {
  const tool = 'pip-audit';
  if (!ctx.exists('requirements.txt')) {
    return { measured: false, tool, reason: 'pip-audit is only run against requirements.txt, which does not exist' };
  }
  const r = await run('pip-audit', ['-r', 'requirements.txt', '-f', 'json', '--progress-spinner', 'off'], { cwd: ctx.root, timeoutMs });
  if (r.error === 'ENOENT') return { measured: false, tool, reason: 'pip-audit is not installed' };
  if (r.timedOut) return { measured: false, tool, reason: `pip-audit needs the network and did not answer within ${timeoutMs / 1000} s` };
  return parsePipAudit(r.stdout) ?? { measured: false, tool, reason: `pip-audit failed (${firstLine(r)})` };
}

export function parsePipAudit(stdout: string): AuditOutcome | null {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return null;
  }
  const deps = Array.isArray(json) ? json : (json as { dependencies?: unknown } | null)?.dependencies;
  if (!Array.isArray(deps)) return null;
  let unrated = 0;
  for (const d of deps) {
    const vulns = (d as { vulns?: unknown }).vulns;
    if (Array.isArray(vulns)) unrated += vulns.length;
  }
  return { measured: true, tool: 'pip-audit', counts: { critical: 0, high: 0, moderate: 0, low: 0, unrated }, total: unrated };
}
