/**
 * Association rules between skills used in the same session.
 *
 * For skills A and B, with N sessions in total:
 *   support(A→B)    = sessions(A∧B) / N
 *   confidence(A→B) = sessions(A∧B) / sessions(A)
 *   lift(A→B)       = confidence(A→B) / (sessions(B) / N)
 * Lift > 1 means B shows up with A more often than it would by chance.
 */
import { AppError } from '../errors.js';
import type { SkillPairCount } from './types.js';

export interface AssociationRule {
  antecedent: string;
  consequent: string;
  /** Sessions in which both skills were used. */
  sessions_together: number;
  support: number;
  confidence: number;
  lift: number;
}

export interface SkillDependenciesInput {
  pairs: readonly SkillPairCount[];
  /** Distinct sessions per skill (`skill_totals.sessions` or `session_skills` counts). */
  sessionsPerSkill: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  totalSessions: number;
  /** Minimum support in [0, 1]. */
  minSupport: number;
  limit: number;
  /** Only rules whose antecedent is this skill. */
  skill?: string;
}

export interface SkillDependenciesResult {
  rules: AssociationRule[];
  total_sessions: number;
  /** Rules that passed the filters before `limit` was applied. */
  rules_matched: number;
  /** Present only when `rules` is empty. */
  reason?: string;
}

export function skillDependencies(input: SkillDependenciesInput): SkillDependenciesResult {
  const { pairs, totalSessions, minSupport, limit, skill } = input;
  if (!Number.isInteger(limit) || limit < 1) throw AppError.invalid('limit', 'must be an integer >= 1');
  if (!(minSupport >= 0 && minSupport <= 1)) throw AppError.invalid('min_support', 'must be in [0, 1]');
  if (!(totalSessions >= 0)) throw AppError.invalid('total_sessions', 'must be >= 0');
  if (totalSessions === 0) {
    return { rules: [], total_sessions: 0, rules_matched: 0, reason: 'no sessions recorded' };
  }
  const sessionsOf = toLookup(input.sessionsPerSkill);

  const rules: AssociationRule[] = [];
  const consider = (a: string, b: string, together: number): void => {
    if (skill !== undefined && a !== skill) return;
    const sa = sessionsOf(a);
    const sb = sessionsOf(b);
    if (!(sa > 0) || !(sb > 0) || !(together > 0)) return;
    const support = together / totalSessions;
    if (support < minSupport) return;
    const confidence = together / sa;
    rules.push({
      antecedent: a,
      consequent: b,
      sessions_together: together,
      support,
      confidence,
      lift: confidence / (sb / totalSessions),
    });
  };
  for (const p of pairs) {
    if (p.a === p.b) continue;
    consider(p.a, p.b, p.sessions);
    consider(p.b, p.a, p.sessions);
  }

  rules.sort(
    (x, y) =>
      y.lift - x.lift ||
      y.support - x.support ||
      y.confidence - x.confidence ||
      compareStrings(x.antecedent, y.antecedent) ||
      compareStrings(x.consequent, y.consequent),
  );
  const matched = rules.length;
  rules.length = Math.min(rules.length, limit);
  const result: SkillDependenciesResult = { rules, total_sessions: totalSessions, rules_matched: matched };
  if (rules.length === 0) {
    result.reason =
      skill !== undefined
        ? `no skill co-occurs with ${skill} in at least ${minSupport} of sessions`
        : `no skill pair co-occurs in at least ${minSupport} of sessions`;
  }
  return result;
}

function toLookup(source: ReadonlyMap<string, number> | Readonly<Record<string, number>>): (skill: string) => number {
  if (source instanceof Map) return (skill) => source.get(skill) ?? 0;
  const record = source as Readonly<Record<string, number>>;
  return (skill) => (Object.hasOwn(record, skill) ? record[skill]! : 0);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
