/**
 * Core of `session-buddy hook`: read one hook event from stdin, turn it into
 * invocations, POST them to the running server, and spool them when that
 * fails. Never throws and never writes to stdout: a hook must not disturb the
 * agent, whatever happens.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import { recordDrop } from './drop-counter.js';
import { formatBytes } from '../format-bytes.js';
import { ensureDir } from '../ensure-dir.js';
import { parseHookEvent, processHookEvent, removeSettled, type HookEvent } from './hook-event.js';
import { saveCompactionContext, sessionStartContext, type SavedContext } from './saved-context.js';
import { serverBaseUrl } from './server-url.js';
import { appendToSpool, drainSpool, REJECTED_FILE, SpoolWriteError, spoolSize, withHashedUsers } from './spool.js';
import { isInvalidInputError, type CapturedInvocation, type RecordBatch, type RecordResult } from './types.js';

const INVOCATIONS_PATH = '/api/invocations';
const DEFAULT_POST_TIMEOUT_MS = 300;
const DEFAULT_STDIN_TIMEOUT_MS = 1000;
/**
 * The largest hook input read: Claude Code's PostToolUse for Edit and Write carries the whole file
 * (tool_response.originalFile, content), so inputs of several MiB are ordinary. The same cap as a
 * transcript line (transcript-scan.ts DEFAULT_MAX_LINE_BYTES, not imported: the hook loads little);
 * a larger input is counted as a drop.
 */
const MAX_STDIN_BYTES = 64 * 1024 * 1024;
/** A hook drains the spool through the server only while it is this small. */
const HOOK_DRAIN_MAX_BYTES = 64 * 1024;
/**
 * The most invocations one POST carries: what the server's /api/invocations takes (MAX_INGEST_BATCH
 * in server/http-server.ts, not imported: capture sits below the server). A larger delivery, such as
 * a Stop flushing the leftover calls of a long session, goes in several requests.
 */
const MAX_POST_BATCH = 1000;

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

/** The server's ingest URL; wildcard bind addresses are reached via loopback. */
export function invocationsUrl(host: string, port: number): string {
  return `${serverBaseUrl(host, port)}${INVOCATIONS_PATH}`;
}

/**
 * A recorder that POSTs to the ingest endpoint, at most MAX_POST_BATCH
 * invocations per request (one after the other; a failure stops there, what
 * earlier requests recorded stays, and recording it again is a duplicate by
 * its dedupe_key). A 400 response becomes an INVALID_INPUT AppError naming the
 * field by its index in `inputs` (so a spool drain rejects the line instead of
 * retrying it forever); anything else that is not `{ inserted, duplicates }`
 * throws.
 */
export function createHttpRecorder(url: string, opts: { timeoutMs?: number; fetchImpl?: FetchLike; token?: string | null } = {}): RecordBatch {
  const fetchImpl = opts.fetchImpl ?? (globalThis.fetch as unknown as FetchLike);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_POST_TIMEOUT_MS;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const postOne = async (inputs: CapturedInvocation[], offset: number): Promise<RecordResult> => {
    const res = await fetchImpl(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(inputs),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (res.status === 400) {
      // AppError JSON, either bare or wrapped in { error }.
      const err = (body?.error ?? body) as { details?: { field?: unknown; rule?: unknown } } | null;
      const field = typeof err?.details?.field === 'string' ? err.details.field : undefined;
      const rule = typeof err?.details?.rule === 'string' ? err.details.rule : undefined;
      // The server counts from the start of this request; the caller from the start of `inputs`.
      const shifted = field?.replace(/^invocations\.(\d+)(?=\.|$)/, (_, i: string) => `invocations.${Number(i) + offset}`);
      throw AppError.invalid(shifted ?? 'invocations', rule ?? 'rejected by the server');
    }
    if (!res.ok) throw new AppError('STORE_UNAVAILABLE', `ingest answered HTTP ${res.status}`);
    const inserted = body?.inserted;
    const duplicates = body?.duplicates;
    if (typeof inserted !== 'number' || typeof duplicates !== 'number') {
      throw new AppError('INTERNAL', 'ingest answered without { inserted, duplicates }');
    }
    return { inserted, duplicates };
  };
  return async (inputs: CapturedInvocation[]): Promise<RecordResult> => {
    if (inputs.length <= MAX_POST_BATCH) return postOne(inputs, 0);
    const sum: RecordResult = { inserted: 0, duplicates: 0 };
    for (let i = 0; i < inputs.length; i += MAX_POST_BATCH) {
      const r = await postOne(inputs.slice(i, i + MAX_POST_BATCH), i);
      sum.inserted += r.inserted;
      sum.duplicates += r.duplicates;
    }
    return sum;
  };
}

/**
 * The server's access token, read (never created) from `<dataDir>/token`,
 * the file the server creates; null when there is none. Sent with every POST,
 * so ingest works on binds that require it.
 */
export function readAccessToken(dataDir: string): string | null {
  try {
    const t = fs.readFileSync(path.join(dataDir, 'token'), 'utf8').trim();
    return t.length >= 16 ? t : null;
  } catch {
    return null;
  }
}

/**
 * Reads stdin up to `maxBytes`. Resolves early once the text read so far is a
 * complete JSON object (Claude Code may keep stdin open), on end, or after
 * `timeoutMs`. Returns null when nothing usable arrived or the cap was hit
 * (then `onTooLarge` is called). Complete means the top-level object has
 * closed (JsonEnd); whether it is valid JSON is for the caller to find.
 */
export function readStdin(stream: Readable, opts: { maxBytes?: number; timeoutMs?: number; onTooLarge?: () => void } = {}): Promise<string | null> {
  const maxBytes = opts.maxBytes ?? MAX_STDIN_BYTES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_STDIN_TIMEOUT_MS;
  if ((stream as { isTTY?: boolean }).isTTY) return Promise.resolve(null);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const end = new JsonEnd();
    let size = 0;
    let done = false;
    const finish = (value: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.pause();
      resolve(value);
    };
    const text = () => Buffer.concat(chunks, size).toString('utf8');
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > maxBytes) {
        opts.onTooLarge?.();
        return finish(null);
      }
      chunks.push(buf);
      if (end.feed(buf)) finish(text().trim());
    };
    const onEnd = () => finish(size > 0 ? text() : null);
    const onError = () => finish(null);
    const timer = setTimeout(() => finish(size > 0 ? text() : null), timeoutMs);
    timer.unref?.();
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/**
 * Follows the structure of JSON text fed in chunks (nesting depth, inside a string or not) and tells
 * when a top-level object or array has closed: one pass over the bytes, where parsing all the text
 * read so far after each chunk ending in `}` cost time quadratic in the size (an Edit's payload holds
 * the whole file, and code is full of braces).
 */
class JsonEnd {
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Feeds the next chunk; true once the top-level value has closed. */
  feed(buf: Buffer): boolean {
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === 0x5c) this.escaped = true;
        else if (b === 0x22) this.inString = false;
      } else if (b === 0x22) this.inString = true;
      else if (b === 0x7b || b === 0x5b) this.depth++;
      else if ((b === 0x7d || b === 0x5d) && --this.depth === 0) return true;
    }
    return false;
  }
}

export interface HookRunOptions {
  stdin: Readable;
  dataDir: string;
  userId: string;
  /** Full ingest URL (see invocationsUrl()), or null when no server runs: spool directly. */
  url: string | null;
  /** Bearer token for the ingest endpoint (see readAccessToken()). */
  token?: string | null;
  now?: () => number;
  fetchImpl?: FetchLike;
  postTimeoutMs?: number;
  stdinTimeoutMs?: number;
  maxStdinBytes?: number;
}

type HookOutcome = 'ignored' | 'pending' | 'nothing' | 'posted' | 'spooled' | 'dropped' | 'failed';

export interface HookRunResult {
  outcome: HookOutcome;
  event: string | null;
  invocations: number;
  /** Why the hook ignored its input, spooled or failed. */
  reason?: string;
  /** PreCompact: the context saved to `<dataDir>/contexts/` (see saved-context.ts). */
  saved?: SavedContext;
  /** SessionStart: the context to hand to Claude Code as `additionalContext`. */
  additionalContext?: string;
  /** Stop / SessionEnd: the session's transcript, to import (tokens and cost exist only there). */
  transcriptPath?: string;
}

/** Runs one hook invocation end to end. Never throws. */
export async function runHook(opts: HookRunOptions): Promise<HookRunResult> {
  const now = opts.now ?? Date.now;
  try {
    let tooLarge = false;
    const raw = await readStdin(opts.stdin, { maxBytes: opts.maxStdinBytes, timeoutMs: opts.stdinTimeoutMs, onTooLarge: () => (tooLarge = true) });
    if (tooLarge) {
      // Which call it was cannot be known without reading it all: counted, so that the loss shows in status and doctor.
      recordDrop(opts.dataDir, 1, `hook input larger than ${formatBytes(opts.maxStdinBytes ?? MAX_STDIN_BYTES)}`, now());
      return { outcome: 'dropped', event: null, invocations: 0, reason: 'input too large' };
    }
    if (raw === null) return { outcome: 'ignored', event: null, invocations: 0, reason: 'no input' };
    let decoded: unknown;
    try {
      decoded = JSON.parse(raw);
    } catch {
      return { outcome: 'ignored', event: null, invocations: 0, reason: 'input is not JSON' };
    }
    const ev = parseHookEvent(decoded);
    if (!ev) return { outcome: 'ignored', event: null, invocations: 0, reason: 'not a handled hook event' };
    let inputs: CapturedInvocation[];
    // The state files of the calls this event completes: removed once the calls are delivered, so that a
    // hook killed in between (the outer timeout) leaves them for the session's next Stop to record.
    const settled: string[] = [];
    try {
      inputs = processHookEvent(ev, { dataDir: opts.dataDir, userId: opts.userId, now: now(), settled });
    } catch (err) {
      // The pairing state (or a typed skill's count) cannot be kept: a finished call is lost, count it.
      if (ev.event === 'PostToolUse' || ev.event === 'PostToolUseFailure' || ev.event === 'UserPromptExpansion') {
        recordDrop(opts.dataDir, 1, `cannot keep hook state: ${(err as Error).message}`, now());
      }
      return { outcome: 'failed', event: ev.event, invocations: 0, reason: (err as Error).message };
    }
    const extra: Partial<HookRunResult> = sessionExtras(ev, opts, now());
    if ((ev.event === 'Stop' || ev.event === 'SessionEnd') && ev.transcriptPath) extra.transcriptPath = ev.transcriptPath;
    if (inputs.length === 0) return { outcome: ev.event === 'PreToolUse' ? 'pending' : 'nothing', event: ev.event, invocations: 0, ...extra };
    const delivered = await deliver(inputs, opts);
    removeSettled(settled);
    return { ...delivered, event: ev.event, invocations: inputs.length, ...extra };
  } catch (err) {
    return { outcome: 'failed', event: null, invocations: 0, reason: (err as Error).message };
  }
}

/** PreCompact saves the session's context; SessionStart assembles the context to hand back. Failures only lose the extra. */
function sessionExtras(ev: HookEvent, opts: HookRunOptions, at: number): Pick<HookRunResult, 'saved' | 'additionalContext'> {
  try {
    if (ev.event === 'PreCompact') {
      return { saved: saveCompactionContext({ dataDir: opts.dataDir, sessionId: ev.sessionId, cwd: ev.cwd, trigger: ev.trigger, now: at }) };
    }
    if (ev.event === 'SessionStart') {
      const text = sessionStartContext({ dataDir: opts.dataDir, sessionId: ev.sessionId, cwd: ev.cwd, source: ev.source });
      return text === null ? {} : { additionalContext: text };
    }
  } catch {
    // disk full, unwritable data directory: the agent carries on without it
  }
  return {};
}

/**
 * Spools the invocations; when that is impossible (spool full, data directory
 * unwritable, disk full) counts them as dropped (see drop-counter.ts).
 */
function spoolOrDrop(inputs: CapturedInvocation[], opts: HookRunOptions, why: string): { outcome: HookOutcome; reason?: string } {
  const now = (opts.now ?? Date.now)();
  let reason: string;
  let lost = inputs.length;
  try {
    if (appendToSpool(opts.dataDir, inputs)) return { outcome: 'spooled', reason: why };
    reason = 'spool is full';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    reason = code === 'ENOSPC' ? 'disk full' : code === 'SALT_MISSING' ? (err as Error).message : `cannot write the spool: ${(err as Error).message}`;
    // A short write: the lines written whole are spooled, the rest (a cut line at most) is lost.
    if (err instanceof SpoolWriteError) lost = inputs.length - err.lines;
  }
  recordDrop(opts.dataDir, lost, reason, now);
  return { outcome: 'dropped', reason };
}

async function deliver(inputs: CapturedInvocation[], opts: HookRunOptions): Promise<{ outcome: HookOutcome; reason?: string }> {
  if (opts.url === null) return spoolOrDrop(inputs, opts, 'no server running');
  const post = createHttpRecorder(opts.url, { timeoutMs: opts.postTimeoutMs, fetchImpl: opts.fetchImpl, token: opts.token });
  try {
    await post(inputs);
  } catch (err) {
    if (isInvalidInputError(err)) {
      // Retrying cannot help: keep it for inspection (user ids hashed), like a rejected spool line.
      const at = (opts.now ?? Date.now)();
      try {
        ensureDir(opts.dataDir);
        const lines = withHashedUsers(opts.dataDir, inputs).map(
          (i) => `${JSON.stringify({ rejected_at: at, reason: (err as Error).message, line: JSON.stringify(i) })}\n`,
        );
        fs.appendFileSync(path.join(opts.dataDir, REJECTED_FILE), lines.join(''), { mode: 0o600 });
      } catch {
        // nowhere to keep it: counted below
      }
      recordDrop(opts.dataDir, inputs.length, `rejected by the server: ${(err as Error).message}`, at);
      return { outcome: 'dropped', reason: (err as Error).message };
    }
    return spoolOrDrop(inputs, opts, (err as Error).message);
  }
  // The server is up: hand it whatever was spooled while it was away, if that is small.
  const size = spoolSize(opts.dataDir);
  if (size > 0 && size <= HOOK_DRAIN_MAX_BYTES) {
    await drainSpool(opts.dataDir, post).catch(() => undefined);
  }
  return { outcome: 'posted' };
}
