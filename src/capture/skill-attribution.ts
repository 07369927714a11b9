/**
 * Attributes the API calls of one transcript to skills, under two rules,
 * from the events of transcript-pairing.ts (in file order). Each API call
 * (one message.id; the lines of one response repeat it) counts once, with the
 * usage of its line with the most output tokens (fullerUsage: the final count
 * is on the response's last line).
 *
 * stamped — the call's `attributionSkill` field, where present, as Claude
 *   Code wrote it. Its known behaviour: it starts on the call after the Skill
 *   call, stays on every later call of the turn, is inherited by subagents
 *   and clears when a background report returns; so it overstates skills that
 *   hand work off.
 *
 * bounded — the skill's own work:
 *   - A span opens at a Skill tool call on the main thread (not in a subagent).
 *     It covers the main-thread API calls after the one that made the Skill
 *     call (as the stamp does, the requesting call is not the skill's).
 *   - It ends at the first of: the user's next prompt (a prompt event, see
 *     promptOf in transcript-pairing.ts: not a tool result, not meta text such
 *     as the skill's own loaded instructions; a typed built-in command such as
 *     `/review` counts, as what follows answers it); the next Skill call (which opens its own span); or the
 *     return of a subagent (Task/Agent call) that was started outside the
 *     span: what follows is work on that other report. The end of the file is
 *     not an end: the span carries over to the next import of the file.
 *   - Subagent calls (sidechain lines) belong to the span that started the
 *     subagent: a subagent first seen while a Task/Agent call made inside an
 *     open span awaits its result is the span's, for its whole run, even after
 *     the span has ended on the main thread. A subagent started outside any
 *     span (or before the span) is not the skill's. Subagents written to
 *     files of their own are attributed by the stamp only (the call that
 *     started them is in another file).
 *   - Nothing else is attributed: calls outside every span count for no skill.
 *
 * Calls without a usage object, or without a timestamp, are counted and
 * reported, never attributed (no guess). Calls of the placeholder model
 * `<synthetic>` (written for local errors, not API calls) are ignored. A call
 * whose model has no price gets cost null; its tokens still count.
 */
import type { CallTokens, PriceTable } from '../analytics/model-prices.js';
import { callCost } from '../analytics/model-prices.js';
import type { Attribution, AttributedUsage } from '../store/skill-cost-types.js';
import { type CallEvent, MAIN_CHAIN, type TranscriptEvent } from './transcript-pairing.js';

const SUBAGENT_TOOLS = new Set(['Task', 'Agent']);
const SYNTHETIC_MODEL = '<synthetic>';
/**
 * Chains whose place (last response id, owning span) is carried to the next import of the file: the
 * main thread and the subagent chains with the latest responses. A subagent's chain goes quiet once
 * it has reported, and a long session starts thousands of them: all kept, the state (about 70 bytes
 * each) was parsed, rebuilt and written again by every later import of the file (137 KB for the 1 GiB
 * bench tree's biggest file). Far fewer run at once. A chain that speaks again after 64 others have
 * is taken as new: its owner is decided again, from the subagent calls awaiting their result then.
 */
const CARRIED_CHAINS = 64;

interface Span {
  skill: string;
  /** The Skill tool_use id. */
  id: string;
}

/** What the attributor carries from one import of a file to the next (JSON, in the cursor). */
export interface AttributorState {
  open: Span | null;
  /** Last message.id per chain (a response's later lines repeat it), oldest response first: main and at most CARRIED_CHAINS subagent chains. */
  last: Array<[string, string]>;
  /** Subagent calls awaiting their result: tool_use id -> id of the span that made it, or null; the newest CARRIED_CHAINS. */
  agents: Array<[string, string | null]>;
  /** Subagent chains: chain -> the span they belong to, or null; not those of the chains `last` left out. */
  sides: Array<[string, Span | null]>;
  /** Latest Skill call per skill (for stamped calls' invocation). */
  lastUse: Array<[string, string]>;
  /**
   * Per carried chain, its latest response's call as attributed, so that a later line of that response
   * in the next import revises what was recorded (the store takes a row with its key and more output
   * tokens as a revision): [chain, message id, model, time, session, output tokens, its rows as
   * [rule, skill, invocation]]. Absent in states written before.
   */
  recent?: Array<[string, string, string | null, number, string, number, Array<[Attribution, string, string | null]>]>;
}

export interface AttributionCounts {
  /** API calls seen (each message.id once). */
  calls: number;
  /** Calls without a usage object (or timestamp): not attributed. */
  noUsage: number;
  /** Attributed rows whose model has no price. */
  unpriced: number;
  /** Models without a price, as seen. */
  unknownModels: Set<string>;
}

/** A response's call as attributed (SkillAttributor.recent). */
interface RecentCall {
  messageId: string;
  model: string | null;
  /** Output tokens of the usage its rows hold. */
  output: number;
  /** Its rows: this import's (not written yet, revised in place), or those of an earlier import (written). */
  rows: AttributedUsage[];
  written: boolean;
}

function callTokens(usage: NonNullable<CallEvent['usage']>): CallTokens {
  return { input: usage[0], output: usage[1], cacheWrite: usage[2], cacheWrite1h: usage[3], cacheRead: usage[4] };
}

export class SkillAttributor {
  private open: Span | null;
  private readonly last: Map<string, string>;
  private readonly agents: Map<string, string | null>;
  private readonly sides: Map<string, Span | null>;
  private readonly lastUse: Map<string, string>;
  /**
   * Per chain, its latest response's call as attributed: a later line of the same response with more
   * output tokens revises its rows (fullerUsage). This import's rows are not written before the
   * file's read is over, so they are revised in place; an earlier import's are sent again, revised.
   */
  private readonly recent: Map<string, RecentCall>;

  constructor(
    private readonly userHash: string,
    private readonly prices: PriceTable,
    private readonly counts: AttributionCounts,
    state?: AttributorState,
  ) {
    this.open = state?.open ?? null;
    this.last = new Map(state?.last ?? []);
    this.agents = new Map(state?.agents ?? []);
    this.sides = new Map(state?.sides ?? []);
    this.lastUse = new Map(state?.lastUse ?? []);
    this.recent = new Map(
      (state?.recent ?? []).map(([chain, messageId, model, at, sessionKey, output, rows]) => [
        chain,
        {
          messageId,
          model,
          output,
          written: true,
          rows: rows.map(([attribution, skill, invocationId]) => ({
            key: `${messageId}:${attribution}`,
            skill,
            attribution,
            userHash: this.userHash,
            sessionKey,
            model,
            at,
            inputTokens: 0,
            outputTokens: output,
            cacheWriteTokens: 0,
            cacheReadTokens: 0,
            costUsd: null,
            invocationId,
          })),
        },
      ]),
    );
  }

  /** Feeds one event; pushes the attributed rows of a call onto `out`. */
  add(e: TranscriptEvent, out: AttributedUsage[]): void {
    switch (e.k) {
      case 'call':
        this.call(e, out);
        return;
      case 'prompt':
        if (e.chain === MAIN_CHAIN) this.close();
        return;
      case 'use':
        if (e.chain !== MAIN_CHAIN) return;
        if (e.tool === 'Skill') {
          this.close();
          // The call that made it was counted already (its call event comes first
          // and its later lines repeat its message.id): the span starts after it.
          this.open = { skill: e.skillName, id: e.id };
          this.lastUse.set(e.skillName, e.id);
        } else if (SUBAGENT_TOOLS.has(e.tool)) {
          this.agents.set(e.id, this.open?.id ?? null);
        }
        return;
      case 'result': {
        if (!this.agents.has(e.id)) return;
        const madeBy = this.agents.get(e.id);
        this.agents.delete(e.id);
        if (this.open && madeBy !== this.open.id) this.close();
        return;
      }
      default:
        return;
    }
  }

  private close(): void {
    this.open = null;
  }

  private call(e: CallEvent, out: AttributedUsage[]): void {
    if (e.model === SYNTHETIC_MODEL) return;
    if (e.messageId !== null) {
      if (this.last.get(e.chain) === e.messageId) {
        // Another line of the same response: it only revises the usage (its attribution was decided on the first line).
        this.revise(e, out);
        return;
      }
      // Set last: the map's order is that of each chain's latest response (state() keeps the newest).
      this.last.delete(e.chain);
      this.last.set(e.chain, e.messageId);
    }
    this.counts.calls++;
    if (e.usage === null || Number.isNaN(e.at)) {
      this.counts.noUsage++;
      return;
    }
    const tokens = callTokens(e.usage);
    const cost = callCost(this.prices, e.model, tokens);
    const id = e.messageId ?? `${e.sessionId}:${e.chain}:${e.at}`;
    const row = (skill: string, attribution: 'stamped' | 'bounded', invocationId: string | null): AttributedUsage => {
      if (cost === null) {
        this.counts.unpriced++;
        if (e.model !== null && this.counts.unknownModels.size < 50) this.counts.unknownModels.add(e.model);
      }
      return {
        key: `${id}:${attribution}`,
        skill,
        attribution,
        userHash: this.userHash,
        sessionKey: e.sessionId,
        model: e.model,
        at: e.at,
        inputTokens: tokens.input,
        outputTokens: tokens.output,
        cacheWriteTokens: tokens.cacheWrite,
        cacheWrite1hTokens: Math.min(tokens.cacheWrite1h ?? 0, tokens.cacheWrite),
        cacheReadTokens: tokens.cacheRead,
        costUsd: cost,
        invocationId,
      };
    };
    const stamped = e.stamp === null ? null : `skill:${e.stamp.replace(/^\//, '')}`;
    const span = this.spanFor(e);
    if (stamped === null && span === null) return; // nobody's: nothing to revise either
    const rows: AttributedUsage[] = [];
    if (stamped !== null) rows.push(row(stamped, 'stamped', this.lastUse.get(stamped) ?? null));
    if (span) rows.push(row(span.skill, 'bounded', span.id));
    for (const r of rows) out.push(r);
    if (e.messageId === null) return;
    // Kept per chain for the response's later lines (revise); an entry of an older response is never
    // taken for a later one (revise and state() compare the message id), so none is deleted.
    const seen = this.recent.get(e.chain);
    if (seen) {
      seen.messageId = e.messageId;
      seen.model = e.model;
      seen.output = tokens.output;
      seen.rows = rows;
      seen.written = false;
    } else this.recent.set(e.chain, { messageId: e.messageId, model: e.model, output: tokens.output, rows, written: false });
  }

  /**
   * A later line of a response already attributed: with more output tokens, its figures replace those
   * of the response's rows, in place when this import made them, else in copies sent again.
   */
  private revise(e: CallEvent, out: AttributedUsage[]): void {
    const seen = this.recent.get(e.chain);
    if (!seen || seen.messageId !== e.messageId || e.usage === null || e.usage[1] <= seen.output) return;
    const tokens = callTokens(e.usage);
    const cost = callCost(this.prices, seen.model, tokens);
    seen.output = tokens.output;
    if (seen.written) {
      seen.rows = seen.rows.map((r) => ({ ...r }));
      seen.written = false;
      for (const r of seen.rows) out.push(r);
    }
    for (const r of seen.rows) {
      r.inputTokens = tokens.input;
      r.outputTokens = tokens.output;
      r.cacheWriteTokens = tokens.cacheWrite;
      r.cacheWrite1hTokens = Math.min(tokens.cacheWrite1h ?? 0, tokens.cacheWrite);
      r.cacheReadTokens = tokens.cacheRead;
      r.costUsd = cost;
    }
  }

  private spanFor(e: CallEvent): Span | null {
    if (e.chain === MAIN_CHAIN) return this.open;
    if (!this.sides.has(e.chain)) {
      // First call of a subagent: the span of the newest subagent call still awaiting its result.
      let owner: Span | null = null;
      const waiting = [...this.agents.values()];
      const newest = waiting.length > 0 ? waiting[waiting.length - 1]! : null;
      if (newest !== null && this.open && newest === this.open.id) owner = this.open;
      this.sides.set(e.chain, owner);
    }
    return this.sides.get(e.chain) ?? null;
  }

  /** What the next import of the file needs: the open span, and the place of the chains still active (CARRIED_CHAINS). */
  state(): AttributorState {
    let last = [...this.last.entries()];
    let sides = [...this.sides.entries()];
    const subagents = last.filter(([chain]) => chain !== MAIN_CHAIN);
    if (subagents.length > CARRIED_CHAINS) {
      const quiet = new Set(subagents.slice(0, subagents.length - CARRIED_CHAINS).map(([chain]) => chain));
      last = last.filter(([chain]) => !quiet.has(chain));
      sides = sides.filter(([chain]) => !quiet.has(chain));
    }
    const recent: NonNullable<AttributorState['recent']> = [];
    for (const [chain, messageId] of last) {
      const c = this.recent.get(chain);
      if (!c || c.messageId !== messageId || c.rows.length === 0) continue;
      const r0 = c.rows[0]!;
      recent.push([chain, c.messageId, c.model, r0.at, r0.sessionKey, c.output, c.rows.map((r) => [r.attribution, r.skill, r.invocationId ?? null])]);
    }
    return {
      open: this.open,
      last,
      agents: [...this.agents.entries()].slice(-CARRIED_CHAINS),
      sides,
      lastUse: [...this.lastUse.entries()],
      recent,
    };
  }
}
