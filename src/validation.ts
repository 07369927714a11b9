/**
 * Turns zod validation failures into the application's AppError, naming the
 * first offending field (dotted path) and the rule it broke.
 */
import type { z } from 'zod';
import { AppError } from './errors.js';
import { closestName } from './suggest.js';

function fieldOf(path: readonly PropertyKey[], prefix: string): string {
  return [prefix, path.map(String).join('.')].filter(Boolean).join('.') || '(input)';
}

/** The value at `path` in `input`, undefined where the path leads nowhere. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** A field absent from its object: whatever its schema (a string, an enum…), it is required. */
function isMissing(issue: z.core.$ZodIssue, input: unknown): boolean {
  return issue.code !== 'unrecognized_keys' && issue.path.length > 0 && valueAt(input, issue.path) === undefined;
}

/**
 * One issue as field and rule. A missing field "is required"; an unknown key names the key and, when
 * a required field of the same object is missing, the one it was probably meant to be.
 */
function describeZodIssue(issue: z.core.$ZodIssue, all: readonly z.core.$ZodIssue[], input: unknown, prefix: string): { field: string; rule: string } {
  if (isMissing(issue, input)) return { field: fieldOf(issue.path, prefix), rule: 'is required' };
  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path.map(String).join('.');
    const missing = all.filter((i) => isMissing(i, input) && i.path.slice(0, -1).map(String).join('.') === parent).map((i) => String(i.path.at(-1)));
    const key = issue.keys[0]!;
    const meant = closestName(key, missing);
    const more = issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).join(', ')})` : '';
    return { field: fieldOf([...issue.path, key], prefix), rule: `unknown key${more}${meant ? `; did you mean '${meant}'?` : ''}` };
  }
  // zod's own wording is put in words; a rule the schema words itself (e.g. 'must be an integer') is kept.
  if (!ZOD_DEFAULT.test(issue.message)) return { field: fieldOf(issue.path, prefix), rule: issue.message };
  if (issue.code === 'invalid_value') return { field: fieldOf(issue.path, prefix), rule: oneOf(issue.values) };
  if (issue.code === 'invalid_type' && TYPE_NAMES[issue.expected] !== undefined) {
    // A fraction where an integer belongs is a number still: `must be an integer` says it all.
    const got = issue.expected === 'int' ? null : kindOf(valueAt(input, issue.path));
    return { field: fieldOf(issue.path, prefix), rule: `must be ${TYPE_NAMES[issue.expected]}${got ? `, not ${got}` : ''}` };
  }
  return { field: fieldOf(issue.path, prefix), rule: issue.message };
}

/** zod's default messages (`Invalid input: expected string, received number`, `Invalid option: …`). */
const ZOD_DEFAULT = /^Invalid (input|option)\b/;

/** The rule of a value outside an enum or literal, in words (zod's own is `Invalid option: expected one of "a"|"b"`). */
function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? v : String(v)));
  return shown.length === 1 ? `must be ${shown[0]}` : `must be one of ${shown.join(', ')}`;
}

/** zod's expected types in words, for `must be …` (zod's own is `Invalid input: expected string, received number`). */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  bigint: 'an integer',
  date: 'a date',
};

/** What a JSON value is, in words: the `not …` of a wrong type. */
function kindOf(v: unknown): string | null {
  if (v === undefined) return null;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'true or false';
  return typeof v;
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidInputOf(result.error, value, prefix);
}

/** The INVALID_INPUT error of a failed parse of `value`, naming its first offending field (`prefix`ed) and the rule it broke. */
export function invalidInputOf(error: z.core.$ZodError, value: unknown, prefix = ''): AppError {
  // An unknown key first: a misspelt field also shows up as the missing one it was meant to be.
  const raw = [...error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  const issues = raw.map((i) => describeZodIssue(i, raw, value, prefix));
  const first = issues[0]!;
  return AppError.invalid(first.field, first.rule, issues.length > 1 ? { issues } : {});
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
