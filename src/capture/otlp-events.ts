/**
 * Claude Code's telemetry events (OTLP log records) to what Session Buddy
 * stores. Pure: no I/O.
 *
 * Event and attribute names are the ones Claude Code's Monitoring page
 * documents (code.claude.com/docs/en/monitoring-usage, "Standard attributes"
 * and "Events"; read in a 2026 copy that documents Claude Code up to
 * v2.1.217). Each name below is from that page unless it says otherwise:
 *   standard: `session.id`, `user.id`, `user.account_uuid`, `prompt.id`;
 *     every event: `event.name` (without the `claude_code.` prefix the
 *     record's event name has), `event.timestamp`, `event.sequence`.
 *   `claude_code.tool_result`: `tool_name`, `tool_use_id` ("matches the
 *     tool_use_id passed to hooks"), `success` ("true"/"false"),
 *     `duration_ms`, `error_type` (an error category such as
 *     "Error:ENOENT" or "ShellError"), and only with OTEL_LOG_TOOL_DETAILS=1
 *     `error` (the full message) and `tool_parameters` (a JSON string:
 *     Bash `bash_command`/`full_command`, MCP tools
 *     `mcp_server_name`/`mcp_tool_name`, Skill `skill_name`, Agent/Task
 *     `subagent_type`).
 *   `claude_code.api_request`: `model`, `cost_usd`, `input_tokens`,
 *     `output_tokens`, `cache_read_tokens`, `cache_creation_tokens`,
 *     `request_id` (present only when the API returns one),
 *     `client_request_id` (v2.1.214+), `skill.name` ("Skill active for the
 *     request", user-defined names verbatim, third-party plugin skills
 *     replaced with "third-party").
 *   `claude_code.skill_activated`: `skill.name` (the placeholder
 *     "custom_skill" for user-defined and third-party plugin skills unless
 *     OTEL_LOG_TOOL_DETAILS=1), `invocation_trigger` ("user-slash",
 *     "claude-proactive" or "nested-skill"), `skill.source`. The same
 *     masking against the verbatim name on api_request is confirmed by a
 *     maintainer in anthropics/claude-code#76957 (2.1.233, "each side is
 *     currently working as documented").
 *
 * What is stored:
 * - `tool_result` → one invocation, the same row a hook capture of the call
 *   writes: skill name and phase by the hook rules (tool-mapping.ts, with the
 *   event's `tool_parameters` as the tool input), outcome from `success`,
 *   `duration_ms` as the duration, error class from `error`, else
 *   `error_type`, dedupe key `cc:<tool_use_id>`, so a call seen by both hooks
 *   and telemetry is stored once, whichever arrives first. invoked_at is the
 *   event time minus the duration (the call's start, as the hook row has it).
 *   Rejected (counted in the partial success): a `tool_result` without
 *   `tool_use_id` or `session.id` (cannot be joined), and one whose stored
 *   name needs `tool_parameters` that the event lacks (Skill and Agent/Task
 *   without them, the literal `mcp_tool` without the server and tool
 *   names): no made-up name is stored.
 * - `api_request` naming a skill (`skill.name`, not a placeholder) → one
 *   AttributedUsage row, attribution `telemetry`, key `<id>:telemetry` (id:
 *   request_id, else client_request_id, else prompt.id with event.sequence).
 *   Rejected (counted in the partial success): any `api_request` whose
 *   `cost_usd` is present and not a finite number >= 0 (it would otherwise
 *   read as a call of a model without a price). Without `cost_usd` the row is
 *   stored with its cost unknown.
 * - `skill_activated` with trigger `user-slash` → a typed activation (see
 *   typedActivation and otlp-ingest.ts for the match against hook and import
 *   rows). `claude-proactive` and `nested-skill` activations are Skill tool
 *   calls, which the tool_result/hook rows already hold: counted on /metrics
 *   only, like every skill_activated.
 * - everything else (`user_prompt`, `tool_decision`, `api_error`, ...) is
 *   accepted and not stored.
 *
 * User ids (`user.id`) are hashed by the tracker / the caller before storage.
 */
import type { AttributedUsage } from '../store/skill-cost-types.js';
import { AGENT_NAME, clampDuration, classifyError, cleanText, dedupeKeyFor, phaseFor, phaseFromName, skillNameFor, typedSkillName } from './tool-mapping.js';
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

/** `tool_parameters` (a JSON string, sent only with OTEL_LOG_TOOL_DETAILS=1) as a tool input the hook rules understand; null when absent. */
function toolInput(attrs: Attrs): Record<string, unknown> | null {
  const raw = attrs.tool_parameters;
  if (raw === undefined || raw === null || raw === '') return null;
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
  return input;
}

/**
 * The stored tool name and, for tools whose stored name comes from their
 * input, why it cannot be named: Skill and Agent/Task need `tool_parameters`
 * (`skill_name`, `subagent_type`; within them, the hook rules' defaults
 * apply), and an MCP call reported as the literal `mcp_tool` needs
 * `mcp_server_name` and `mcp_tool_name` (then `mcp__<server>__<tool>`, the
 * name hooks see).
 */
function toolNameOf(toolName: string, input: Record<string, unknown> | null): { tool: string } | { missing: string } {
  if (input === null && (toolName === 'Skill' || toolName === 'Agent' || toolName === 'Task')) {
    return { missing: `${toolName} tool_result without tool_parameters (set OTEL_LOG_TOOL_DETAILS=1)` };
  }
  const server = input ? input.mcp_server_name : undefined;
  const mcpTool = input ? input.mcp_tool_name : undefined;
  const mcpNamed = typeof server === 'string' && server.trim() !== '' && typeof mcpTool === 'string' && mcpTool.trim() !== '';
  if (mcpNamed && !toolName.startsWith('mcp__')) return { tool: cleanText(`mcp__${server}__${mcpTool}`, 128) };
  if (toolName === 'mcp_tool') return { missing: 'mcp_tool tool_result without tool_parameters.mcp_server_name/mcp_tool_name (set OTEL_LOG_TOOL_DETAILS=1)' };
  return { tool: toolName };
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
  const input = toolInput(a);
  const named = toolNameOf(cleanText(toolName, 128), input);
  if ('missing' in named) return { ok: false, reason: named.missing };
  const tool = named.tool;
  const completed = truthy(a.success);
  const reported = num(a, 'duration_ms');
  const durationMs = reported === null ? 0 : clampDuration(reported);
  const endedAt = record.timeMs ?? (typeof a['event.timestamp'] === 'string' ? Date.parse(a['event.timestamp']) : Number.NaN);
  const end = Number.isFinite(endedAt) ? Math.min(endedAt, now) : now;
  return {
    ok: true,
    value: {
      // A Skill tool call is an automatic activation, as the hook and the import record it.
      ...(tool === 'Skill' ? { trigger: 'model' } : {}),
      skill_name: skillNameFor(tool, input ?? {}),
      user_id: userIdOf(a),
      session_id: cleanText(sessionId, 128) || 'unknown',
      workflow_phase: phaseFor(tool, input ?? {}),
      completed,
      duration_ms: durationMs,
      error_type: completed ? null : classifyError(text(a, 'error', 'error_type')),
      invoked_at: Math.max(end - durationMs, 946_684_800_000),
      agent: AGENT_NAME,
      dedupe_key: dedupeKeyFor(cleanText(toolUseId, 240)),
      metadata: { source: 'otel', tool, duration_source: reported === null ? 'unknown' : 'claude_code' },
    },
  };
}

/**
 * Placeholders Claude Code puts where it withholds a skill's name: `custom_skill`
 * on skill_activated, `third-party` on the API events and cost/token metrics.
 * They name no skill, so nothing is stored under them.
 */
const MASKED_SKILL_NAMES: ReadonlySet<string> = new Set(['custom_skill', 'third-party']);

/** The skill an event's `skill.name` names, without a leading `/`; null when absent or masked. */
export function skillNameOf(attrs: Attrs): string | null {
  const name = text(attrs, 'skill.name');
  if (!name) return null;
  const clean = cleanText(name.replace(/^skill:/, '').replace(/^\//, ''), 120);
  return clean && !MASKED_SKILL_NAMES.has(clean) ? clean : null;
}

/** The skill an `api_request` names (`skill:<name>`), or null. */
function apiRequestSkill(attrs: Attrs): string | null {
  const name = skillNameOf(attrs);
  return name ? `skill:${name}` : null;
}

/**
 * Why an `api_request`'s `cost_usd` cannot be used, or null when it can: present,
 * it must be a finite number >= 0 (a number, or a string holding one, as Claude
 * Code sends it). Absent (undefined or null) is allowed: the cost is then unknown.
 */
export function apiRequestCostError(attrs: Attrs): string | null {
  const v = attrs.cost_usd;
  if (v === undefined || v === null) return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? null : 'api_request cost_usd: must be a finite number >= 0 (USD); not stored';
}

/**
 * An `api_request` naming a skill as a telemetry-attributed usage row; null when
 * it names none. Rejected (whether or not it names a skill): a `cost_usd` that
 * is not a finite number >= 0 (apiRequestCostError), rather than storing the
 * call as unpriced. Without `cost_usd` the row's cost is unknown (null).
 */
export function apiRequestUsage(record: OtlpLogRecord, hashUser: (id: string) => string, now: number): Mapped<AttributedUsage> | null {
  const a = record.attrs;
  const costError = apiRequestCostError(a);
  if (costError) return { ok: false, reason: costError };
  const skill = apiRequestSkill(a);
  if (!skill) return null;
  const at = Math.min(record.timeMs ?? now, now);
  const sessionKey = cleanText(text(a, 'session.id') ?? 'unknown', 128) || 'unknown';
  const requestId = text(a, 'request_id', 'client_request_id');
  const promptId = text(a, 'prompt.id');
  const id = requestId ?? (promptId ? `${promptId}:${text(a, 'event.sequence') ?? at}` : `${sessionKey}:${at}:${text(a, 'model') ?? ''}`);
  const tokens = (key: string) => Math.max(0, Math.round(num(a, key) ?? 0));
  const cost = num(a, 'cost_usd');
  const row: AttributedUsage = {
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
    // Claude Code reports no 1-hour split; its cost_usd is kept as reported (never repriced).
    cacheWrite1hTokens: null,
    cacheReadTokens: tokens('cache_read_tokens'),
    costUsd: cost,
  };
  return { ok: true, value: row };
}

// ---------------------------------------------------------------------------
// Typed skills (skill_activated with invocation_trigger "user-slash")

/**
 * How far apart in time a typed activation from telemetry and a stored typed
 * row of the same session and skill may be and still be the same activation.
 * The hook stamps its row when UserPromptExpansion runs, the transcript
 * import with the command line's timestamp, Claude Code the event when the
 * command is processed: the same moment give or take the hook's start-up.
 * Typing the same skill twice within the window in one session is the case
 * the rule gets wrong (see typedOrdinal).
 */
export const TYPED_MATCH_WINDOW_MS = 30_000;

/** A typed skill activation read from a `skill_activated` event. */
export interface TelemetryTypedActivation {
  sessionId: string;
  /** The stored name, `skill:<name>`. */
  skill: string;
  at: number;
  /** The raw user id (the tracker hashes it). */
  userId: string;
  /** Where the name came from: the event itself, or the `api_request` events of the same prompt (the event said custom_skill). */
  nameFrom: 'skill_activated' | 'api_request';
  /** `skill.source` (bundled, userSettings, projectSettings, plugin, ...). */
  source: string | null;
}

/** The key the names of a prompt's `api_request` events are collected under (see typedActivation). */
export function promptKey(attrs: Attrs): string | null {
  const session = text(attrs, 'session.id');
  const prompt = text(attrs, 'prompt.id');
  return session && prompt ? `${session}\u0000${prompt}` : null;
}

/**
 * A `skill_activated` event as a typed activation, or null when it is not one
 * (trigger other than `user-slash`: a Skill tool call the tool rows hold; a
 * built-in command, which no source records as a skill, tool-mapping.ts
 * typedSkillName). A masked name (`custom_skill`) is resolved from the
 * `api_request` events of the same prompt in the same export request
 * (`promptNames`: prompt key → the unmasked skill names they carry, which
 * Claude Code exports verbatim for user-defined skills): used only when they
 * name exactly one skill. Otherwise it is not stored: no made-up name, and
 * no `skill:custom_skill` row (it is still counted on /metrics).
 */
export function typedActivation(
  record: OtlpLogRecord,
  now: number,
  promptNames: ReadonlyMap<string, ReadonlySet<string>>,
): Mapped<TelemetryTypedActivation> | null {
  const a = record.attrs;
  if (text(a, 'invocation_trigger') !== 'user-slash') return null;
  const sessionId = text(a, 'session.id');
  if (!sessionId) return { ok: false, reason: 'skill_activated without session.id' };
  let name = skillNameOf(a);
  let nameFrom: TelemetryTypedActivation['nameFrom'] = 'skill_activated';
  if (name === null) {
    const key = promptKey(a);
    const names = key ? promptNames.get(key) : undefined;
    const only = names?.size === 1 ? [...names][0] : undefined;
    if (only === undefined) {
      return {
        ok: false,
        reason:
          'skill_activated with a masked skill.name (custom_skill) and no api_request of its prompt naming one skill: not stored (OTEL_LOG_TOOL_DETAILS=1 sends the name)',
      };
    }
    name = only;
    nameFrom = 'api_request';
  }
  const skill = typedSkillName(name);
  if (skill === null) return null;
  const stamped = record.timeMs ?? (typeof a['event.timestamp'] === 'string' ? Date.parse(a['event.timestamp']) : Number.NaN);
  return {
    ok: true,
    value: {
      sessionId: cleanText(sessionId, 128),
      skill,
      at: Number.isFinite(stamped) ? Math.max(Math.min(stamped, now), 946_684_800_000) : now,
      userId: userIdOf(a),
      nameFrom,
      source: text(a, 'skill.source'),
    },
  };
}

/**
 * The ordinal (tool-mapping.ts typedDedupeKeyFor) of a typed activation at
 * `at`, given the stored typed rows of its session and skill (ordinal →
 * invoked_at) and the ordinals already matched in this request:
 *   - the stored row nearest in time, within TYPED_MATCH_WINDOW_MS and not
 *     matched yet, is the same activation (matched: its key makes the write
 *     a duplicate: the hook or the import recorded it first);
 *   - otherwise the activation is new: the smallest ordinal with no row (the
 *     next one, as the hook and the import count: they see the activations
 *     of a session in order, and so does Claude Code's event stream).
 */
export function typedOrdinal(
  rows: ReadonlyMap<number, number>,
  at: number,
  used: ReadonlySet<number> = new Set(),
  windowMs = TYPED_MATCH_WINDOW_MS,
): { ordinal: number; matched: boolean } {
  let best: number | null = null;
  for (const [n, t] of rows) {
    if (used.has(n) || Math.abs(t - at) > windowMs) continue;
    if (best === null || Math.abs(t - at) < Math.abs(rows.get(best)! - at)) best = n;
  }
  if (best !== null) return { ordinal: best, matched: true };
  let n = 1;
  while (rows.has(n)) n++;
  return { ordinal: n, matched: false };
}

/** A typed activation as tracker input, as the hook records one (tool-mapping.ts typedDedupeKeyFor for its key). */
export function typedInvocation(t: TelemetryTypedActivation, dedupeKey: string): Record<string, unknown> {
  const metadata: Record<string, unknown> = { source: 'otel', tool: 'slash_command', duration_source: 'unknown', name_from: t.nameFrom };
  if (t.source) metadata.skill_source = cleanText(t.source, 32);
  return {
    skill_name: t.skill,
    user_id: t.userId,
    session_id: t.sessionId,
    workflow_phase: phaseFromName(t.skill),
    completed: true,
    duration_ms: 0,
    error_type: null,
    invoked_at: t.at,
    agent: AGENT_NAME,
    metadata,
    dedupe_key: dedupeKey,
    trigger: 'typed',
  };
}
