/**
 * The Claude Code hook configuration that feeds `session-buddy hook`, and its
 * merge into an existing settings.json (`{"hooks": {"<Event>": [{"matcher",
 * "hooks": [{"type": "command", "command", "timeout"}]}]}}`; timeout in
 * seconds). Merging keeps every other setting and hook, is idempotent, and
 * updates our entry in place (e.g. a changed command) instead of adding a
 * second one. Removal takes out our entries only, from every event, and the
 * groups and events they leave empty.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, toAppError } from '../errors.js';
import { ensureDir } from '../ensure-dir.js';

/** Tool events take a matcher; `*` matches every tool, MCP tools included. */
const TOOL_HOOK_EVENTS = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure'] as const;
/**
 * UserPromptExpansion fires when a typed slash command (a skill, a custom or
 * plugin command, an MCP prompt) expands into a prompt: the only event that
 * sees a skill the user typed, since no Skill tool call happens then (Claude
 * Code hooks reference, "UserPromptExpansion"). Its matcher would be the
 * command name; none is set, so every expansion reaches the hook.
 */
const SESSION_HOOK_EVENTS = ['SessionStart', 'Stop', 'SessionEnd', 'PreCompact', 'UserPromptExpansion'] as const;
/**
 * Always synchronous, whatever `async` says: SessionStart returns the previous
 * handoff as additional context (Claude Code reads it from the hook's stdout
 * before the first turn), and PreCompact saves the session's context before
 * the compaction runs. Both end within the hook's deadline (1.2 s, exit 0).
 */
const SYNC_HOOK_EVENTS: ReadonlySet<string> = new Set(['SessionStart', 'PreCompact']);
const DEFAULT_HOOK_COMMAND = 'session-buddy hook';
/** Claude Code kills a hook still running after this long (the hook ends itself by then). */
const DEFAULT_HOOK_TIMEOUT_SECONDS = 2;

interface CommandHook {
  type: 'command';
  command: string;
  timeout?: number;
  /** Run in the background: Claude Code does not wait for the hook. */
  async?: boolean;
}

interface MatcherGroup {
  matcher?: string;
  hooks: CommandHook[];
}

export interface HooksConfig {
  hooks: Record<string, MatcherGroup[]>;
}

export interface HookConfigOptions {
  command?: string;
  timeoutSeconds?: number;
  /**
   * PostToolUseFailure exists only in newer Claude Code versions; without it
   * failures are still recorded (as `no_result`) when the turn stops.
   */
  includeFailureEvent?: boolean;
  /**
   * `async: true` (default) lets Claude Code carry on without waiting for the
   * hook process (it starts in about a second). Pairing does not depend on
   * hook order, so nothing is lost; false makes the hooks synchronous.
   */
  async?: boolean;
}

function events(opts: HookConfigOptions): string[] {
  const tools = TOOL_HOOK_EVENTS.filter((e) => e !== 'PostToolUseFailure' || opts.includeFailureEvent !== false);
  return [...tools, ...SESSION_HOOK_EVENTS];
}

function handler(opts: HookConfigOptions, event: string): CommandHook {
  const h: CommandHook = {
    type: 'command',
    command: opts.command ?? DEFAULT_HOOK_COMMAND,
    timeout: opts.timeoutSeconds ?? DEFAULT_HOOK_TIMEOUT_SECONDS,
  };
  if (opts.async !== false && !SYNC_HOOK_EVENTS.has(event)) h.async = true;
  return h;
}

function groupFor(event: string, opts: HookConfigOptions): MatcherGroup {
  const isTool = (TOOL_HOOK_EVENTS as readonly string[]).includes(event);
  return isTool ? { matcher: '*', hooks: [handler(opts, event)] } : { hooks: [handler(opts, event)] };
}

export function buildHooksConfig(opts: HookConfigOptions = {}): HooksConfig {
  const hooks: Record<string, MatcherGroup[]> = {};
  for (const e of events(opts)) hooks[e] = [groupFor(e, opts)];
  return { hooks };
}

/** True for a command that runs `session-buddy ... hook` (npx, node bin/…, global). */
export function isOurHookCommand(command: unknown): boolean {
  return typeof command === 'string' && /session-buddy\S*(\s+\S+)*?\s+hook(\s|$)/.test(command);
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export interface MergeResult {
  settings: Json;
  /** Events that got our hook for the first time. */
  added: string[];
  /** Events whose existing hook of ours changed (command or timeout). */
  updated: string[];
}

/** Merges our hooks into a parsed settings object without mutating it. */
export function mergeHooksConfig(existing: unknown, opts: HookConfigOptions = {}): MergeResult {
  if (existing !== undefined && !isObject(existing)) throw AppError.invalid('settings', 'must be a JSON object');
  const settings: Json = existing ? structuredClone(existing) : {};
  if (settings.hooks !== undefined && !isObject(settings.hooks)) throw AppError.invalid('settings.hooks', 'must be an object');
  const hooks = (settings.hooks ?? {}) as Json;
  settings.hooks = hooks;
  const added: string[] = [];
  const updated: string[] = [];

  for (const event of events(opts)) {
    const wanted = handler(opts, event);
    const list = hooks[event];
    if (list !== undefined && !Array.isArray(list)) throw AppError.invalid(`settings.hooks.${event}`, 'must be an array');
    const groups = (list ?? []) as unknown[];
    let found = false;
    let changed = false;
    for (const group of groups) {
      if (!isObject(group) || !Array.isArray(group.hooks)) continue;
      const kept: unknown[] = [];
      for (const h of group.hooks as unknown[]) {
        if (!isObject(h) || !isOurHookCommand(h.command)) {
          kept.push(h);
          continue;
        }
        if (found) {
          changed = true; // a second copy of ours: drop it
          continue;
        }
        found = true;
        if (h.command !== wanted.command || h.timeout !== wanted.timeout || h.type !== 'command' || h.async !== wanted.async) {
          delete h.async;
          Object.assign(h, wanted);
          changed = true;
        }
        kept.push(h);
      }
      group.hooks = kept;
    }
    const nonEmpty = groups.filter((g) => !isObject(g) || !Array.isArray(g.hooks) || g.hooks.length > 0);
    if (!found) {
      nonEmpty.push(groupFor(event, opts));
      added.push(event);
    } else if (changed) {
      updated.push(event);
    }
    hooks[event] = nonEmpty;
  }
  return { settings, added, updated };
}

export interface RemoveResult {
  settings: Json;
  /** Events that had a hook of ours (all taken out). */
  removed: string[];
}

/** Takes every hook of ours out of a parsed settings object (without mutating it), and what that leaves empty. */
export function removeHooksConfig(existing: unknown): RemoveResult {
  if (existing !== undefined && !isObject(existing)) throw AppError.invalid('settings', 'must be a JSON object');
  const settings: Json = existing ? structuredClone(existing) : {};
  const removed: string[] = [];
  if (!isObject(settings.hooks)) return { settings, removed };
  const hooks = settings.hooks;
  for (const [event, list] of Object.entries(hooks)) {
    if (!Array.isArray(list)) continue;
    let ours = 0;
    const groups: unknown[] = [];
    for (const group of list as unknown[]) {
      if (!isObject(group) || !Array.isArray(group.hooks)) {
        groups.push(group);
        continue;
      }
      const kept = (group.hooks as unknown[]).filter((h) => !(isObject(h) && isOurHookCommand(h.command)));
      ours += group.hooks.length - kept.length;
      // A group that held only ours goes with them; one with others keeps them.
      if (kept.length > 0 || group.hooks.length === 0) groups.push({ ...group, hooks: kept });
    }
    if (ours === 0) continue;
    removed.push(event);
    if (groups.length > 0) hooks[event] = groups;
    else delete hooks[event];
  }
  if (removed.length > 0 && Object.keys(hooks).length === 0) delete settings.hooks;
  return { settings, removed };
}

export interface WriteHooksResult extends MergeResult {
  file: string;
  created: boolean;
}

export interface WriteHooksOptions {
  /**
   * Create the file's directory when missing (default): the default settings files live in a
   * `.claude` directory that may not exist yet. False for a file the user named: its directory must
   * exist, as for `backup`.
   */
  createDirectory?: boolean;
  /** The input field that named `file`: problems with the path are reported as that input's. */
  field?: string;
}

/**
 * Merges our hooks into a settings file (created, with its directory unless
 * `createDirectory` is false, when missing) and writes it atomically: a
 * failed write leaves the file as it was and nothing beside it. A file that
 * is not valid JSON is left untouched and reported as invalid input.
 */
export function writeHooksConfig(file: string, opts: HookConfigOptions = {}, write: WriteHooksOptions = {}): WriteHooksResult {
  const { existing, created } = readSettings(file, write);
  const merged = mergeHooksConfig(existing, opts);
  if (created || merged.added.length > 0 || merged.updated.length > 0) writeSettings(file, merged.settings, created, write);
  return { ...merged, file, created };
}

export interface RemoveHooksResult extends RemoveResult {
  file: string;
  /** False when the file does not exist (nothing is created). */
  exists: boolean;
}

/**
 * Takes our hooks out of a settings file, written atomically (keeping its permissions) only when it
 * had some; every other setting and hook stays. A missing file is left missing; one that is not valid
 * JSON is left untouched and reported as invalid input.
 */
export function removeHooksFromFile(file: string, write: Pick<WriteHooksOptions, 'field'> = {}): RemoveHooksResult {
  const { existing, created } = readSettings(file, write);
  if (created) return { settings: {}, removed: [], file, exists: false };
  const r = removeHooksConfig(existing);
  if (r.removed.length > 0) writeSettings(file, r.settings, false, write);
  return { ...r, file, exists: true };
}

/** The parsed settings file (an empty one is `{}`), or `created` when it does not exist. */
function readSettings(file: string, write: Pick<WriteHooksOptions, 'field'>): { existing: unknown; created: boolean } {
  const field = write.field ?? file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toAppError(err, { path: file, ...(write.field ? { field: write.field } : {}) });
    return { existing: undefined, created: true };
  }
  try {
    return { existing: text.trim() === '' ? {} : JSON.parse(text), created: false };
  } catch {
    throw AppError.invalid(field, `${write.field ? `${file} ` : ''}is not valid JSON; fix or remove it first`);
  }
}

/** Writes `settings` to `file` atomically; an existing file keeps its permissions. */
function writeSettings(file: string, settings: Json, created: boolean, write: WriteHooksOptions): void {
  const field = write.field ?? file;
  const dir = path.dirname(file);
  if (write.createDirectory === false && !isDirectory(dir)) {
    throw AppError.invalid(field, `the directory ${dir} does not exist; create it first (nothing was written)`);
  }
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    ensureDir(dir, 0o777);
    fs.writeFileSync(tmp, `${JSON.stringify(settings, null, 2)}\n`);
    // An existing file keeps its permissions (the CLI's umask makes new files 0600).
    if (!created) fs.chmodSync(tmp, fs.statSync(file).mode & 0o777);
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // the write's error is the one to report
    }
    throw toAppError(err, { path: file, ...(write.field ? { field: write.field } : {}) });
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
