/**
 * What the user typed, in error messages. Services and the configuration name
 * their input fields (`workflow_phase`, `invoked_at`, `port`); a command
 * declares which of its flags feeds which field (`fieldFlags`), and `runCli`
 * rewrites every INVALID_INPUT error through `errorForFlags`, so messages
 * name the flag (`--phase: …`). Required flags are declared once
 * (`requireFlags`): `--help` marks them and a missing set is reported at once.
 */
import type { Command, Option } from 'commander';
import { AppError } from '../errors.js';
import { decimalInt, decimalNumber } from '../decimal.js';

/**
 * Internal field name → the flag that sets it; with `env`, the environment
 * variable that sets it when the flag was not typed.
 */
export type FieldFlags = Readonly<Record<string, string | { flag: string; env: string }>>;

const fieldMaps = new WeakMap<Command, FieldFlags>();

/** Declares which flag of `cmd` (or, on the root program, which global flag) sets which field. */
export function fieldFlags(cmd: Command, map: FieldFlags): Command {
  fieldMaps.set(cmd, { ...fieldMaps.get(cmd), ...map });
  return cmd;
}

/** The flag that sets `field`, looked up from the command that ran up to the root program. */
function flagFor(cmd: Command | null, field: string): string | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const entry = fieldMaps.get(c)?.[field];
    if (entry === undefined) continue;
    if (typeof entry === 'string') return entry;
    const typed = cmd!.options.concat(c.options).find((o) => o.long === entry.flag);
    return typed && cmd!.getOptionValueSourceWithGlobals(typed.attributeName()) === 'cli' ? entry.flag : entry.env;
  }
  return undefined;
}

interface Issue {
  field: string;
  rule: string;
}

/**
 * The error as the user of `cmd` should read it: every field (and every
 * issue, when the error carries several) a flag of the command sets is named
 * by that flag (likewise a NOT_FOUND that names its field). Other errors pass through unchanged.
 */
export function errorForFlags(err: AppError, cmd: Command | null): AppError {
  // NOT_FOUND too: a name that matches nothing (`skills --skill nope`) was typed as a flag as well.
  if ((err.code !== 'INVALID_INPUT' && err.code !== 'NOT_FOUND') || typeof err.details.field !== 'string') return err;
  const rename = (i: Issue): Issue => ({ field: flagFor(cmd, i.field) ?? i.field, rule: i.rule });
  const issues = Array.isArray(err.details.issues) ? (err.details.issues as Issue[]).map(rename) : null;
  const first = rename({ field: err.details.field, rule: typeof err.details.rule === 'string' ? err.details.rule : '' });
  if (first.field === err.details.field && issues === null) return err;
  const prefix = `${err.details.field}:`;
  const message = issues
    ? issues.map((i) => `${i.field}: ${i.rule}`).join('\n')
    : err.message.startsWith(prefix)
      ? `${first.field}:${err.message.slice(prefix.length)}`
      : err.message;
  return new AppError(err.code, message, { ...err.details, field: first.field, ...(issues ? { issues } : {}) }, { cause: err });
}

/** Where a command keeps the flags whose empty value it reports itself (on the command, not in this module). */
const OWN_EMPTY = Symbol('flags checked empty by the command');
type WithOwnEmpty = Command & { [OWN_EMPTY]?: ReadonlySet<string> };

/**
 * Declares `flags` of `cmd` whose empty value the command reports itself, among its other flag
 * checks (so that every bad flag is listed at once); the CLI refuses every other empty value
 * before the command runs (runner.ts).
 */
export function checksEmpty(cmd: Command, flags: readonly string[]): Command {
  (cmd as WithOwnEmpty)[OWN_EMPTY] = new Set(flags);
  return cmd;
}

/** Whether `cmd` reports an empty `flag` itself (checksEmpty). */
export function checksOwnEmpty(cmd: Command, flag: string): boolean {
  return (cmd as WithOwnEmpty)[OWN_EMPTY]?.has(flag) === true;
}

interface Required {
  options: Option[];
  unless?: { flag: string; hint: string };
}

const requiredFlags = new WeakMap<Command, Required>();

/**
 * Marks `flags` of `cmd` as required (unless `unless` is given): `--help`
 * says so beside each, and before the action runs every missing one is
 * reported in one error. With `inAction`, the action reports them instead,
 * through `missingFlags(cmd)` among its `checkFlags`, so that the missing
 * flags and the bad ones are listed at once.
 */
export function requireFlags(cmd: Command, flags: readonly string[], unless?: { flag: string; hint: string }, opts: { inAction?: boolean } = {}): Command {
  const options = flags.map((flag) => {
    const option = cmd.options.find((o) => o.long === flag);
    if (!option) throw new Error(`requireFlags: ${cmd.name()} has no option ${flag}`);
    option.description = `${option.description} (required${unless ? ` unless ${unless.flag}` : ''})`;
    return option;
  });
  requiredFlags.set(cmd, { options, ...(unless ? { unless } : {}) });
  if (!opts.inAction) cmd.hook('preAction', () => missingFlags(cmd)());
  return cmd;
}

/** A `checkFlags` check: throws one error naming every flag `requireFlags` marked on `cmd` that was not given. */
export function missingFlags(cmd: Command): () => void {
  return () => {
    const spec = requiredFlags.get(cmd);
    if (!spec) return;
    const opts = cmd.opts();
    const { unless } = spec;
    if (unless && opts[cmd.options.find((o) => o.long === unless.flag)!.attributeName()] !== undefined) return;
    const missing = spec.options.filter((o) => opts[o.attributeName()] === undefined).map((o) => o.long!);
    if (missing.length === 0) return;
    const rule = `${missing.length === 1 ? 'is' : 'are'} required${unless ? ` (${unless.hint})` : ''}`;
    throw AppError.invalid(`missing ${missing.join(', ')}`, rule, { missing });
  };
}

/**
 * Runs a command's flag checks and reports every bad flag at once: each
 * check returns the flag's value or throws `AppError.invalid` (naming the
 * flag); when any threw, one error lists them all (one line per flag, as a
 * schema error lists every field), else the values come back by name.
 */
export function checkFlags<T extends Record<string, () => unknown>>(checks: T): { [K in keyof T]: ReturnType<T[K]> } {
  const values: Record<string, unknown> = {};
  const issues: Issue[] = [];
  for (const [name, check] of Object.entries(checks)) {
    try {
      values[name] = check();
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'INVALID_INPUT' || typeof err.details.field !== 'string') throw err;
      // A check may find several (a schema lists every bad field).
      if (Array.isArray(err.details.issues)) issues.push(...(err.details.issues as Issue[]));
      else issues.push({ field: err.details.field, rule: typeof err.details.rule === 'string' ? err.details.rule : err.message });
    }
  }
  if (issues.length > 0) throw AppError.invalidAll(issues);
  return values as { [K in keyof T]: ReturnType<T[K]> };
}

/**
 * The integer value of `flag`, or INVALID_INPUT naming it and the range when it is not written as a
 * whole number of decimal digits (an optional `-` where `min` is negative) in [min, max]; `unit`
 * (e.g. "seconds") follows the range in the message. Exponents (`1e20`), fractions, `Infinity`,
 * hexadecimal and numbers past Number.MAX_SAFE_INTEGER, which Number() would turn into some other
 * number, are refused: every integer flag of the CLI is parsed here, with its bounds.
 */
export function intFlag(flag: string, raw: string, min: number, max: number, unit?: string): number {
  const n = decimalInt(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw AppError.invalid(flag, `must be an integer between ${min} and ${max}${unit ? ` ${unit}` : ''}`);
  return n;
}

/**
 * The value of `flag` where a fraction is meaningful (`--settle-minutes 0.5`), or INVALID_INPUT
 * naming it and the range when it is not written as decimal digits with an optional fraction in
 * [min, max] (with `minExclusive`, (min, max]).
 */
export function numberFlag(flag: string, raw: string, min: number, max: number, unit?: string, opts: { minExclusive?: boolean } = {}): number {
  const n = decimalNumber(raw);
  if (!Number.isFinite(n) || (opts.minExclusive ? n <= min : n < min) || n > max) {
    throw AppError.invalid(flag, `must be a number ${opts.minExclusive ? '>' : '>='} ${min} and <= ${max}${unit ? ` ${unit}` : ''}`);
  }
  return n;
}
