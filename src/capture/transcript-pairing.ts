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
 * Lines of other types are valid and ignored. A line is malformed when it is
 * not a JSON object, or when a tool block in it lacks its id, name or a
 * parseable timestamp.
 */
import path from 'node:path';
import type { WorkflowPhase } from '../tracking/invocation-input.js';
import { contentText } from './hook-event.js';
import {
  AGENT_NAME,
  clampDuration,
  classifyError,
  cleanText,
  dedupeKeyFor,
  phaseFor,
  projectFromCwd,
  skillNameFor,
} from './tool-mapping.js';
import type { CapturedInvocation } from './types.js';

interface ToolUse {
  id: string;
  tool: string;
  skillName: string;
  phase: WorkflowPhase;
  at: number;
  sessionId: string;
  project: string | null;
  chain: string;
  /** Index of the assistant message (within its chain) that made the call. */
  messageSeq: number;
  sidechain: boolean;
}

interface ToolResult {
  at: number;
  isError: boolean;
  text: string;
}

interface ChainState {
  seq: number;
  lastMessageId: string | null;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
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

  /**
   * @param fallbackSessionId used when a line has no sessionId (the file name stem).
   */
  constructor(
    private readonly userId: string,
    private readonly fallbackSessionId: string,
  ) {}

  /** Session id from a transcript file name: `<session-uuid>.jsonl`. */
  static sessionIdFromPath(file: string): string {
    return path.basename(file).replace(/\.jsonl$/i, '');
  }

  /** Feeds one decoded line. Returns false when the line is malformed. */
  addLine(line: unknown): boolean {
    if (!isObject(line)) return false;
    if (line.type !== 'assistant' && line.type !== 'user') return true;
    const message = line.message;
    const content = isObject(message) ? message.content : undefined;
    if (!Array.isArray(content)) return true; // plain text message
    const at = typeof line.timestamp === 'string' ? Date.parse(line.timestamp) : Number.NaN;
    const chain = line.isSidechain === true ? `side:${typeof line.agentId === 'string' ? line.agentId : ''}` : 'main';
    let ok = true;

    if (line.type === 'assistant') {
      const state = this.chainState(chain, isObject(message) && typeof message.id === 'string' ? message.id : null);
      for (const block of content) {
        if (!isObject(block) || block.type !== 'tool_use') continue;
        if (typeof block.id !== 'string' || block.id === '' || typeof block.name !== 'string' || block.name === '' || Number.isNaN(at)) {
          ok = false;
          continue;
        }
        if (this.uses.has(block.id)) continue;
        const sessionId = typeof line.sessionId === 'string' && line.sessionId !== '' ? line.sessionId : this.fallbackSessionId;
        this.uses.set(block.id, {
          id: block.id,
          tool: cleanText(block.name, 128),
          skillName: skillNameFor(block.name, block.input),
          phase: phaseFor(block.name, block.input),
          at,
          sessionId: cleanText(sessionId, 128),
          project: projectFromCwd(line.cwd),
          chain,
          messageSeq: state.seq,
          sidechain: line.isSidechain === true,
        });
      }
      return ok;
    }

    for (const block of content) {
      if (!isObject(block) || block.type !== 'tool_result') continue;
      if (typeof block.tool_use_id !== 'string' || block.tool_use_id === '' || Number.isNaN(at)) {
        ok = false;
        continue;
      }
      if (this.results.has(block.tool_use_id)) continue;
      const isError = block.is_error === true;
      this.results.set(block.tool_use_id, { at, isError, text: isError ? contentText(block.content) : '' });
    }
    return ok;
  }

  private chainState(chain: string, messageId: string | null): ChainState {
    let state = this.chains.get(chain);
    if (!state) {
      state = { seq: 0, lastMessageId: messageId };
      this.chains.set(chain, state);
      return state;
    }
    // Lines of one API response share message.id; a new id is a new message.
    if (messageId === null || messageId !== state.lastMessageId) {
      state.seq++;
      state.lastMessageId = messageId;
    }
    return state;
  }

  /** Pairs everything fed so far. `settled`: the transcript will not grow any more. */
  finish(settled: boolean): PairingOutcome {
    const invocations: CapturedInvocation[] = [];
    let pending = 0;
    for (const use of this.uses.values()) {
      const result = this.results.get(use.id);
      if (!result) {
        const superseded = (this.chains.get(use.chain)?.seq ?? 0) > use.messageSeq;
        if (!settled && !superseded) {
          pending++;
          continue;
        }
      }
      const metadata: Record<string, unknown> = { source: 'transcript', tool: use.tool };
      if (use.sidechain) metadata.sidechain = true;
      invocations.push({
        skill_name: use.skillName,
        session_id: use.sessionId,
        user_id: this.userId,
        workflow_phase: use.phase,
        completed: result ? !result.isError : false,
        duration_ms: result ? clampDuration(result.at - use.at) : 0,
        error_type: !result ? 'no_result' : result.isError ? classifyError(result.text) : null,
        invoked_at: use.at,
        project: use.project,
        agent: AGENT_NAME,
        metadata,
        dedupe_key: dedupeKeyFor(use.id),
      });
    }
    return { invocations, pending };
  }
}
