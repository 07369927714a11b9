/**
 * Skill activations by trigger, and missed automatic activations estimated
 * by the "slash after miss" rule. Pure: no I/O.
 *
 * A skill starts either automatically (the model calls the Skill tool:
 * trigger `model`) or because the user typed `/name` (a prompt expansion:
 * trigger `typed`). A typed activation can mean the user simply prefers the
 * slash, or that the model should have used the skill and did not.
 *
 * Rule "slash after miss" (window K = SLASH_AFTER_MISS_WINDOW = 3):
 *   user prompts of a session are numbered 1, 2, 3, … in order (prompts the
 *   user sends to the model, typed slash commands included; tool results,
 *   injected context and built-in commands that do not reach the model are
 *   not prompts). A typed activation of skill x at prompt p is a CANDIDATE
 *   MISS when at least one of the prompts max(1, p−K) … p−1 activated no x
 *   (neither model nor typed) while x was available. Each typed activation
 *   counts at most once; the first prompt of a session is never one.
 *
 * "Available" is taken as "installed for the session": capture cannot see
 * which skills Claude Code listed to the model at each prompt, and a skill
 * the user types was installed. The count is an ESTIMATE: a user who types
 * `/x` right after an unrelated question is counted although no skill was
 * missed, and a miss the user never corrects with a slash is not counted.
 */

export const SLASH_AFTER_MISS_WINDOW = 3;

export type Trigger = 'model' | 'typed';

/**
 * Incremental state of one session for the rule (JSON-serialisable): the
 * current prompt number and, per skill, the prompt numbers of its latest
 * activations (at most K + 1 kept).
 */
export interface ActivationLog {
  prompt: number;
  recent: Record<string, number[]>;
}

export function newActivationLog(): ActivationLog {
  return { prompt: 0, recent: {} };
}

/** A new user prompt starts. */
export function notePrompt(log: ActivationLog): void {
  log.prompt++;
}

/**
 * True when a typed activation at prompt `prompt` is a candidate miss, given
 * the prompt numbers at which the skill was activated before (the rule in
 * the file comment).
 */
export function isSlashAfterMiss(prompt: number, activatedAt: readonly number[], window = SLASH_AFTER_MISS_WINDOW): boolean {
  for (let q = Math.max(1, prompt - window); q < prompt; q++) {
    if (!activatedAt.includes(q)) return true;
  }
  return false;
}

/**
 * Records an activation of `skill` at the current prompt and returns, for a
 * typed one, whether it is a candidate miss (null for model activations).
 * A typed activation before any prompt was seen is taken as prompt 1.
 */
export function noteActivation(log: ActivationLog, skill: string, trigger: Trigger, window = SLASH_AFTER_MISS_WINDOW): boolean | null {
  if (trigger === 'typed' && log.prompt === 0) log.prompt = 1;
  const prompt = log.prompt;
  const before = log.recent[skill] ?? [];
  const miss = trigger === 'typed' ? isSlashAfterMiss(prompt, before, window) : null;
  if (before[before.length - 1] !== prompt) {
    const kept = [...before, prompt].slice(-(window + 1));
    log.recent[skill] = kept;
  }
  return miss;
}

/** One event of a session, in order. */
export type SessionEvent = { kind: 'prompt' } | { kind: 'activation'; skill: string; trigger: Trigger };

export interface SkillActivationShare {
  skill: string;
  model: number;
  typed: number;
  /** model / (model + typed); null when neither. */
  automatic_share: number | null;
  /** typed / (model + typed); null when neither. */
  typed_share: number | null;
  /** Typed activations that satisfy the slash-after-miss rule. */
  candidate_misses: number;
}

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** Shares from counts per skill (what the stored rollup holds). */
export function activationShares(counts: Iterable<{ skill: string; trigger: Trigger; invocations: number; slashAfterMiss: number }>): SkillActivationShare[] {
  const by = new Map<string, { model: number; typed: number; misses: number }>();
  for (const c of counts) {
    let a = by.get(c.skill);
    if (!a) {
      a = { model: 0, typed: 0, misses: 0 };
      by.set(c.skill, a);
    }
    if (c.trigger === 'model') a.model += c.invocations;
    else {
      a.typed += c.invocations;
      a.misses += c.slashAfterMiss;
    }
  }
  return [...by]
    .map(([skill, a]) => ({
      skill,
      model: a.model,
      typed: a.typed,
      automatic_share: share(a.model, a.model + a.typed),
      typed_share: share(a.typed, a.model + a.typed),
      candidate_misses: a.misses,
    }))
    .sort((x, y) => (x.skill < y.skill ? -1 : x.skill > y.skill ? 1 : 0));
}

/**
 * Shares and candidate misses of one or more sessions, each given as its
 * ordered events (what the capture paths compute incrementally with
 * `notePrompt` / `noteActivation`).
 */
export function sessionActivationShares(sessions: Iterable<readonly SessionEvent[]>, window = SLASH_AFTER_MISS_WINDOW): SkillActivationShare[] {
  const counts: { skill: string; trigger: Trigger; invocations: number; slashAfterMiss: number }[] = [];
  for (const events of sessions) {
    const log = newActivationLog();
    for (const e of events) {
      if (e.kind === 'prompt') notePrompt(log);
      else {
        const miss = noteActivation(log, e.skill, e.trigger, window);
        counts.push({ skill: e.skill, trigger: e.trigger, invocations: 1, slashAfterMiss: miss ? 1 : 0 });
      }
    }
  }
  return activationShares(counts);
}

/** The slash-after-miss rule in words, for reports (keep in step with the file comment). */
export const SLASH_AFTER_MISS_RULE =
  `A typed activation (/x) counts as a candidate miss when at least one of the user's ${SLASH_AFTER_MISS_WINDOW} ` +
  'prompts before it in the same session did not activate x while x was installed. Each typed activation counts ' +
  'at most once; the first prompt of a session never does. This is an estimate: an unrelated prompt before the ' +
  'slash is counted too, and a miss the user never corrects with a slash is not.';

export interface TriggerPoint {
  bucket_start: string;
  model: number;
  typed: number;
  slash_after_miss: number;
}

/**
 * Activations per bucket and trigger, from trigger rollup rows of one skill:
 * buckets of an hour or a UTC day from `fromMs` (inclusive) to `toMs`
 * (exclusive), the same buckets as skillTrend (analytics/trend.ts).
 */
export function triggerSeries(
  rows: Iterable<{ hour: number; trigger: Trigger; invocations: number; slashAfterMiss: number }>,
  bucketMs: number,
  fromMs: number,
  toMs: number,
): TriggerPoint[] {
  const first = Math.floor(fromMs / bucketMs);
  const count = Math.max(0, Math.floor((toMs - 1) / bucketMs) - first + 1);
  const points: TriggerPoint[] = Array.from({ length: count }, (_, i) => ({
    bucket_start: new Date((first + i) * bucketMs).toISOString(),
    model: 0,
    typed: 0,
    slash_after_miss: 0,
  }));
  for (const r of rows) {
    const p = points[Math.floor((r.hour * 3_600_000) / bucketMs) - first];
    if (!p) continue; // outside the range
    if (r.trigger === 'model') p.model += r.invocations;
    else {
      p.typed += r.invocations;
      p.slash_after_miss += r.slashAfterMiss;
    }
  }
  return points;
}
