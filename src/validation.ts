/**
 * Turns zod validation failures into the application's AppError, naming the
 * first offending field (dotted path) and the rule it broke.
 */
import type { z } from 'zod';
import { AppError } from './errors.js';

function describeZodIssue(issue: z.core.$ZodIssue, prefix = ''): { field: string; rule: string } {
  const path = issue.path.map(String).join('.');
  const field = [prefix, path].filter(Boolean).join('.') || '(input)';
  return { field, rule: issue.message };
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => describeZodIssue(i, prefix));
  const first = issues[0]!;
  throw AppError.invalid(first.field, first.rule, issues.length > 1 ? { issues } : {});
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * True when `s` is well-formed UTF-16 (no lone surrogate). A lone surrogate
 * cannot be encoded as UTF-8: the stores would replace it with U+FFFD, so two
 * distinct names would collide (and PostgreSQL copies fail), hence rejected.
 */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * No C0 or C1 control characters (U+0000–U+001F, U+007F–U+009F: Unicode's
 * Cc category). Written with two-digit hex escapes rather than `\p{Cc}` so that
 * the `pattern` it becomes in the tools' JSON Schemas compiles in every
 * mainstream regex engine (ECMAScript, Python `re`, Java, .NET, PCRE, RE2).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: it exists to reject control characters
export const NO_CONTROL_CHARS = /^[^\x00-\x1F\x7F-\x9F]*$/;
export const NO_CONTROL_CHARS_RULE = 'must not contain control characters';
