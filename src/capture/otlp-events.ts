/**
 * Claude Code's telemetry events (OTLP log records) to what Session Buddy
 * stores. Pure: no I/O.
 *
 * - `tool_result` → one invocation, the same row a hook capture of the call
 *   writes: skill name and phase by the hook rules (tool-mapping.ts, with the
 *   event's `tool_parameters` as the tool input), outcome from `success`,
 *   `duration_ms` as the duration, dedupe key `cc:<tool_use_id>`, so a call
 *   seen by both hooks and telemetry is stored once, whichever arrives first.
 *   invoked_at is the event time minus the duration (the call's start, as the
 *   hook row has it). A `tool_result` without `tool_use_id` or `session.id`
 *   cannot be joined and is rejected (counted in the partial success).
 * - `api_request` naming a skill (`skill.name`) → one AttributedUsage row,
 *   attribution `telemetry`, key `<request id>:telemetry` (request_id, else
 *   prompt.id with the event sequence or time).
 * - `skill_activated` → counted on /metrics by trigger and source only: it
 *   carries no tool_use_id, so as an invocation it would count a second time
 *   every Skill call the tool_result/hook rows already hold.
 * - everything else (`user_prompt`, `tool_decision`, `api_error`, ...) is
 *   accepted and not stored.
 *
 * User ids (`user.id`) are hashed by the tracker / the caller before storage.
 */
import type { AttributedUsage } from '../store/skill-cost-types.js';
import { AGENT_NAME, clampDuration, classifyError, cleanText, dedupeKeyFor, phaseFor, skillNameFor } from './tool-mapping.js';
import type { Attrs, OtlpLogRecord } from './otlp-decode.js';

const EVENT_PREFIX = 'claude_code.';

/** The event name without the `claude_code.` prefix. */
export function eventKind(record: OtlpLogRecord): string {
  return record.eventName.startsWith(EVENT_PREFIX) ? record.eventName.slice(EVENT_PREFIX.length) : record.eventName;
}

function text(attrs: Attrs, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = attrs[k];
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return null;
}

function num(attrs: Attrs, key: string): number | null {
  const v = attrs[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

function truthy(v: unknown): boolean {
  return v === true || v === 'true' || v === 1 || v === '1';
}

/** The user id an event names (Claude Code's `user.id`); `unknown` when absent. */
function userIdOf(attrs: Attrs): string {
  return cleanText(text(attrs, 'user.id', 'user.account_uuid') ?? 'unknown', 256) || 'unknown';
}

/** `tool_parameters` (a JSON string) as a tool input the hook rules understand. */
function toolInput(attrs: Attrs): Record<string, unknown> {
  const raw = attrs.tool_parameters;
  let params: Record<string, unknown> = {};
  if (typeof raw === 'string' && raw.length <= 65_536) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) params = parsed as Record<string, unknown>;
    } catch {
      // not JSON: no parameters
    }
  }
  const input: Record<string, unknown> = { ...params };
  input.command ??= params.full_command ?? params.bash_command;
  input.skill ??= params.skill_name;
  input.subagent_type ??= params.subagent_type;
  return input;
}

export type Mapped<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A `tool_result` event as tracker input (the raw user id: the tracker hashes it). */
export function toolResultInvocation(record: OtlpLogRecord, now: number): Mapped<Record<string, unknown>> {
  const a = record.attrs;
  const toolUseId = text(a, 'tool_use_id');
  const sessionId = text(a, 'session.id');
  const toolName = text(a, 'tool_name');
  if (!toolUseId) return { ok: false, reason: 'tool_result without tool_use_id' };
  if (!sessionId) return { ok: false, reason: 'tool_result without session.id' };
  if (!toolName) return { ok: false, reason: 'tool_result without tool_name' };
  const tool = cleanText(toolName, 128);
  const input = toolInput(a);
  const completed = truthy(a.success);
  const reported = num(a, 'duration_ms');
  const durationMs = reported === null ? 0 : clampDuration(reported);
  const endedAt = record.timeMs ?? (typeof a['event.timestamp'] === 'string' ? Date.parse(a['event.timestamp']) : Number.NaN);
  const end = Number.isFinite(endedAt) ? Math.min(endedAt, now) : now;
  return {
    ok: true,
    value: {
      skill_name: skillNameFor(tool, input),
      user_id: userIdOf(a),
      session_id: cleanText(sessionId, 128) || 'unknown',
      workflow_phase: phaseFor(tool, input),
      completed,
      duration_ms: durationMs,
      error_type: completed ? null : classifyError(text(a, 'error')),
      invoked_at: Math.max(end - durationMs, 946_684_800_000),
      agent: AGENT_NAME,
      dedupe_key: dedupeKeyFor(cleanText(toolUseId, 240)),
      metadata: { source: 'otel', tool, duration_source: reported === null ? 'unknown' : 'claude_code' },
    },
  };
}

/** The skill an `api_request` names (`skill:<name>`), or null. */
function apiRequestSkill(attrs: Attrs): string | null {
  const name = text(attrs, 'skill.name', 'skill_name');
  if (!name) return null;
  const clean = cleanText(name.replace(/^skill:/, '').replace(/^\//, ''), 120);
  return clean ? `skill:${clean}` : null;
}

/** An `api_request` naming a skill as a telemetry-attributed usage row; null when it names none. */
export function apiRequestUsage(record: OtlpLogRecord, hashUser: (id: string) => string, now: number): AttributedUsage | null {
  const a = record.attrs;
  const skill = apiRequestSkill(a);
  if (!skill) return null;
  const at = Math.min(record.timeMs ?? now, now);
  const sessionKey = cleanText(text(a, 'session.id') ?? 'unknown', 128) || 'unknown';
  const requestId = text(a, 'request_id', 'request.id');
  const promptId = text(a, 'prompt.id');
  const id = requestId ?? (promptId ? `${promptId}:${text(a, 'event.sequence') ?? at}` : `${sessionKey}:${at}:${text(a, 'model') ?? ''}`);
  const tokens = (key: string) => Math.max(0, Math.round(num(a, key) ?? 0));
  const cost = num(a, 'cost_usd');
  return {
    key: `${cleanText(id, 200)}:telemetry`,
    skill,
    attribution: 'telemetry',
    userHash: hashUser(userIdOf(a)),
    sessionKey,
    model: text(a, 'model'),
    at,
    inputTokens: tokens('input_tokens'),
    outputTokens: tokens('output_tokens'),
    cacheWriteTokens: tokens('cache_creation_tokens'),
    cacheReadTokens: tokens('cache_read_tokens'),
    costUsd: cost !== null && cost >= 0 ? cost : null,
  };
}
