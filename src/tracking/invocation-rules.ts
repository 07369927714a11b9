/**
 * The limits every recorded invocation obeys, apart from the zod schema that
 * states them to clients (invocation-input.ts): code that only checks or
 * applies them (the tracker, the fast path of fast-validate.ts) imports this
 * module and so never loads zod, which bulk writers such as `import` never need.
 */
import { WORKFLOW_PHASES, type WorkflowPhase } from '../analytics/taxonomy.js';

export { WORKFLOW_PHASES, type WorkflowPhase };

/** How a skill activation started: the agent called the Skill tool, or the user typed `/name`. */
export const ACTIVATION_TRIGGERS = ['model', 'typed'] as const;

/** 24 hours: longer "invocations" are clock errors, not skills. */
export const MAX_DURATION_MS = 86_400_000;
/** Invocations may be back-dated (imports) but not dated more than 5 minutes ahead. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Objects and arrays in `metadata` nest at most this deep (the metadata object itself is level 1). */
export const MAX_METADATA_DEPTH = 16;

/**
 * True when `value` nests objects/arrays deeper than `max` levels. Iterative,
 * so a hostile 10,000-level value cannot overflow the stack here (as
 * JSON.stringify would).
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max < 1) return true;
  // The value's own children first: most metadata is flat and never needs the stack.
  let stack: [unknown, number][] | undefined;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    if (child !== null && typeof child === 'object') (stack ??= []).push([child, 2]);
  }
  if (stack === undefined) return false;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** 2000-01-01T00:00:00Z */
export const MIN_INVOKED_AT = 946_684_800_000;
