/** Turns a dimension's checks into its score, evidence and recommendations. */
import type { Check, DimensionId, DimensionResult, Priority, Recommendation } from './types.js';

/** A recommendation is high priority when it is worth ≥ 5 total points, medium when ≥ 2. */
export function priorityForGain(gain: number | null): Priority {
  if (gain === null) return 'low';
  if (gain >= 5) return 'high';
  if (gain >= 2) return 'medium';
  return 'low';
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export function buildDimension(
  id: DimensionId,
  label: string,
  weight: number,
  checks: Check[],
  info: string[] = [],
  extraRecommendations: Recommendation[] = [],
): DimensionResult {
  const measuredChecks = checks.filter((c) => c.points !== null);
  const max = measuredChecks.reduce((s, c) => s + c.maxPoints, 0);
  const earned = measuredChecks.reduce((s, c) => s + (c.points ?? 0), 0);
  const measured = max > 0;
  const score = measured ? Math.round((100 * earned) / max) : 0;

  const recommendations: Recommendation[] = [...extraRecommendations];
  for (const c of checks) {
    if (!c.advice) continue;
    if (c.points === null) {
      recommendations.push({ priority: 'low', text: c.advice, dimension: id, gain: null });
    } else if (c.points < c.maxPoints) {
      // Missing points of this check as a share of the dimension, scaled by the weight.
      const gain = round1((weight * (c.maxPoints - c.points)) / max);
      recommendations.push({ priority: priorityForGain(gain), text: c.advice, dimension: id, gain });
    }
  }
  return {
    id,
    label,
    weight,
    score,
    measured,
    evidence: [...info, ...checks.map((c) => `${c.label}: ${c.evidence}`)],
    checks,
    recommendations,
  };
}

/**
 * A dimension about the project's code (tests, type checking, lint) when the project has no source
 * file (none of its files has a source extension, see file-kinds.ts): one not-measured check, so the
 * dimension is not measured and stays out of the total.
 */
export function noSourceDimension(id: DimensionId, label: string, weight: number, verb: string, files: number, note = ''): DimensionResult {
  const what = files === 0 ? 'the directory has no files' : `${plural(files, 'file')}, none with a source extension`;
  return buildDimension(id, label, weight, [
    { id: `${id}.source`, label, maxPoints: 100, points: null, evidence: `not measured: no source files to ${verb} (${what})${note}` },
  ]);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function pct(n: number): string {
  return `${round1(n)}%`;
}
