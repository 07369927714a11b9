/**
 * The public shape of one skill invocation, as accepted by the MCP tool, the
 * HTTP ingest endpoint, the CLI and importers. One zod schema serves all of
 * them, so every entry point applies the same rules.
 */
import { z } from 'zod';
import type { NormalizedInvocation } from '../store/types.js';
import { isWellFormedText, NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE } from '../validation.js';
import { ACTIVATION_TRIGGERS, MAX_DURATION_MS, WORKFLOW_PHASES, type WorkflowPhase } from './invocation-rules.js';

export { WORKFLOW_PHASES, type NormalizedInvocation, type WorkflowPhase };

/** Printable text without control characters, trimmed, 1..max characters. */
export const textField = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE)
    .refine(isWellFormedText, 'must not contain lone UTF-16 surrogates');

export const invocationShape = {
  skill_name: textField(128).describe('Skill, tool or agent name, e.g. "run-tests" or "mcp__github__create_pr"'),
  user_id: textField(256).describe('User identifier; stored only as a salted SHA-256 hash'),
  session_id: textField(128).describe('Agent session identifier'),
  workflow_phase: z.enum(WORKFLOW_PHASES).describe('Phase of the workflow the invocation belongs to'),
  completed: z.boolean().describe('true if the invocation succeeded'),
  duration_ms: z
    .number()
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(MAX_DURATION_MS, `must be <= ${MAX_DURATION_MS} (24 h)`)
    .describe('Wall-clock duration in milliseconds'),
  error_type: textField(128).nullish().describe('Error class when the invocation failed, e.g. "timeout"'),
  invoked_at: z
    .union(
      [
        z.number().int('must be an integer epoch in milliseconds'),
        z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time or epoch milliseconds' }),
      ],
      // Neither branch's own message fits a value of another type (null, 1.5, true): one rule for all.
      { error: 'must be epoch milliseconds (an integer) or an ISO-8601 date-time with an offset' },
    )
    .optional()
    .describe('When the invocation started (ISO-8601 or epoch ms); defaults to now'),
  project: textField(256).nullish().describe('Project or repository name'),
  agent: textField(128).nullish().describe('Agent or client name, e.g. "claude-code"'),
  metadata: z.record(z.string(), z.unknown()).nullish().describe('Small JSON object of extra attributes'),
  dedupe_key: textField(256).nullish().describe('Idempotency key: a second invocation with the same key is ignored'),
  trigger: z
    .enum(ACTIVATION_TRIGGERS, "must be 'model' or 'typed'")
    .nullish()
    .describe("How a skill was activated: 'model' (the agent chose it) or 'typed' (the user typed /name); omit for other tools"),
  slash_after_miss: z
    .boolean()
    .nullish()
    .describe('Typed activations only: the user typed it within a few prompts after one where it was available but not used (an estimate)'),
};

export const invocationInputSchema = z
  .object(invocationShape)
  .strict()
  .refine((v) => v.slash_after_miss == null || v.trigger === 'typed', {
    message: "may only be set when trigger is 'typed'",
    path: ['slash_after_miss'],
  })
  .refine((v) => v.error_type == null || !v.completed, {
    message: 'must be null when completed is true (an error class describes a failed invocation)',
    path: ['error_type'],
  });
export type InvocationInput = z.input<typeof invocationInputSchema>;
