/**
 * Claude Code hook events: parsing, Pre/Post pairing and the invocation each
 * event yields.
 *
 * Input fields used (the rest is ignored): session_id, cwd, hook_event_name,
 * and for tool events tool_name, tool_input, tool_use_id, tool_response
 * (PostToolUse), error and is_interrupt (PostToolUseFailure), agent_type
 * (inside subagents).
 *
 * Pairing: each side of a call writes `<dataDir>/hooks/<session>/<key>.pre.json`
 * or `.post.json` (its time, tool, skill, phase, outcome), then looks for the
 * other side; whichever arrives second emits the invocation and removes both.
 * Order does not matter, so hooks may run with `async: true` (then Post can
 * start before Pre). The key is the tool_use_id, or a hash of tool name +
 * input when the id is absent. One small file per call side, because
 * parallel tool calls run their hooks concurrently. Times are those passed
 * in `ctx.now`; the CLI passes the hook process start time, which tracks the
 * moment Claude Code fired the event.
 *
 * Duration (stored in `metadata.duration_source`):
 *   `claude_code` — the `duration_ms` Claude Code (2.1.119+) sends in
 *       PostToolUse / PostToolUseFailure: the tool's execution time only.
 *   `hook_gap` — older versions: the gap between the Pre and Post hook
 *       processes' start times (includes permission prompts and hook start-up).
 *   `unknown` — neither: a Post without a Pre, a Pre without a Post, or async
 *       hooks whose Post process started before the Pre process (a negative
 *       gap). duration_ms is then 0 and means "not measured", never "0 ms".
 *
 * Outcome: PostToolUseFailure is a failure. PostToolUse is a failure only when
 * tool_response says so (is_error / isError / error / success: false /
 * interrupted). A call still missing its Post one full turn later (its time
 * is before the previous Stop) is recorded on Stop or SessionEnd as failed
 * with error_type `no_result` (versions without PostToolUseFailure send no
 * post event for failed calls); a Post never matched by a Pre is recorded
 * with its `duration_ms` when sent, on the Stop a turn later or at the latest
 * on SessionEnd (see flushLeftovers). Session events themselves record nothing; SessionStart
 * removes state of sessions idle for two days.
 *
 * Typed skills: UserPromptExpansion (the user typed `/name`) records
 * `skill:<name>` with trigger 'typed' (see typedActivation); Skill tool calls
 * carry trigger 'model'.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowPhase } from '../tracking/invocation-input.js';
import { ensureDir } from '../ensure-dir.js';
import {
  AGENT_NAME,
  asInput,
  clampDuration,
  classifyError,
  cleanText,
  dedupeKeyFor,
  MAX_ERROR_TYPE,
  phaseFor,
  phaseFromName,
  projectFromCwd,
  skillNameFor,
  typedDedupeKeyFor,
  typedSkillName,
} from './tool-mapping.js';
import { type ActivationLog, newActivationLog, noteActivation, notePrompt } from '../analytics/skill-misses.js';
import { appendActivity, filesOf } from './session-activity.js';
import type { CapturedInvocation } from './types.js';

const HOOK_EVENTS = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'SessionStart', 'SessionEnd', 'Stop', 'PreCompact', 'UserPromptExpansion'] as const;
type HookEventName = (typeof HOOK_EVENTS)[number];

export interface HookEvent {
  event: HookEventName;
  sessionId: string;
  cwd: string | null;
  toolName: string | null;
  toolInput: Record<string, unknown>;
  toolUseId: string | null;
  toolResponse: unknown;
  /** `duration_ms` of PostToolUse / PostToolUseFailure (execution time), when sent. */
  durationMs: number | null;
  /** PostToolUseFailure `error`. */
  error: string | null;
  isInterrupt: boolean;
  /** Set when the hook fired inside a subagent. */
  agentType: string | null;
  /** PreCompact `trigger` ('manual' | 'auto'). */
  trigger: string | null;
  /** SessionStart `source` ('startup' | 'resume' | 'clear' | 'compact'). */
  source: string | null;
  /** UserPromptExpansion `expansion_type` ('slash_command' | 'mcp_prompt'). */
  expansionType: string | null;
  /** UserPromptExpansion `command_name` (the typed command, without arguments). */
  commandName: string | null;
  /** UserPromptExpansion `command_source` (e.g. 'skill', 'plugin', 'builtin', 'mcp'). */
  commandSource: string | null;

  /** `transcript_path`: the session's transcript (absolute *.jsonl), or null. */
  transcriptPath: string | null;
}

export interface HookContext {
  dataDir: string;
  userId: string;
  /** Epoch ms of this hook run. */
  now: number;
  /**
   * Where the state files of the calls this event completes go, to be removed by the caller once
   * the calls are delivered (posted or spooled): a hook killed in between (the outer timeout) leaves
   * them, and the session's next Stop records the call from them (same dedupe key). Without it,
   * they are removed at once.
   */
  settled?: string[];
}

/** Removes the state files of delivered calls (HookContext.settled). */
export function removeSettled(files: readonly string[]): void {
  for (const f of files) removeQuietly(f);
}

/** A completed call's state files: left to the caller to remove after delivery when it collects them, else removed now. */
function settle(ctx: HookContext, ...files: string[]): void {
  if (ctx.settled) ctx.settled.push(...files);
  else removeSettled(files);
}

/** Session state directories untouched for this long are removed on SessionStart. */
const STALE_STATE_MS = 2 * 86_400_000;

const TOOL_EVENTS: ReadonlySet<string> = new Set(['PreToolUse', 'PostToolUse', 'PostToolUseFailure']);

function optString(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Validates a decoded hook payload; null when it is not an event we handle. */
export function parseHookEvent(raw: unknown): HookEvent | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  const event = o.hook_event_name;
  if (typeof event !== 'string' || !(HOOK_EVENTS as readonly string[]).includes(event)) return null;
  const sessionId = typeof o.session_id === 'string' ? cleanText(o.session_id, 128) : '';
  if (sessionId === '') return null;
  const toolName = typeof o.tool_name === 'string' ? cleanText(o.tool_name, 128) : '';
  if (TOOL_EVENTS.has(event) && toolName === '') return null;
  const commandName = typeof o.command_name === 'string' ? cleanText(o.command_name, 256) : '';
  if (event === 'UserPromptExpansion' && commandName === '') return null;
  return {
    event: event as HookEventName,
    sessionId,
    cwd: optString(o.cwd),
    toolName: toolName || null,
    toolInput: asInput(o.tool_input),
    toolUseId: optString(o.tool_use_id),
    toolResponse: o.tool_response,
    durationMs: typeof o.duration_ms === 'number' && Number.isFinite(o.duration_ms) && o.duration_ms >= 0 ? o.duration_ms : null,
    error: optString(o.error) ?? optString(o.error_message),
    isInterrupt: o.is_interrupt === true,
    agentType: optString(o.agent_type),
    trigger: optString(o.trigger),
    source: optString(o.source),
    expansionType: optString(o.expansion_type),
    commandName: commandName || null,
    commandSource: optString(o.command_source),

    transcriptPath: transcriptPathOf(o.transcript_path),
  };
}

function transcriptPathOf(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > 4096 || v.includes('\0') || !path.isAbsolute(v) || !v.toLowerCase().endsWith('.jsonl')) return null;
  return v;
}

/** Failure signalled inside a PostToolUse tool_response, if any. */
export function responseFailure(response: unknown): { failed: boolean; errorType: string | null } {
  if (response === null || typeof response !== 'object' || Array.isArray(response)) return { failed: false, errorType: null };
  const r = response as Record<string, unknown>;
  if (r.interrupted === true) return { failed: true, errorType: 'interrupted' };
  const errText = typeof r.error === 'string' ? r.error : r.error != null && r.error !== false ? JSON.stringify(r.error) : null;
  if (r.is_error === true || r.isError === true || r.success === false || (errText !== null && errText !== '')) {
    return { failed: true, errorType: classifyError(errText ?? contentText(r.content)) };
  }
  return { failed: false, errorType: null };
}

/** Text of a tool result `content`: a string or an array of text blocks. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content.slice(0, 2000);
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const block of content) {
    const text = (block as { text?: unknown } | null)?.text;
    if (typeof text === 'string') out += `${text}\n`;
    if (out.length >= 2000) break;
  }
  return out.slice(0, 2000);
}

// ---------------------------------------------------------------------------
// Pre/Post state

/** What each side of a call knows; the second side to arrive emits the invocation. */
interface CallSide {
  /** Pre: start time; Post: end time (epoch ms). */
  at: number;
  tool: string;
  skill_name: string;
  workflow_phase: WorkflowPhase;
  project: string | null;
  subagent: string | null;
  tool_use_id: string | null;
  /** Post only. */
  completed?: boolean;
  /** Post only: Claude Code's `duration_ms`. */
  reported_ms?: number | null;
  error_type?: string | null;
}

const LAST_STOP_FILE = 'last-stop.json';

export function hooksStateDir(dataDir: string): string {
  return path.join(dataDir, 'hooks');
}

function safeName(id: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(id) ? id : createHash('sha256').update(id).digest('hex').slice(0, 40);
}

export function sessionDir(dataDir: string, sessionId: string): string {
  return path.join(hooksStateDir(dataDir), safeName(sessionId));
}

function inputHash(toolName: string, input: Record<string, unknown>): string {
  return createHash('sha256')
    .update(`${toolName}\0${JSON.stringify(input)}`)
    .digest('hex')
    .slice(0, 24);
}

function callKey(ev: HookEvent): string {
  return ev.toolUseId ? safeName(ev.toolUseId) : `h-${inputHash(ev.toolName ?? '', ev.toolInput)}`;
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function readSide(file: string): CallSide | null {
  const v = readJson<Partial<CallSide>>(file);
  return v && typeof v.at === 'number' && typeof v.skill_name === 'string' && typeof v.tool === 'string' ? (v as CallSide) : null;
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true, recursive: true });
  } catch {
    // best effort: state files are disposable
  }
}

function sideOf(ev: HookEvent, at: number): CallSide {
  const tool = ev.toolName ?? 'unknown';
  return {
    at,
    tool,
    skill_name: skillNameFor(tool, ev.toolInput),
    workflow_phase: phaseFor(tool, ev.toolInput),
    project: projectFromCwd(ev.cwd),
    subagent: ev.agentType,
    tool_use_id: ev.toolUseId,
  };
}

/**
 * One invocation from the sides that arrived. Pre only: the call never
 * reported back (failed, `no_result`). Post only: duration unknown (0).
 */
function combine(sessionId: string, key: string, userId: string, pre: CallSide | null, post: CallSide | null): CapturedInvocation {
  const base = (pre ?? post)!;
  const toolUseId = pre?.tool_use_id ?? post?.tool_use_id ?? null;
  const dedupeKey = toolUseId ? dedupeKeyFor(toolUseId) : `cc:${sessionId}:${key}:${pre ? pre.at : `post-${post!.at}`}`.slice(0, 256);
  const reported = typeof post?.reported_ms === 'number' ? post.reported_ms : null;
  let duration = 0;
  let durationSource: 'claude_code' | 'hook_gap' | 'unknown' = 'unknown';
  if (reported !== null) {
    duration = clampDuration(reported);
    durationSource = 'claude_code';
  } else if (pre && post && post.at >= pre.at) {
    duration = clampDuration(post.at - pre.at);
    durationSource = 'hook_gap';
  }
  const metadata: Record<string, unknown> = { source: 'hook', tool: base.tool, duration_source: durationSource };
  const subagent = pre?.subagent ?? post?.subagent;
  if (subagent) metadata.subagent = subagent;
  const errorType = post ? (post.error_type ?? null) : 'no_result';
  const trigger = base.tool === 'Skill' ? { trigger: 'model' as const } : {};
  return {
    ...trigger,
    skill_name: base.skill_name,
    session_id: sessionId,
    user_id: userId,
    workflow_phase: base.workflow_phase,
    completed: post ? post.completed === true : false,
    duration_ms: duration,
    error_type: errorType === null ? null : errorType.slice(0, MAX_ERROR_TYPE),
    invoked_at: pre ? pre.at : Math.max(0, post!.at - duration),
    project: post?.project ?? pre?.project ?? null,
    agent: AGENT_NAME,
    metadata,
    dedupe_key: dedupeKey,
  };
}

/**
 * Applies one hook event: updates the Pre/Post state and returns the
 * invocations it completes.
 */
export function processHookEvent(ev: HookEvent, ctx: HookContext): CapturedInvocation[] {
  switch (ev.event) {
    case 'PreToolUse':
      if (ev.toolName === 'Skill') noteHookActivation(ev, ctx, skillNameFor('Skill', ev.toolInput), 'model');
      return arrive(ev, ctx, 'pre', sideOf(ev, ctx.now));
    case 'UserPromptExpansion':
      return typedActivation(ev, ctx);
    case 'PostToolUse':
    case 'PostToolUseFailure': {
      const side = sideOf(ev, ctx.now);
      side.reported_ms = ev.durationMs;
      if (ev.event === 'PostToolUseFailure') {
        side.completed = false;
        side.error_type = classifyError(ev.error, ev.isInterrupt);
      } else {
        const f = responseFailure(ev.toolResponse);
        side.completed = !f.failed;
        side.error_type = f.errorType;
      }
      keepActivity(ev, ctx, side);
      return arrive(ev, ctx, 'post', side);
    }
    case 'PreCompact':
      // Saved by the hook runner (saved-context.ts); records nothing.
      return [];
    case 'Stop':
      notePromptEnd(ev, ctx);
      return flushLeftovers(ev.sessionId, ctx);
    case 'SessionEnd':
      return flushLeftovers(ev.sessionId, ctx, true);
    case 'SessionStart':
      sweepStaleState(ctx.dataDir, ctx.now);
      return [];
  }
}

// ---------------------------------------------------------------------------
// Typed skills (UserPromptExpansion)

/**
 * Per-session state for typed skills: how many times each skill was typed
 * (the ordinal in the dedupe key, see typedDedupeKeyFor) and the activation
 * log of the slash-after-miss rule (analytics/skill-misses.ts). The hook
 * numbers prompts by turns: prompt 1 until the first Stop, then one more per
 * Stop (every turn Claude Code finishes ends with Stop).
 */
interface TypedState {
  typed: Record<string, number>;
  log: ActivationLog;
}

const TYPED_STATE_FILE = 'activations.json';

function readTypedState(dir: string): TypedState {
  const v = readJson<Partial<TypedState>>(path.join(dir, TYPED_STATE_FILE));
  const log = v?.log;
  if (!v || typeof v.typed !== 'object' || v.typed === null || !log || typeof log.prompt !== 'number' || typeof log.recent !== 'object') {
    const fresh = newActivationLog();
    notePrompt(fresh);
    return { typed: {}, log: fresh };
  }
  return { typed: v.typed, log };
}

function writeTypedState(dir: string, state: TypedState): void {
  ensureDir(dir);
  const file = path.join(dir, TYPED_STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (err) {
    // Disk full: no half-written temp file is left behind.
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** A model activation (PreToolUse of the Skill tool) enters the activation log; best effort. */
function noteHookActivation(ev: HookEvent, ctx: HookContext, skill: string, trigger: 'model'): void {
  try {
    const dir = sessionDir(ctx.dataDir, ev.sessionId);
    const state = readTypedState(dir);
    noteActivation(state.log, skill, trigger);
    writeTypedState(dir, state);
  } catch {
    // only the estimate loses a data point
  }
}

/** Stop: the turn is over, the next event belongs to the next prompt; best effort. */
function notePromptEnd(ev: HookEvent, ctx: HookContext): void {
  try {
    const dir = sessionDir(ctx.dataDir, ev.sessionId);
    const state = readTypedState(dir);
    notePrompt(state.log);
    writeTypedState(dir, state);
  } catch {
    // only the estimate loses a data point
  }
}

/**
 * UserPromptExpansion: the user typed a slash command that expands into a
 * prompt. Payload as documented in the Claude Code hooks reference
 * (https://code.claude.com/docs/en/hooks#userpromptexpansion): the common
 * fields (session_id, transcript_path, cwd, hook_event_name) plus
 * expansion_type ('slash_command' | 'mcp_prompt'), command_name,
 * command_args, command_source and prompt; its matcher is the command name.
 * A slash command that is not built in (command_source other than 'builtin',
 * name not in BUILTIN_COMMANDS) is recorded as `skill:<name>`, trigger
 * 'typed', completed (the expansion happened; the skill's own work is the
 * model's turn), duration unknown (0), with the dedupe key shared with the
 * transcript import and OTLP (typedDedupeKeyFor). MCP prompts are not skills
 * and are not recorded. command_args and prompt are never stored.
 */
function typedActivation(ev: HookEvent, ctx: HookContext): CapturedInvocation[] {
  if (ev.expansionType !== null && ev.expansionType !== 'slash_command') return [];
  if (ev.commandSource === 'builtin' || ev.commandSource === 'mcp') return [];
  const skill = typedSkillName(ev.commandName ?? '');
  if (skill === null) return [];
  const dir = sessionDir(ctx.dataDir, ev.sessionId);
  const state = readTypedState(dir);
  const ordinal = (state.typed[skill] ?? 0) + 1;
  state.typed[skill] = ordinal;
  const afterMiss = noteActivation(state.log, skill, 'typed') === true;
  writeTypedState(dir, state);
  const metadata: Record<string, unknown> = { source: 'hook', tool: 'slash_command', duration_source: 'unknown' };
  if (ev.commandSource) metadata.command_source = cleanText(ev.commandSource, 32);
  return [
    {
      skill_name: skill,
      session_id: ev.sessionId,
      user_id: ctx.userId,
      workflow_phase: phaseFromName(skill),
      completed: true,
      duration_ms: 0,
      error_type: null,
      invoked_at: ctx.now,
      project: projectFromCwd(ev.cwd),
      agent: AGENT_NAME,
      metadata,
      dedupe_key: typedDedupeKeyFor(ev.sessionId, skill, ordinal),
      trigger: 'typed',
      slash_after_miss: afterMiss,
    },
  ];
}

/** Adds the finished call to the session's activity log (session-activity.ts); best effort, never fails the event. */
function keepActivity(ev: HookEvent, ctx: HookContext, side: CallSide): void {
  try {
    appendActivity(sessionDir(ctx.dataDir, ev.sessionId), {
      at: side.at,
      tool: side.tool,
      skill: side.skill_name,
      ok: side.completed === true,
      error_type: side.error_type ?? null,
      files: filesOf(ev.toolInput),
    });
  } catch {
    // the log is a convenience for PreCompact: recording the call matters more
  }
}

/**
 * Writes this side, then looks for the other one. Writing before looking
 * means that of two racing hooks (async hooks may run Post before Pre) at
 * least one sees the other; if both do, both emit the same dedupe key.
 */
function arrive(ev: HookEvent, ctx: HookContext, kind: 'pre' | 'post', side: CallSide): CapturedInvocation[] {
  const dir = sessionDir(ctx.dataDir, ev.sessionId);
  const key = callKey(ev);
  const mine = path.join(dir, `${key}.${kind}.json`);
  const theirs = path.join(dir, `${key}.${kind === 'pre' ? 'post' : 'pre'}.json`);
  ensureDir(dir);
  fs.writeFileSync(mine, JSON.stringify(side), { mode: 0o600 });
  const other = readSide(theirs);
  if (!other) return [];
  settle(ctx, mine, theirs);
  const [pre, post] = kind === 'pre' ? [side, other] : [other, side];
  return [combine(ev.sessionId, key, ctx.userId, pre, post)];
}

/**
 * On Stop / SessionEnd: calls whose other side has not arrived although a
 * whole turn has passed (their time is before the previous Stop) are
 * recorded as they are; newer ones wait, since an async Post hook may still
 * be on its way. Returns the invocations flushed.
 *
 * SessionEnd (`sessionEnd`) also records every Post still without its Pre,
 * whatever its age: no later event would settle it (a session may end with
 * no Stop at all, e.g. after an interrupted turn), and waiting could gain
 * nothing but a `hook_gap` duration, since the Post carries the outcome and
 * Claude Code's duration_ms. A Pre without its Post is not settled early
 * there: with async hooks the Post of the last call (say a tool interrupted
 * by the exit) may start after SessionEnd's process, and a `no_result`
 * recorded first would take the call's dedupe key and hide the real outcome.
 * Such a Pre stays for its Post to pair with as usual; if none comes, the
 * transcript import can still record the call (same dedupe key), the
 * session's next Stop does if it is resumed, and the stale-state sweep
 * removes the file. A Pre that starts even later than its Post and SessionEnd finds no
 * Post and is left to that sweep (with a tool_use_id, settling it later could
 * only repeat the dedupe key already recorded). The work stays one directory
 * read and one small file per leftover call, as on Stop.
 */
function flushLeftovers(sessionId: string, ctx: HookContext, sessionEnd = false): CapturedInvocation[] {
  const dir = sessionDir(ctx.dataDir, sessionId);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const markerFile = path.join(dir, LAST_STOP_FILE);
  const previousStop = readJson<{ at?: unknown }>(markerFile)?.at;
  fs.writeFileSync(markerFile, JSON.stringify({ at: ctx.now }), { mode: 0o600 });
  const before = typeof previousStop === 'number' ? previousStop : Number.NEGATIVE_INFINITY;

  const keys = new Set<string>();
  for (const name of names) {
    const m = /^(.+)\.(pre|post)\.json$/.exec(name);
    if (m) keys.add(m[1]!);
  }
  const out: CapturedInvocation[] = [];
  for (const key of keys) {
    const preFile = path.join(dir, `${key}.pre.json`);
    const postFile = path.join(dir, `${key}.post.json`);
    const pre = readSide(preFile);
    const post = readSide(postFile);
    const at = pre?.at ?? post?.at;
    if (at === undefined) continue;
    // Both sides here: a call paired by a hook killed before it removed them (HookContext.settled); nothing to wait for.
    const paired = pre !== null && post !== null;
    if (!paired && at >= before && !(sessionEnd && post && !pre)) continue;
    settle(ctx, preFile, postFile);
    out.push(combine(sessionId, key, ctx.userId, pre, post));
  }
  return out;
}

/** Removes per-session state left by sessions that ended without SessionEnd. */
export function sweepStaleState(dataDir: string, now: number, maxAgeMs = STALE_STATE_MS): number {
  const root = hooksStateDir(dataDir);
  let removed = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = path.join(root, e.name);
    try {
      if (now - fs.statSync(dir).mtimeMs > maxAgeMs) {
        removeQuietly(dir);
        removed++;
      }
    } catch {
      // raced with another hook: fine
    }
  }
  return removed;
}
