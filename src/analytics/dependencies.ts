/**
 * Association rules between skills used in the same session.
 *
 * For skills A and B, with N sessions in total:
 *   support(A→B)    = sessions(A∧B) / N
 *   confidence(A→B) = sessions(A∧B) / sessions(A)
 *   lift(A→B)       = confidence(A→B) / (sessions(B) / N)
 *                   = sessions(A∧B) · N / (sessions(A) · sessions(B)), computed so: exact integer products
 *                     and one division, so equal lifts are equal numbers (A→B and B→A always are)
 * Lift > 1 means B shows up with A more often than it would by chance.
 *
 * Order of the rules (before `limit`): lift, then support, then confidence, each highest first; rules equal
 * in all three by antecedent name, then consequent name, ascending by UTF-16 code unit ("B" before "a").
 *
 * Relationship of a rule, with ε = RELATIONSHIP_EPSILON (0.1):
 *   lift > 1 + ε  'complements'  (used together more often than chance)
 *   lift < 1 − ε  'substitutes'  (used together less often than chance: one tends to replace the other)
 *   otherwise     'independent'
 */
import { AppError } from '../errors.js';
import type { SkillPairCount } from './types.js';

/** Lift within 1 ± ε counts as independent. */
const RELATIONSHIP_EPSILON = 0.1;

export type SkillRelationship = 'complements' | 'substitutes' | 'independent';

export const RELATIONSHIP_RULE =
  `relationship: lift > ${1 + RELATIONSHIP_EPSILON} complements (used together more often than chance), ` +
  `lift < ${1 - RELATIONSHIP_EPSILON} substitutes (less often than chance), otherwise independent.`;

/** The relationship a lift stands for (see RELATIONSHIP_RULE). */
export function relationshipOf(lift: number): SkillRelationship {
  if (lift > 1 + RELATIONSHIP_EPSILON) return 'complements';
  if (lift < 1 - RELATIONSHIP_EPSILON) return 'substitutes';
  return 'independent';
}

interface AssociationRule {
  antecedent: string;
  consequent: string;
  /** Sessions in which both skills were used. */
  sessions_together: number;
  support: number;
  confidence: number;
  lift: number;
  relationship: SkillRelationship;
}

export interface SkillDependenciesInput {
  pairs: readonly SkillPairCount[];
  /** Distinct sessions per skill (`skill_totals.sessions` or `session_skills` counts). */
  sessionsPerSkill: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  totalSessions: number;
  /** Minimum support in [0, 1]. */
  minSupport: number;
  /** Minimum lift (>= 0); default 0 (no lift filter). */
  minLift?: number;
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
  const minLift = input.minLift ?? 0;
  if (!(minLift >= 0 && Number.isFinite(minLift))) throw AppError.invalid('min_lift', 'must be a finite number >= 0');
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
    const lift = (together * totalSessions) / (sa * sb);
    if (lift < minLift - 1e-9) return; // a rule at min_lift is kept, whatever the last bit of either number
    rules.push({ antecedent: a, consequent: b, sessions_together: together, support, confidence, lift, relationship: relationshipOf(lift) });
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
    const liftText = minLift > 0 ? ` with lift >= ${minLift}` : '';
    const share = `${Number((minSupport * 100).toFixed(2))} %`; // min_support is a fraction of sessions
    result.reason =
      skill !== undefined
        ? `no skill co-occurs with ${skill} in at least ${share} of sessions${liftText}`
        : `no skill pair co-occurs in at least ${share} of sessions${liftText}`;
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
