/**
 * The /ws live-stream protocol, version 1. Every message, in both directions,
 * is one JSON object in a text frame with `v: 1` and a `type`.
 *
 * Connecting: `ws://HOST:PORT/ws`. When a token is required (any non-loopback
 * bind, or when configured), pass it as `Authorization: Bearer <token>` or as
 * the query parameter `?token=<token>` (browsers cannot set headers; /ws is the
 * only route that reads the query). The installation token is in
 * `<data dir>/token`; per-user tokens come from `session-buddy token create`.
 * A wrong token is refused with HTTP 401 even where none is required; a
 * foreign browser Origin with 403; a full server with 503.
 *
 * Client → server:
 *   {v:1, type:"subscribe", skills:"*" | ["name", ...], channels?:["snapshot","invocations","anomalies"]}
 *       Replaces the connection's subscription (default channels: all three). At most 100
 *       names, each under the rules of a skill_name anywhere else: 1 to 128 characters once
 *       trimmed, no control characters.
 *       Answered by "subscribed", then a snapshot right away when one is at hand.
 *   {v:1, type:"unsubscribe"}                    → "unsubscribed"; nothing more is pushed.
 *   {v:1, type:"get_trend", skill, hours?:1..168 (default 24), id?}
 *                                                → "trend": hourly figures of one skill.
 *   {v:1, type:"ping", id?}                      → "pong" (application-level; the server
 *                                                   also sends WebSocket pings itself).
 *   id: a string of at most 64 characters or a number, echoed in the answer (and as `ref`
 *   in an error about the message). An id that breaks this rule is not echoed: the error
 *   ("id: must be at most 64 characters") comes without `ref`, as no bad value is sent back.
 *
 * Server → client:
 *   hello        on connect: protocol version, server version, intervals, recent anomalies
 *                (the last 20, those stored in the day before the server started included).
 *   subscribed   {skills, channels} as now in force.
 *   history      once per subscription that includes "snapshot", when it has been read
 *                (after "subscribed", usually after the first snapshot too):
 *                {skills, window_hours, step_ms, points:[{at, invocations, success_rate,
 *                avg_duration_ms, p95_duration_ms}]}: the snapshot summary of the subscribed
 *                skills as it stood at each of the last 24 whole hours (oldest first; the
 *                same window rule, read from the hourly rollups), so a chart can draw the
 *                recent past before the live snapshots. Added in version 1; clients that do
 *                not know it ignore it.
 *   unsubscribed
 *   snapshot     every snapshot interval (1 s) while subscribed to "snapshot":
 *                {at, window:{from,to}, summary, top_skills, connections}; summary and
 *                top_skills cover the subscribed skills only.
 *   invocations  {events:[InvocationEvent...], omitted}: invocations recorded since the
 *                previous push, coalesced (at most one push per event interval); `omitted`
 *                counts matching events that were left out to bound the message size.
 *                Rows other processes write to the same store (CLI `record`, `import`)
 *                arrive too, within about two seconds (see store-feed.ts).
 *                Live invocations only: backfilled history (recorded more than the backfill
 *                threshold after it happened, e.g. imports) is never pushed here.
 *                An event whose duration was not measured (a typed skill, a call whose
 *                Pre and Post hooks never matched) carries `duration_known: false`
 *                (its duration_ms is 0), a measured one `duration_known: true` (added in
 *                protocol version 1 without a version change: absent means measured).
 *   anomalies    {events:[AnomalyEvent...]}: anomalies as they are detected (by a tool
 *                call or by the server's scheduled detection); those another process
 *                stored on the same store arrive too, within about 5 s (see anomaly-feed.ts).
 *   trend        {id, skill, hours, points:[{hour, at, invocations, successes, success_rate, avg_duration_ms}]}
 *   pong         {id}
 *   error        {code, message, ref?}: the message could not be handled (bad JSON, unknown
 *                type, invalid field, too many messages); the connection stays open. An
 *                invalid field is named with the rule it broke, as over MCP:
 *                "skills: must hold at most 100 names", "channels.0: must be one of snapshot,
 *                invocations, anomalies", "chanels: unknown key" (an unknown key first).
 *
 * Invocation events never carry the raw user id: `user_hash` is the salted hash.
 * `user_hash`, `session_id` and `project` are sent to admin subscribers only (the
 * installation token, an `--admin` per-user token, or a loopback caller without a
 * token); subscribers with a per-user token get events without those three fields.
 * Limits: client messages above 64 KiB close the connection (code 1009); more than
 * 20 client messages per second are answered with one RATE_LIMITED error and
 * ignored; the server pings every 30 s and drops clients that miss a ping.
 * permessage-deflate is negotiated when the client offers it (large pushes only).
 */
import { z } from 'zod';
import type { TopSkill, WindowSummary } from '../analytics/realtime-metrics.js';
import { toAppError, type ErrorCode } from '../errors.js';
import type { AnomalyEvent, InvocationEvent } from '../events.js';
import { invocationShape } from '../tracking/invocation-input.js';
import { parseInput } from '../validation.js';

export const PROTOCOL_VERSION = 1;
export const CHANNELS = ['snapshot', 'invocations', 'anomalies'] as const;
export type Channel = (typeof CHANNELS)[number];
const MAX_SUBSCRIBED_SKILLS = 100;
const MAX_TREND_HOURS = 168;
const MAX_REQUEST_ID_CHARS = 64;

// Every rule says what it wants in words (the field is named by parseInput, src/validation.ts).
const version = z.literal(PROTOCOL_VERSION, { error: `must be ${PROTOCOL_VERSION} (the protocol version)` });
/** A skill name by the rules of every other entry point (skill_name of an invocation): trimmed, 1..128 characters, no control characters. */
const skillName = z.string('must be a string').pipe(invocationShape.skill_name);
const skillList = z
  .array(skillName, 'must be "*" or an array of skill names')
  .min(1, 'must hold at least 1 name')
  .max(MAX_SUBSCRIBED_SKILLS, `must hold at most ${MAX_SUBSCRIBED_SKILLS} names`);
/**
 * "*" or a list of names. Not a z.union of the two: a union answers any problem in the list (one name
 * too many, a bad name) with the union's own message; here the list's rule and item are named.
 */
const skillSelection = z
  .union([z.literal('*'), z.array(z.unknown())], { error: 'must be "*" or an array of skill names' })
  .transform((value, ctx): '*' | string[] => {
    if (value === '*') return value;
    const list = skillList.safeParse(value);
    if (list.success) return list.data;
    for (const { path, message } of list.error.issues) ctx.addIssue({ code: 'custom', path, message, input: value });
    return z.NEVER;
  });
const channel = z.enum(CHANNELS, `must be one of ${CHANNELS.join(', ')}`);
const TREND_HOURS_RULE = `must be an integer between 1 and ${MAX_TREND_HOURS}`;
const trendHours = z.number(TREND_HOURS_RULE).int(TREND_HOURS_RULE).min(1, TREND_HOURS_RULE).max(MAX_TREND_HOURS, TREND_HOURS_RULE);
const requestId = z
  .union([z.string().max(MAX_REQUEST_ID_CHARS, `must be at most ${MAX_REQUEST_ID_CHARS} characters`), z.number()], {
    error: 'must be a string or a number',
  })
  .optional();

const subscribeMessage = z
  .object({
    v: version,
    type: z.literal('subscribe'),
    skills: skillSelection,
    channels: z.array(channel, 'must be an array of channel names').min(1, 'must hold at least 1 channel').optional(),
  })
  .strict();

const unsubscribeMessage = z.object({ v: version, type: z.literal('unsubscribe') }).strict();

const getTrendMessage = z
  .object({
    v: version,
    type: z.literal('get_trend'),
    skill: skillName,
    hours: trendHours.optional(),
    id: requestId,
  })
  .strict();

const pingMessage = z.object({ v: version, type: z.literal('ping'), id: requestId }).strict();

const clientMessage = z.discriminatedUnion('type', [subscribeMessage, unsubscribeMessage, getTrendMessage, pingMessage]);
export type ClientMessage = z.output<typeof clientMessage>;
export const CLIENT_MESSAGE_TYPES = ['subscribe', 'unsubscribe', 'get_trend', 'ping'] as const;

export interface SnapshotSummary extends WindowSummary {
  /** 95th percentile duration over the window (all subscribed skills), from the histograms. */
  p95_duration_ms: number | null;
}

export interface TrendPoint {
  /** Epoch hour. */
  hour: number;
  /** Start of the hour, ISO 8601 (UTC). */
  at: string;
  invocations: number;
  successes: number;
  success_rate: number | null;
  avg_duration_ms: number | null;
}

/** One point of the history series: the snapshot summary as it stood at `at` (a whole hour). */
export interface HistoryPoint {
  /** End of the window (a whole hour), ISO 8601 (UTC). */
  at: string;
  invocations: number;
  success_rate: number | null;
  avg_duration_ms: number | null;
  p95_duration_ms: number | null;
}

type Msg<T extends string, B> = { v: typeof PROTOCOL_VERSION; type: T } & B;

type HelloMessage = Msg<
  'hello',
  {
    server_version: string;
    heartbeat_ms: number;
    snapshot_interval_ms: number;
    event_flush_ms: number;
    recent_anomalies: AnomalyEvent[];
  }
>;
type SubscribedMessage = Msg<'subscribed', { skills: '*' | string[]; channels: Channel[] }>;
type HistoryMessage = Msg<'history', { skills: '*' | string[]; window_hours: number; step_ms: number; points: HistoryPoint[] }>;
type UnsubscribedMessage = Msg<'unsubscribed', Record<never, never>>;
export type SnapshotMessage = Msg<
  'snapshot',
  {
    at: string;
    window: { from: string; to: string };
    summary: SnapshotSummary;
    top_skills: TopSkill[];
    connections: number;
  }
>;
/** What subscribers that are not admins get: no user_hash, session_id or project (see ws-hub.ts). */
export type RedactedInvocationEvent = Omit<InvocationEvent, 'user_hash' | 'session_id' | 'project'>;
type InvocationsMessage = Msg<'invocations', { events: (InvocationEvent | RedactedInvocationEvent)[]; omitted: number }>;
type AnomaliesMessage = Msg<'anomalies', { events: AnomalyEvent[] }>;
type TrendMessage = Msg<'trend', { id?: string | number; skill: string; hours: number; points: TrendPoint[] }>;
type PongMessage = Msg<'pong', { id?: string | number }>;
export type ErrorMessage = Msg<'error', { code: ErrorCode; message: string; ref?: string | number }>;

export type ServerMessage =
  | HelloMessage
  | SubscribedMessage
  | HistoryMessage
  | UnsubscribedMessage
  | SnapshotMessage
  | InvocationsMessage
  | AnomaliesMessage
  | TrendMessage
  | PongMessage
  | ErrorMessage;

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; error: ErrorMessage };

/** Parses one client frame; never throws. */
export function parseClientMessage(raw: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return fail('INVALID_INPUT', 'message is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail('INVALID_INPUT', 'message must be a JSON object');
  }
  const type = (data as { type?: unknown }).type;
  // Echoed only when it is a valid id: a bad one is bad input like any other, named with its rule, never repeated back.
  const id = requestId.safeParse((data as { id?: unknown }).id);
  const refOf = id.success ? id.data : undefined;
  if (typeof type !== 'string' || !(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return fail('INVALID_INPUT', `type: must be one of ${CLIENT_MESSAGE_TYPES.join(', ')}`, refOf);
  }
  try {
    return { ok: true, message: parseInput(clientMessage, data) };
  } catch (err) {
    const e = toAppError(err);
    return fail(e.code, e.message, refOf);
  }
}

export function errorMessage(code: ErrorCode, message: string, ref?: string | number): ErrorMessage {
  return ref === undefined ? { v: PROTOCOL_VERSION, type: 'error', code, message } : { v: PROTOCOL_VERSION, type: 'error', code, message, ref };
}

function fail(code: ErrorCode, message: string, ref?: string | number): ParseResult {
  return { ok: false, error: errorMessage(code, message, ref) };
}
