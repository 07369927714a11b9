/**
 * A fast path for validating invocations during bulk ingest. It accepts only
 * inputs that are already in canonical form (strings trimmed, times as epoch
 * numbers) and that the zod schema certainly accepts unchanged; everything
 * else, including every invalid input, goes through the zod schema, which
 * produces the precise error. So the fast path can only make ingest faster,
 * never more permissive (a test checks this on generated inputs).
 */
import { isWellFormedText } from '../validation.js';
import type { InvocationInput } from './invocation-input.js';
import { MAX_DURATION_MS, WORKFLOW_PHASES } from './invocation-rules.js';

const PHASES = new Set<string>(WORKFLOW_PHASES);
// biome-ignore lint/suspicious/noControlCharactersInRegex: it exists to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const KNOWN = new Set([
  'skill_name',
  'user_id',
  'session_id',
  'workflow_phase',
  'completed',
  'duration_ms',
  'error_type',
  'invoked_at',
  'project',
  'agent',
  'metadata',
  'dedupe_key',
  'trigger',
  'slash_after_miss',
]);

function text(v: unknown, max: number): boolean {
  return typeof v === 'string' && v.length > 0 && v.length <= max && !CONTROL.test(v) && v.trim() === v && isWellFormedText(v);
}

function optionalText(v: unknown, max: number): boolean {
  return v === undefined || v === null || text(v, max);
}

/**
 * A text field that remembers the last string it accepted: bulk input repeats the same skill, user,
 * session, project and agent row after row, and an equal string needs no second check.
 */
class TextField {
  private last: string | null = null;

  constructor(private readonly max: number) {}

  ok(v: unknown): boolean {
    if (typeof v === 'string' && v === this.last) return true;
    if (!text(v, this.max)) return false;
    this.last = v as string;
    return true;
  }

  optional(v: unknown): boolean {
    return v === undefined || v === null || this.ok(v);
  }
}

/** The fast check, with a memory of the strings its text fields accepted last (one per ingest path, e.g. a Tracker). */
export class CanonicalInvocationCheck {
  private readonly skillName = new TextField(128);
  private readonly userId = new TextField(256);
  private readonly sessionId = new TextField(128);
  private readonly errorType = new TextField(128);
  private readonly project = new TextField(256);
  private readonly agent = new TextField(128);
  // dedupe_key: unique per input, nothing to remember.

  /** True when `v` is a canonical, valid invocation that the zod schema would return unchanged. */
  accepts(v: unknown): v is InvocationInput {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    for (const key in o) if (!KNOWN.has(key)) return false;
    return (
      this.skillName.ok(o.skill_name) &&
      this.userId.ok(o.user_id) &&
      this.sessionId.ok(o.session_id) &&
      typeof o.workflow_phase === 'string' &&
      PHASES.has(o.workflow_phase) &&
      typeof o.completed === 'boolean' &&
      Number.isInteger(o.duration_ms) &&
      (o.duration_ms as number) >= 0 &&
      (o.duration_ms as number) <= MAX_DURATION_MS &&
      this.errorType.optional(o.error_type) &&
      (o.error_type === undefined || o.error_type === null || o.completed === false) &&
      (o.invoked_at === undefined || Number.isSafeInteger(o.invoked_at)) &&
      this.project.optional(o.project) &&
      this.agent.optional(o.agent) &&
      optionalText(o.dedupe_key, 256) &&
      (o.trigger === undefined || o.trigger === null || o.trigger === 'model' || o.trigger === 'typed') &&
      (o.slash_after_miss === undefined || o.slash_after_miss === null || (typeof o.slash_after_miss === 'boolean' && o.trigger === 'typed')) &&
      (o.metadata === undefined ||
        o.metadata === null ||
        (typeof o.metadata === 'object' && !Array.isArray(o.metadata) && Object.getPrototypeOf(o.metadata) === Object.prototype))
    );
  }
}
