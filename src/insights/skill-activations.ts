/**
 * Skill activations split by trigger (the agent called the Skill tool:
 * 'model'; the user typed /name: 'typed') and the slash-after-miss estimate
 * of missed automatic activations (analytics/skill-misses.ts), read from the
 * trigger rollup (skill_trigger_hourly): the cost depends on skills × hours,
 * never on the number of invocations.
 *
 * Used by get_skill_trend (`by_trigger`) and by the skill report.
 */
import {
  activationShares,
  type SkillActivationShare,
  SLASH_AFTER_MISS_RULE,
  SLASH_AFTER_MISS_WINDOW,
  type TriggerPoint,
  triggerSeries,
} from '../analytics/skill-misses.js';
import { HOUR_MS } from '../analytics/types.js';
import type { RollupReads } from '../store/types.js';

export interface ActivationWindow {
  /** Inclusive start, epoch ms (rounded down to its hour). */
  fromMs: number;
  /** Exclusive end, epoch ms (rounded up to its hour). */
  toMs: number;
  /** Only these skills (stored names, `skill:<name>`); all when omitted. */
  skills?: readonly string[];
}

function rows(store: Pick<RollupReads, 'triggerHourly'>, w: ActivationWindow) {
  return store.triggerHourly({ fromHour: Math.floor(w.fromMs / HOUR_MS), toHour: Math.ceil(w.toMs / HOUR_MS) - 1, skills: w.skills });
}

/** Per skill: automatic (model) vs typed activations and their shares, with the candidate misses. */
export async function skillActivationShares(store: Pick<RollupReads, 'triggerHourly'>, w: ActivationWindow): Promise<SkillActivationShare[]> {
  return activationShares(await rows(store, w));
}

export interface CandidateMissReport {
  /** The rule, in words: the counts are estimates. */
  rule: string;
  /** K: how many earlier user prompts the rule looks at. */
  window_prompts: number;
  estimate: true;
  skills: Array<{
    skill: string;
    typed: number;
    candidate_misses: number;
    /** candidate_misses / typed; null without typed activations. */
    candidate_miss_share: number | null;
  }>;
}

/** Per skill with typed activations: how many of them satisfy the slash-after-miss rule (an estimate). */
export async function candidateMisses(store: Pick<RollupReads, 'triggerHourly'>, w: ActivationWindow): Promise<CandidateMissReport> {
  const shares = await skillActivationShares(store, w);
  return {
    rule: SLASH_AFTER_MISS_RULE,
    window_prompts: SLASH_AFTER_MISS_WINDOW,
    estimate: true,
    skills: shares
      .filter((s) => s.typed > 0)
      .map((s) => ({
        skill: s.skill,
        typed: s.typed,
        candidate_misses: s.candidate_misses,
        candidate_miss_share: Math.round((s.candidate_misses / s.typed) * 10_000) / 10_000,
      })),
  };
}

export interface TriggerTrend {
  points: TriggerPoint[];
  /** The window's totals for the skill (null when it had no Skill-tool or typed activation). */
  shares: SkillActivationShare | null;
}

/** One skill's activations per bucket (an hour or a UTC day) and trigger, with the window's shares. */
export async function skillTriggerTrend(
  store: Pick<RollupReads, 'triggerHourly'>,
  skill: string,
  bucketMs: number,
  fromMs: number,
  toMs: number,
): Promise<TriggerTrend> {
  const r = await rows(store, { fromMs, toMs, skills: [skill] });
  return { points: triggerSeries(r, bucketMs, fromMs, toMs), shares: activationShares(r)[0] ?? null };
}
