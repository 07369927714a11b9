/**
 * Shapes shared by the capture layer (hooks, spool, transcript import).
 * Captured invocations are plain tracker inputs (snake_case), always with a
 * dedupe_key so that every path into the store is idempotent.
 */
import type { InvocationInput, WorkflowPhase } from '../tracking/invocation-input.js';

export interface CapturedInvocation {
  skill_name: string;
  session_id: string;
  user_id: string;
  workflow_phase: WorkflowPhase;
  completed: boolean;
  duration_ms: number;
  error_type: string | null;
  /** Start of the call, epoch ms. */
  invoked_at: number;
  project: string | null;
  agent: string;
  metadata: Record<string, unknown>;
  dedupe_key: string;
  /** Skill activations: 'model' (Skill tool) or 'typed' (the user typed /name). Absent for other tools. */
  trigger?: 'model' | 'typed';
  /** Typed activations: the slash-after-miss estimate (analytics/skill-misses.ts), when the source can tell. */
  slash_after_miss?: boolean;
}

// Compile-time check: a captured invocation is a valid tracker input shape.
const _assignable: (c: CapturedInvocation) => InvocationInput = (c) => c;
void _assignable;

export interface RecordResult {
  inserted: number;
  duplicates: number;
}

/**
 * Whatever stores invocations: the tracker in-process, or the HTTP ingest
 * endpoint of a running server. Must skip inputs whose dedupe_key exists, and
 * throw an error with `code === 'INVALID_INPUT'` when an input is invalid.
 */
export type RecordBatch = (inputs: CapturedInvocation[]) => Promise<RecordResult>;

export function isInvalidInputError(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'INVALID_INPUT';
}
