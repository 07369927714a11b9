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
 * tool_use without its result, so that result will never be written.
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
 * Decoding a line (`eventsFromLine`, run in the scan workers) is separate from
 * pairing (`TranscriptPairer`, on the main thread): a line becomes a few small
 * events, and the pairer's state (calls still waiting for their result, and
 * the message position of each chain) can be saved with the file's import
 * cursor and restored when the file has grown.
 */
import path from 'node:path';
import type { WorkflowPhase } from '../tracking/invocation-input.js';
import { contentText } from './hook-event.js';
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
 * per line, so the lines of one response repeat it (same messageId).
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
 * A user prompt of the main chain (what the user sent to the model). With
 * `command`, the prompt is a typed slash command that activates that skill
 * (stored name, `skill:<name>`).
 */
interface PromptEvent {
  k: 'prompt';
  chain: string;
  sessionId: string;
  at: number;
  project: string | null;
  command: string | null;
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
 * The events of one decoded line, and whether the line is well-formed.
 * `fallbackSessionId` is used when the line has no sessionId.
 */
export function eventsFromLine(line: unknown, fallbackSessionId: string, costs = false): { events: TranscriptEvent[]; ok: boolean } {
  const events: TranscriptEvent[] = [];
  if (!isObject(line)) return { events, ok: false };
  if (line.type !== 'assistant' && line.type !== 'user') return { events, ok: true };
  const message = line.message;
  const content = isObject(message) ? message.content : undefined;
  const at = typeof line.timestamp === 'string' ? Date.parse(line.timestamp) : Number.NaN;
  const chain = line.isSidechain === true ? `side:${typeof line.agentId === 'string' ? line.agentId : ''}` : 'main';
  if (line.type === 'user') {
    const prompt = promptOf(line, content, chain, at, fallbackSessionId);
    if (prompt) events.push(prompt);
  }
  if (costs) costEvents(line, message, chain, at, fallbackSessionId, events);
  if (!Array.isArray(content)) return { events, ok: true }; // plain text message
  let ok = true;

  if (line.type === 'assistant') {
    events.push({ k: 'msg', chain, messageId: isObject(message) && typeof message.id === 'string' ? message.id : null });
    for (const block of content) {
      if (!isObject(block) || block.type !== 'tool_use') continue;
      if (typeof block.id !== 'string' || block.id === '' || typeof block.name !== 'string' || block.name === '' || Number.isNaN(at)) {
        ok = false;
        continue;
      }
      const sessionId = typeof line.sessionId === 'string' && line.sessionId !== '' ? line.sessionId : fallbackSessionId;
      events.push({
        k: 'use',
        id: block.id,
        tool: cleanText(block.name, 128),
        skillName: skillNameFor(block.name, block.input),
        phase: phaseFor(block.name, block.input),
        at,
        sessionId: cleanText(sessionId, 128),
        project: projectFromCwd(line.cwd),
        chain,
      });
    }
    return { events, ok };
  }

  for (const block of content) {
    if (!isObject(block) || block.type !== 'tool_result') continue;
    if (typeof block.tool_use_id !== 'string' || block.tool_use_id === '' || Number.isNaN(at)) {
      ok = false;
      continue;
    }
    const isError = block.is_error === true;
    events.push({ k: 'result', id: block.tool_use_id, at, isError, errorType: isError ? classifyError(contentText(block.content)) : null });
  }
  return { events, ok };
}

/**
 * The user prompt a user line holds, if any. A prompt is a main-chain user
 * line that is not `isMeta` (context Claude Code injects, such as the
 * expanded text of a skill) or `isCompactSummary`, whose content is text (a
 * string or text/image blocks) and holds no tool_result. A typed slash
 * command is written as such a line with `<command-name>/x</command-name>`
 * (commandNameInText); built-in commands (BUILTIN_COMMANDS) and their
 * `<local-command-stdout>` output are not prompts to the model, and neither
 * is the "[Request interrupted by user]" marker.
 */
function promptOf(line: Json, content: unknown, chain: string, at: number, fallbackSessionId: string): PromptEvent | null {
  if (chain !== 'main' || line.isMeta === true || line.isCompactSummary === true || Number.isNaN(at)) return null;
  let text: string;
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content) && content.length > 0) {
    if (content.some((b) => !isObject(b) || (b.type !== 'text' && b.type !== 'image'))) return null;
    const first = content[0] as Json;
    text = typeof first.text === 'string' ? first.text : '';
  } else return null;
  const head = text.trimStart();
  if (head.startsWith('<local-command-') || head.startsWith('[Request interrupted')) return null;
  const sessionId = cleanText(typeof line.sessionId === 'string' && line.sessionId !== '' ? line.sessionId : fallbackSessionId, 128);
  const typed = commandNameInText(head);
  let command: string | null = null;
  if (typed !== null) {
    command = typedSkillName(typed);
    if (command === null) return null; // a built-in command or an MCP prompt
  }
  return { k: 'prompt', chain, sessionId, at, project: projectFromCwd(line.cwd), command };
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
}

/** The call event of an assistant line (see CallEvent). */
function costEvents(line: Json, message: unknown, chain: string, at: number, fallbackSessionId: string, events: TranscriptEvent[]): void {
  if (line.type !== 'assistant' || !isObject(message)) return;
  const u = message.usage;
  const usage: CallEvent['usage'] =
    isObject(u) && typeof u.input_tokens === 'number' && typeof u.output_tokens === 'number'
      ? [
          count(u.input_tokens),
          count(u.output_tokens),
          count(u.cache_creation_input_tokens),
          isObject(u.cache_creation) ? count(u.cache_creation.ephemeral_1h_input_tokens) : 0,
          count(u.cache_read_input_tokens),
        ]
      : null;
  const sessionId = typeof line.sessionId === 'string' && line.sessionId !== '' ? line.sessionId : fallbackSessionId;
  events.push({
    k: 'call',
    chain,
    messageId: typeof message.id === 'string' && message.id !== '' ? message.id : null,
    model: typeof message.model === 'string' && message.model !== '' ? cleanText(message.model, 128) : null,
    at,
    sessionId: cleanText(sessionId, 128),
    stamp: typeof line.attributionSkill === 'string' && line.attributionSkill !== '' ? cleanText(line.attributionSkill, 200) : null,
    usage,
  });
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
        const superseded = (this.chains.get(use.chain)?.seq ?? 0) > use.messageSeq;
        if (!settled && !superseded) {
          pending++;
          continue;
        }
      }
      this.uses.delete(use.id);
      const metadata: Record<string, unknown> = { source: 'transcript', tool: use.tool };
      if (use.chain !== 'main') metadata.sidechain = true;
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

  /** The state to carry to the next import of the same file. */
  state(): PairerState {
    return { uses: [...this.uses.values()], chains: [...this.chains.entries()], typed: [...this.typed.entries()] };
  }
}
