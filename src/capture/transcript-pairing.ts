/**
 * Pairs tool_use blocks with their tool_result blocks in one Claude Code
 * transcript (one JSON object per line, as written under
 * ~/.claude/projects/<project>/<session>.jsonl).
 *
 * Used line fields: type ('assistant' | 'user'), sessionId, timestamp (ISO),
 * cwd, isSidechain, agentId, message.id, message.content[]. Assistant content
 * holds `{type:'tool_use', id, name, input}`; user content holds
 * `{type:'tool_result', tool_use_id, content, is_error}`.
 *
 * Outcome per tool_use:
 *   result, is_error not true -> completed, duration = result time − use time
 *   result, is_error true     -> failed, error_type from the result text
 *   no result, transcript over -> failed, error_type `no_result`, duration 0
 *   no result, may still come  -> not recorded (`pending`), so a later import
 *                                 can record the real outcome
 * "Over" means the file is settled (not modified for a while) or the same
 * chain already has a later assistant message: the API cannot continue past a
 * tool_use without its result, so that result will never be written. Not in
 * the chain of sidechain lines without agentId (older files), where several
 * subagents write in parallel: there only the file settling ends a call.
 *
 * Typed skills: a user prompt line holding `<command-name>/x</command-name>`
 * (a slash command the user typed; see promptOf) is recorded at once as
 * `skill:x`, trigger 'typed', with the dedupe key the hook uses
 * (typedDedupeKeyFor: the per-session, per-skill ordinal); Skill tool calls
 * carry trigger 'model'. User prompts are numbered per session for the
 * slash-after-miss estimate (analytics/skill-misses.ts).
 *
 * Lines of other types are valid and ignored. A line is malformed when it is
 * not a JSON object, or when a tool block in it lacks its id, name or a
 * parseable timestamp.
 *
 * Decoding a line (its LineTuple, then `EventDecoder`, run in the scan workers)
 * is separate from pairing (`TranscriptPairer`): a line becomes a few small
 * events, and the pairer's state (calls still waiting for their result, and
 * the message position of each chain) can be saved with the file's import
 * cursor and restored when the file has grown.
 */
import path from 'node:path';
import type { WorkflowPhase } from '../tracking/invocation-input.js';
import { contentText } from './hook-event.js';
import { parseTime } from './iso-time.js';
import { type ActivationLog, newActivationLog, noteActivation, notePrompt } from '../analytics/skill-misses.js';
import {
  AGENT_NAME,
  clampDuration,
  classifyError,
  cleanText,
  commandNameInText,
  dedupeKeyFor,
  phaseFor,
  phaseFromName,
  projectFromCwd,
  skillNameFor,
  typedDedupeKeyFor,
  typedSkillName,
} from './tool-mapping.js';
import type { CapturedInvocation } from './types.js';

/** The chain of the main conversation's lines; a subagent's is `side:<agentId>`. */
export const MAIN_CHAIN = 'main';
/** The chain of sidechain lines without agentId (older files), whichever subagent wrote them. */
const ANONYMOUS_SIDECHAIN = 'side:';

/** A tool call as decoded from an assistant line. */
interface ToolUseEvent {
  k: 'use';
  id: string;
  tool: string;
  skillName: string;
  phase: WorkflowPhase;
  at: number;
  sessionId: string;
  project: string | null;
  chain: string;
}

/** A tool result as decoded from a user line; the error class is computed from its text. */
interface ToolResultEvent {
  k: 'result';
  id: string;
  at: number;
  isError: boolean;
  errorType: string | null;
}

/** An assistant line with a content array: moves its chain on when its message.id is new. */
interface MessageEvent {
  k: 'msg';
  chain: string;
  messageId: string | null;
}

/**
 * An assistant API call, for skill costs (only when costs are decoded): one
 * per line, so the lines of one response repeat it (same messageId; see
 * fullerUsage for which line's usage counts).
 * `usage`: [input, output, cache write, of which 1-hour, cache read], or null
 * when the line has no usable usage object.
 */
export interface CallEvent {
  k: 'call';
  chain: string;
  messageId: string | null;
  model: string | null;
  at: number;
  sessionId: string;
  /** The line's `attributionSkill`, or null. */
  stamp: string | null;
  usage: [number, number, number, number, number] | null;
}

/**
 * Of two lines of one response, the usage that counts. Claude Code writes a
 * line per content block (thinking, text, each tool_use), each repeating the
 * response's message.id and usage; while the response streams, the usage of
 * the early lines holds a placeholder output count (often 1), and only the
 * last line holds the final one. Input and cache counts are the same on every
 * line. So the usage with more output tokens counts (the later on a tie).
 */
export function fullerUsage(earlier: CallEvent['usage'], later: CallEvent['usage']): CallEvent['usage'] {
  if (later === null) return earlier;
  if (earlier === null) return later;
  return later[1] >= earlier[1] ? later : earlier;
}

/**
 * A user prompt of the main chain (what the user sent to the model). With
 * `command`, the prompt is a typed slash command that activates that skill
 * (stored name, `skill:<name>`). With `builtin`, it is a built-in command or
 * an MCP prompt the user typed: no skill, and no prompt for the
 * slash-after-miss log, but what follows answers it (`/review`, `/init` and
 * MCP prompts send the model a request, written as an `isMeta` line), so it
 * ends a skill's span (skill-attribution.ts) as a prompt does.
 */
interface PromptEvent {
  k: 'prompt';
  chain: string;
  sessionId: string;
  at: number;
  project: string | null;
  command: string | null;
  builtin: boolean;
}

export type TranscriptEvent = ToolUseEvent | ToolResultEvent | MessageEvent | CallEvent | PromptEvent;

/** Per-session state of typed skills: the ordinal per skill (dedupe key) and the slash-after-miss log. */
interface TypedSessionState {
  typed: Record<string, number>;
  log: ActivationLog;
}

interface ToolUse extends ToolUseEvent {
  /** Index of the assistant message (within its chain) that made the call. */
  messageSeq: number;
}

interface ToolResult {
  at: number;
  isError: boolean;
  errorType: string | null;
}

interface ChainState {
  seq: number;
  lastMessageId: string | null;
}

/** What a pairer carries from one import of a file to the next (JSON). */
export interface PairerState {
  uses: ToolUse[];
  chains: Array<[string, ChainState]>;
  /** Typed skills per session (absent in states saved before typed skills were read). */
  typed?: Array<[string, TypedSessionState]>;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * What pairing reads of an assistant or user line, by position: the form the native scanner writes
 * (native/transcript_scan.cc: no keys, so half the text to parse), and `lineTuple` makes of a decoded
 * line. A field absent from the line is null (pairing reads null and absent alike):
 *   [0] the line's index within the scanner's call (0 from lineTuple);
 *   [1] 1 assistant, 2 user;
 *   [2] timestamp, [3] sessionId, [4] cwd, [5] isSidechain, [6] agentId, [7] attributionSkill,
 *       [8] isMeta, [9] isCompactSummary;
 *   [10] message: null (absent, or not an object) or [id, model, usage, content].
 * usage: null (absent, or not an object) or [input_tokens, output_tokens, cache_creation_input_tokens,
 * cache_creation.ephemeral_1h_input_tokens, cache_read_input_tokens], each null where absent.
 * content: null (absent, or neither a string nor an array), a string (its first 4 KiB), or the
 * blocks: [1, id, name, input] tool_use (input: its TOOL_INPUT_KEYS members, null when it is not an
 * object); [2, tool_use_id, is_error, content] tool_result (content only when is_error is true: its
 * first 16 KiB); [3, text] text (the text's first 4 KiB, in user lines only); [4] image; [0]
 * another object; 0 a block that is not an object.
 */
export type LineTuple = [
  index: number,
  type: 1 | 2,
  timestamp: unknown,
  sessionId: unknown,
  cwd: unknown,
  isSidechain: unknown,
  agentId: unknown,
  attributionSkill: unknown,
  isMeta: unknown,
  isCompactSummary: unknown,
  message: MessageTuple | null,
];
type MessageTuple = [id: unknown, model: unknown, usage: UsageTuple | null, content: unknown];
type UsageTuple = [input: unknown, output: unknown, cacheWrite: unknown, cacheWrite1h: unknown, cacheRead: unknown];
type BlockTuple = 0 | [0] | [1, unknown, unknown, unknown] | [2, unknown, unknown, unknown] | [3, unknown?] | [4];

const nul = (v: unknown): unknown => (v === undefined ? null : v);
/** No value seen yet (EventDecoder). */
const UNSET = Symbol('unset');

/** The tuple of a decoded line (JSON.parse or reduceLine); null for a line of another type; undefined when it is not an object. */
export function lineTuple(line: unknown): LineTuple | null | undefined {
  if (!isObject(line)) return undefined;
  const type = line.type === 'assistant' ? 1 : line.type === 'user' ? 2 : 0;
  if (type === 0) return null;
  const m = line.message;
  let message: MessageTuple | null = null;
  if (isObject(m)) {
    const c = m.content;
    const content = typeof c === 'string' ? c : Array.isArray(c) ? c.map((b) => blockTuple(b, type === 2)) : null;
    const u = m.usage;
    const usage: UsageTuple | null = isObject(u)
      ? [
          nul(u.input_tokens),
          nul(u.output_tokens),
          nul(u.cache_creation_input_tokens),
          isObject(u.cache_creation) ? nul(u.cache_creation.ephemeral_1h_input_tokens) : null,
          nul(u.cache_read_input_tokens),
        ]
      : null;
    message = [nul(m.id), nul(m.model), usage, content];
  }
  return [
    0,
    type,
    nul(line.timestamp),
    nul(line.sessionId),
    nul(line.cwd),
    nul(line.isSidechain),
    nul(line.agentId),
    nul(line.attributionSkill),
    nul(line.isMeta),
    nul(line.isCompactSummary),
    message,
  ];
}

function blockTuple(b: unknown, userLine: boolean): BlockTuple {
  if (!isObject(b)) return 0;
  if (b.type === 'tool_use') return [1, nul(b.id), nul(b.name), isObject(b.input) ? b.input : null];
  if (b.type === 'tool_result') return [2, nul(b.tool_use_id), nul(b.is_error), b.is_error === true ? nul(b.content) : null];
  if (b.type === 'text') return userLine ? [3, nul(b.text)] : [3];
  return b.type === 'image' ? [4] : [0];
}

/**
 * The events of one decoded line, and whether the line is well-formed.
 * `fallbackSessionId` is used when the line has no sessionId.
 */
export function eventsFromLine(line: unknown, fallbackSessionId: string, costs = false): { events: TranscriptEvent[]; ok: boolean } {
  const events: TranscriptEvent[] = [];
  const t = lineTuple(line);
  if (t === undefined) return { events, ok: false };
  if (t === null) return { events, ok: true };
  return { events, ok: new EventDecoder(fallbackSessionId, costs).decode(t, events) };
}

/**
 * Turns line tuples into events. Consecutive lines mostly repeat their session, working directory
 * and model: what is derived from those (cleaned, the project's name) is kept from the line before
 * when the raw value is the same.
 */
export class EventDecoder {
  private lastSessionRaw: unknown = UNSET;
  private lastSession = '';
  private lastCwdRaw: unknown = UNSET;
  private lastProject: string | null = null;
  private lastModelRaw: unknown = UNSET;
  private lastModel: string | null = null;

  constructor(
    private readonly fallbackSessionId: string,
    private readonly costs: boolean,
  ) {}

  /** Appends the events of `t` to `events`; false when the line is malformed (a tool block without id, name or timestamp). */
  decode(t: LineTuple, events: TranscriptEvent[]): boolean {
    const assistant = t[1] === 1;
    const message = t[10];
    const content = message === null ? null : message[3];
    const at = typeof t[2] === 'string' ? parseTime(t[2]) : Number.NaN;
    const chain = t[5] === true ? `side:${typeof t[6] === 'string' ? t[6] : ''}` : MAIN_CHAIN;
    if (!assistant) {
      const prompt = this.promptOf(t, content, chain, at);
      if (prompt) events.push(prompt);
    } else if (this.costs && message !== null) {
      events.push(this.callEvent(t, message, chain, at));
    }
    if (!Array.isArray(content)) return true; // plain text message
    const blocks = content as BlockTuple[];
    let ok = true;
    if (assistant) {
      events.push({ k: 'msg', chain, messageId: typeof message![0] === 'string' ? message![0] : null });
      for (const b of blocks) {
        if (b === 0 || b[0] !== 1) continue;
        const id = b[1];
        const name = b[2];
        if (typeof id !== 'string' || id === '' || typeof name !== 'string' || name === '' || Number.isNaN(at)) {
          ok = false;
          continue;
        }
        const input = b[3];
        events.push({
          k: 'use',
          id,
          tool: cleanText(name, 128),
          skillName: skillNameFor(name, input),
          phase: phaseFor(name, input),
          at,
          sessionId: this.session(t[3]),
          project: this.project(t[4]),
          chain,
        });
      }
      return ok;
    }
    for (const b of blocks) {
      if (b === 0 || b[0] !== 2) continue;
      const id = b[1];
      if (typeof id !== 'string' || id === '' || Number.isNaN(at)) {
        ok = false;
        continue;
      }
      const isError = b[2] === true;
      events.push({ k: 'result', id, at, isError, errorType: isError ? classifyError(contentText(b[3])) : null });
    }
    return ok;
  }

  /** The line's session id, cleaned (the file's when absent). */
  private session(raw: unknown): string {
    if (raw !== this.lastSessionRaw) {
      this.lastSessionRaw = raw;
      this.lastSession = cleanText(typeof raw === 'string' && raw !== '' ? raw : this.fallbackSessionId, 128);
    }
    return this.lastSession;
  }

  private project(cwd: unknown): string | null {
    if (cwd !== this.lastCwdRaw) {
      this.lastCwdRaw = cwd;
      this.lastProject = projectFromCwd(cwd);
    }
    return this.lastProject;
  }

  private model(raw: unknown): string | null {
    if (raw !== this.lastModelRaw) {
      this.lastModelRaw = raw;
      this.lastModel = typeof raw === 'string' && raw !== '' ? cleanText(raw, 128) : null;
    }
    return this.lastModel;
  }

  /**
   * The user prompt a user line holds, if any. A prompt is a main-chain user
   * line that is not `isMeta` (context Claude Code injects, such as the
   * expanded text of a skill) or `isCompactSummary`, whose content is text (a
   * string or text/image blocks) and holds no tool_result. A typed slash
   * command is written as such a line with `<command-name>/x</command-name>`
   * (commandNameInText); a built-in command (BUILTIN_COMMANDS) or an MCP
   * prompt is one with `builtin` set; their `<local-command-stdout>` output is
   * not a prompt, and neither is the "[Request interrupted by user]" marker.
   */
  private promptOf(t: LineTuple, content: unknown, chain: string, at: number): PromptEvent | null {
    if (chain !== MAIN_CHAIN || t[8] === true || t[9] === true || Number.isNaN(at)) return null;
    let text: string;
    if (typeof content === 'string') text = content;
    else if (Array.isArray(content) && content.length > 0) {
      const blocks = content as BlockTuple[];
      if (blocks.some((b) => b === 0 || (b[0] !== 3 && b[0] !== 4))) return null;
      const first = blocks[0] as [3, unknown?] | [4];
      text = first[0] === 3 && typeof first[1] === 'string' ? first[1] : '';
    } else return null;
    const head = text.trimStart();
    if (head.startsWith('<local-command-') || head.startsWith('[Request interrupted')) return null;
    const typed = commandNameInText(head);
    const command = typed === null ? null : typedSkillName(typed);
    // typedSkillName is null for a built-in command or an MCP prompt.
    return { k: 'prompt', chain, sessionId: this.session(t[3]), at, project: this.project(t[4]), command, builtin: typed !== null && command === null };
  }

  /** The call event of an assistant line (see CallEvent). */
  private callEvent(t: LineTuple, message: MessageTuple, chain: string, at: number): CallEvent {
    const u = message[2];
    const usage: CallEvent['usage'] =
      u !== null && typeof u[0] === 'number' && typeof u[1] === 'number' ? [count(u[0]), count(u[1]), count(u[2]), count(u[3]), count(u[4])] : null;
    const stamp = t[7];
    return {
      k: 'call',
      chain,
      messageId: typeof message[0] === 'string' && message[0] !== '' ? message[0] : null,
      model: this.model(message[1]),
      at,
      sessionId: this.session(t[3]),
      stamp: typeof stamp === 'string' && stamp !== '' ? cleanText(stamp, 200) : null,
      usage,
    };
  }
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
}

export interface PairingOutcome {
  invocations: CapturedInvocation[];
  /** tool_use blocks with no result yet in a transcript that may still grow. */
  pending: number;
}

export class TranscriptPairer {
  private readonly uses = new Map<string, ToolUse>();
  private readonly results = new Map<string, ToolResult>();
  private readonly chains = new Map<string, ChainState>();
  private readonly typed = new Map<string, TypedSessionState>();
  private readonly typedOut: CapturedInvocation[] = [];

  /**
   * @param fallbackSessionId used when a line has no sessionId (the file name stem).
   * @param state what an earlier import of the same file left (see `state()`).
   */
  constructor(
    private readonly userId: string,
    private readonly fallbackSessionId: string,
    state?: PairerState,
  ) {
    for (const u of state?.uses ?? []) this.uses.set(u.id, u);
    for (const [chain, s] of state?.chains ?? []) this.chains.set(chain, { ...s });
    for (const [session, t] of state?.typed ?? []) this.typed.set(session, t);
  }

  private typedState(sessionId: string): TypedSessionState {
    let t = this.typed.get(sessionId);
    if (!t) {
      t = { typed: {}, log: newActivationLog() };
      this.typed.set(sessionId, t);
    }
    return t;
  }

  /**
   * A user prompt: the next prompt of its session for the slash-after-miss
   * log; a typed skill is recorded right away (it has no result to wait for)
   * under the dedupe key shared with the hook (typedDedupeKeyFor).
   */
  private addPrompt(e: PromptEvent): void {
    if (e.builtin) return;
    const t = this.typedState(e.sessionId);
    notePrompt(t.log);
    if (e.command === null) return;
    const ordinal = (t.typed[e.command] ?? 0) + 1;
    t.typed[e.command] = ordinal;
    const afterMiss = noteActivation(t.log, e.command, 'typed') === true;
    this.typedOut.push({
      skill_name: e.command,
      session_id: e.sessionId,
      user_id: this.userId,
      workflow_phase: phaseFromName(e.command),
      completed: true,
      duration_ms: 0,
      error_type: null,
      invoked_at: e.at,
      project: e.project,
      agent: AGENT_NAME,
      metadata: { source: 'transcript', tool: 'slash_command' },
      dedupe_key: typedDedupeKeyFor(e.sessionId, e.command, ordinal),
      trigger: 'typed',
      slash_after_miss: afterMiss,
    });
  }

  /** Session id from a transcript file name: `<session-uuid>.jsonl`. */
  static sessionIdFromPath(file: string): string {
    return path.basename(file).replace(/\.jsonl$/i, '');
  }

  /** Feeds one decoded line. Returns false when the line is malformed. */
  addLine(line: unknown): boolean {
    const { events, ok } = eventsFromLine(line, this.fallbackSessionId);
    for (const e of events) this.addEvent(e);
    return ok;
  }

  addEvent(e: TranscriptEvent): void {
    if (e.k === 'call') return; // skill costs (skill-attribution.ts)
    if (e.k === 'prompt') {
      this.addPrompt(e);
    } else if (e.k === 'msg') {
      this.advanceChain(e.chain, e.messageId);
    } else if (e.k === 'use') {
      if (this.uses.has(e.id)) return;
      // Fields listed, not spread: an object spread costs about ten times as much, once per call.
      const { k, id, tool, skillName, phase, at, sessionId, project, chain } = e;
      this.uses.set(id, { k, id, tool, skillName, phase, at, sessionId, project, chain, messageSeq: this.chains.get(chain)?.seq ?? 0 });
      if (e.tool === 'Skill') noteActivation(this.typedState(e.sessionId).log, e.skillName, 'model');
    } else if (!this.results.has(e.id)) {
      this.results.set(e.id, { at: e.at, isError: e.isError, errorType: e.errorType });
    }
  }

  private advanceChain(chain: string, messageId: string | null): void {
    const state = this.chains.get(chain);
    if (!state) {
      this.chains.set(chain, { seq: 0, lastMessageId: messageId });
      return;
    }
    // Lines of one API response share message.id; a new id is a new message.
    if (messageId === null || messageId !== state.lastMessageId) {
      state.seq++;
      state.lastMessageId = messageId;
    }
  }

  /**
   * Pairs everything fed so far. `settled`: the transcript will not grow any
   * more. Calls returned (and results used) are forgotten; calls still pending
   * stay, for `state()` and a later `finish`.
   */
  finish(settled: boolean): PairingOutcome {
    const invocations: CapturedInvocation[] = this.typedOut.splice(0);
    let pending = 0;
    for (const use of [...this.uses.values()]) {
      const result = this.results.get(use.id);
      if (!result) {
        // Sidechain lines without agentId (older files) share one chain, however many subagents write
        // them in parallel: another's message there ends nothing; such a call waits for the file to settle.
        const superseded = use.chain !== ANONYMOUS_SIDECHAIN && (this.chains.get(use.chain)?.seq ?? 0) > use.messageSeq;
        if (!settled && !superseded) {
          pending++;
          continue;
        }
      }
      this.uses.delete(use.id);
      const metadata: Record<string, unknown> = { source: 'transcript', tool: use.tool };
      if (use.chain !== MAIN_CHAIN) metadata.sidechain = true;
      // A call that never reported back has no duration (stored as 0, not measured), as the hook says of it.
      if (!result) metadata.duration_source = 'unknown';
      // One shape for every invocation, `trigger` added after it: a conditional spread in front of
      // the fields cost about 4 µs per invocation (V8 copies it, then adds each field one by one).
      const invocation: CapturedInvocation = {
        skill_name: use.skillName,
        session_id: use.sessionId,
        user_id: this.userId,
        workflow_phase: use.phase,
        completed: result ? !result.isError : false,
        duration_ms: result ? clampDuration(result.at - use.at) : 0,
        error_type: !result ? 'no_result' : result.isError ? result.errorType : null,
        invoked_at: use.at,
        project: use.project,
        agent: AGENT_NAME,
        metadata,
        dedupe_key: dedupeKeyFor(use.id),
      };
      if (use.tool === 'Skill') invocation.trigger = 'model';
      invocations.push(invocation);
    }
    // A result whose call is not (or no longer) known cannot be paired later either.
    this.results.clear();
    return { invocations, pending };
  }

  /**
   * The state to carry to the next import of the same file (after `finish`: the calls still
   * pending). Only the chains of pending calls are kept: a chain's position serves only to tell
   * whether a pending call of it was superseded, and positions are compared within one chain,
   * a call's against its own chain's. A chain left out starts again from 0 if it goes on, and its
   * new calls compare with its new positions as they would have with the old ones. Without this,
   * the state of a long session kept every subagent chain it ever had (1,954 of them, 156 KB, in
   * the bench's 520 MiB file), parsed and written again on every import that reads the file.
   */
  state(): PairerState {
    const pendingChains = new Set<string>();
    for (const u of this.uses.values()) pendingChains.add(u.chain);
    const chains: Array<[string, ChainState]> = [];
    for (const entry of this.chains) if (pendingChains.has(entry[0])) chains.push(entry);
    return { uses: [...this.uses.values()], chains, typed: [...this.typed.entries()] };
  }
}
