/**
 * Community baselines: how each skill performs across all users, with an
 * effectiveness percentile that ranks skills against each other, and a
 * comparison of one user's results with those baselines.
 */
import { AppError } from '../errors.js';
import { proportionZ } from './anomalies.js';
import type { BucketCount } from './histogram.js';
import { histogramQuantile } from './histogram.js';
import { roundMs, roundRate, roundScore } from './round.js';
import type { SkillHistogram, SkillTotals, UserSkillStat } from './types.js';

/** z of the 95 % two-sided normal interval, used by the Wilson score and the user comparison. */
const Z_95 = 1.96;
/** A user needs at least this many invocations of a skill to be labelled above/below. */
const MIN_USER_INVOCATIONS = 5;
/** A baseline needs at least this many distinct users to be a "community" to compare with. */
const MIN_COMMUNITY_USERS = 2;

export interface CommunityBaseline {
  skill_name: string;
  invocations: number;
  users: number;
  /** successes / invocations over all users. */
  success_rate: number;
  /** Mean over the invocations whose duration was measured; null when none was. */
  mean_duration_ms: number | null;
  /** Median from the log-bucketed histogram (within 1 %, never outside the recorded range); null when no histogram was given. */
  p50_duration_ms: number | null;
  /** 95th percentile from the histogram; null when no histogram was given. */
  p95_duration_ms: number | null;
  /** Wilson 95 % lower bound of the success rate (see computeCommunityBaselines). */
  effectiveness_score: number;
  /** 0–100: share of skills ranked at or below this one (see computeCommunityBaselines). */
  effectiveness_percentile: number;
}

export interface CommunityBaselines {
  /** `now`, ISO 8601 (UTC). */
  computed_at: string;
  /** Sorted by effectiveness_percentile (highest first), then skill name. */
  skills: CommunityBaseline[];
  effectiveness_rule: string;
}

export interface ComputeCommunityBaselinesInput {
  /** All-time totals, one row per skill. */
  totals: readonly SkillTotals[];
  /** Duration histograms; several entries of one skill are merged. */
  histograms: readonly SkillHistogram[];
  /** Epoch ms; reported as computed_at. */
  now: number;
}

/**
 * Lower bound of the Wilson score interval (95 %) for a proportion with
 * `successes` out of `n`: (p + z²/2n − z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n).
 * It is the success rate we can be 95 % sure the skill reaches, so a skill with
 * 10/10 successes (0.722) ranks below one with 95/100 (0.888).
 */
export function wilsonLowerBound(successes: number, n: number, z = Z_95): number {
  if (n <= 0) return 0;
  const p = successes / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

const EFFECTIVENESS_RULE =
  'effectiveness_score is the lower bound of the 95% Wilson score interval of the success rate ' +
  '(it rewards a high rate and penalises small samples). Skills are ranked by that score, ties broken by lower ' +
  'mean duration (a skill with no measured duration counts as slowest). effectiveness_percentile = 100 × (number of skills ranked at or below this one, counting ' +
  'itself and exact ties) / (number of skills), so the best skill gets 100 and the worst 100/N.';

/**
 * Per-skill community baselines from all-time totals and duration histograms.
 *
 * Rule: success_rate = successes / invocations; mean_duration_ms = duration
 * sum / measured invocations (`timed`; null when none was measured: typed
 * activations and unmatched hook calls have no duration); p50/p95 from the
 * merged histogram (measured durations only). effectiveness_score = Wilson
 * 95 % lower bound of the success rate. Skill j is "ranked at or below" skill i
 * when score_j < score_i, or score_j = score_i and mean_j ≥ mean_i (slower or
 * equally fast). effectiveness_percentile(i) = 100 × #{j ranked at or below i}
 * / N, counting i itself. Skills with no invocations are left out.
 */
export function computeCommunityBaselines(input: ComputeCommunityBaselinesInput): CommunityBaselines {
  const { totals, histograms, now } = input;
  if (!Number.isFinite(now)) throw AppError.invalid('now', 'must be a finite epoch ms');

  const bucketsBySkill = new Map<string, BucketCount[]>();
  for (const h of histograms) {
    const list = bucketsBySkill.get(h.skill);
    if (list) list.push(...h.buckets);
    else bucketsBySkill.set(h.skill, [...h.buckets]);
  }

  const scored = totals
    .filter((t) => t.invocations > 0)
    .map((t) => ({
      t,
      score: wilsonLowerBound(t.successes, t.invocations),
      mean: t.timed > 0 ? t.durationSum / t.timed : null,
      // Ranking tie-break: no measured duration counts as slowest.
      rankMean: t.timed > 0 ? t.durationSum / t.timed : Infinity,
    }));
  const n = scored.length;

  const skills: CommunityBaseline[] = scored.map(({ t, score, mean, rankMean }) => {
    let atOrBelow = 0;
    for (const o of scored) if (o.score < score || (o.score === score && o.rankMean >= rankMean)) atOrBelow++;
    const buckets = bucketsBySkill.get(t.skill) ?? [];
    const range = t.timed > 0 && t.durationMin != null && t.durationMax != null ? { min: t.durationMin, max: t.durationMax } : null;
    return {
      skill_name: t.skill,
      invocations: t.invocations,
      users: t.users,
      success_rate: roundRate(t.successes / t.invocations),
      mean_duration_ms: mean === null ? null : roundMs(mean),
      p50_duration_ms: roundMs(histogramQuantile(buckets, 0.5, range)),
      p95_duration_ms: roundMs(histogramQuantile(buckets, 0.95, range)),
      effectiveness_score: roundRate(score),
      effectiveness_percentile: roundScore((100 * atOrBelow) / n),
    };
  });
  skills.sort((a, b) => b.effectiveness_percentile - a.effectiveness_percentile || compareNames(a.skill_name, b.skill_name));

  return { computed_at: new Date(now).toISOString(), skills, effectiveness_rule: EFFECTIVENESS_RULE };
}

type UserComparisonLabel = 'above' | 'typical' | 'below' | 'insufficient_data';

interface UserSkillComparison {
  skill_name: string;
  user_invocations: number;
  user_successes: number;
  user_success_rate: number;
  /** null when there is no community baseline for the skill, or it is withheld (fewer than k users). */
  community_success_rate: number | null;
  community_invocations: number | null;
  community_users: number | null;
  /** user_success_rate − community_success_rate; null without a (shown) baseline. */
  difference: number | null;
  /** Binomial z of the user's rate against the community rate; null when not tested. */
  z_score: number | null;
  label: UserComparisonLabel;
  /** Why the label is 'insufficient_data'; null otherwise. */
  reason: string | null;
}

export interface UserComparison {
  /** Sorted by the user's invocations (most first), then skill name. */
  skills: UserSkillComparison[];
  summary: Record<UserComparisonLabel, number>;
  /** How many of the skills have their community figures withheld (fewer than `communityMinUsers` users). */
  withheld: number;
  rule: string;
}

/** The baseline fields the comparison needs (rows read back from storage fit too). */
type BaselineForComparison = Pick<CommunityBaseline, 'skill_name' | 'invocations' | 'users' | 'success_rate'>;

export interface CompareUserToCommunityInput {
  /** Per-skill stats of ONE user. */
  userStats: readonly UserSkillStat[];
  baselines: readonly BaselineForComparison[];
  /**
   * k: the community figures of a skill fewer users used are withheld (null, not compared), so no figure
   * describes fewer than k people. Default 1: nothing withheld.
   */
  communityMinUsers?: number;
}

/** The comparison rule, with k when it withholds anything (k > 1). */
function comparisonRule(k: number): string {
  return (
    `z = (user rate - community rate) / sqrt(p(1-p)/n_user), p = community rate clamped to ` +
    `[0.5/n_community, 1 - 0.5/n_community]. |z| >= ${Z_95}: 'above' or 'below'; otherwise 'typical'. ` +
    `'insufficient_data' when the user has fewer than ${MIN_USER_INVOCATIONS} invocations of the skill, or the ` +
    `skill has no community baseline or fewer than ${MIN_COMMUNITY_USERS} users. The community figures include ` +
    `the user's own invocations.` +
    (k > 1
      ? ` A skill fewer than ${k} users (community_min_users) used has no community figures (withheld: null) and is ` +
        `'insufficient_data', so no figure describes fewer than ${k} people.`
      : '')
  );
}

/**
 * Compare one user's success rate per skill with the community baseline.
 *
 * Rule: z = binomial z of the user's success rate against the community
 * success rate with the user's invocation count (see proportionZ in
 * anomalies.ts, same variance floor). |z| ≥ 1.96 → 'above' or 'below' by
 * sign, otherwise 'typical'. 'insufficient_data' when the user has fewer than
 * 5 invocations of the skill, or there is no baseline for it, or the baseline
 * has fewer than 2 users (the "community" would be the user alone). The
 * community figures include the user's own invocations, which pulls them
 * slightly toward the user's rate (a conservative bias).
 *
 * k (`communityMinUsers`): a baseline of fewer than k users is withheld: the
 * skill gets no community figures (null), no difference and no z, and is
 * 'insufficient_data' with a reason saying so; the user's own figures stay.
 */
export function compareUserToCommunity(input: CompareUserToCommunityInput): UserComparison {
  const { userStats, baselines } = input;
  const k = input.communityMinUsers ?? 1;
  const users = new Set(userStats.map((s) => s.user));
  if (users.size > 1) throw AppError.invalid('userStats', 'must all belong to one user');

  const baseBySkill = new Map(baselines.map((b) => [b.skill_name, b]));
  const summary: Record<UserComparisonLabel, number> = { above: 0, typical: 0, below: 0, insufficient_data: 0 };
  let withheld = 0;

  const skills = userStats
    .filter((s) => s.invocations > 0)
    .sort((a, b) => b.invocations - a.invocations || compareNames(a.skill, b.skill))
    .map((s): UserSkillComparison => {
      const userRate = s.successes / s.invocations;
      const found = baseBySkill.get(s.skill);
      const hidden = found !== undefined && found.users < k;
      const base = hidden ? undefined : found;
      let z: number | null = null;
      let label: UserComparisonLabel = 'insufficient_data';
      let reason: string | null = null;
      if (hidden) {
        withheld++;
        reason = `community figures withheld: fewer than ${k} users used this skill`;
      } else if (!base || base.invocations === 0) {
        reason = 'no community baseline for this skill';
      } else if (s.invocations < MIN_USER_INVOCATIONS) {
        reason = `fewer than ${MIN_USER_INVOCATIONS} invocations by this user`;
      } else if (base.users < MIN_COMMUNITY_USERS) {
        reason = `fewer than ${MIN_COMMUNITY_USERS} users used this skill (no community to compare with)`;
      } else {
        z = proportionZ(userRate, s.invocations, base.success_rate, base.invocations);
        label = z >= Z_95 ? 'above' : z <= -Z_95 ? 'below' : 'typical';
      }
      summary[label]++;
      return {
        skill_name: s.skill,
        user_invocations: s.invocations,
        user_successes: s.successes,
        user_success_rate: roundRate(userRate),
        community_success_rate: base ? base.success_rate : null,
        community_invocations: base ? base.invocations : null,
        community_users: base ? base.users : null,
        difference: base ? roundRate(userRate - base.success_rate) : null,
        z_score: roundScore(z),
        label,
        reason,
      };
    });

  return { skills, summary, withheld, rule: comparisonRule(k) };
}

/** Plain code-unit order, so the result does not depend on the machine's locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
