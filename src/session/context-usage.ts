/**
 * How full the agent's context window is, from its Claude Code transcript.
 *
 * - Used tokens = the last main-thread assistant message's
 *   `usage.input_tokens + cache_creation_input_tokens + cache_read_input_tokens
 *   + output_tokens`: everything that message saw and wrote, i.e. what the next
 *   request starts from. Subagent (sidechain) messages are skipped.
 * - Window: CONTEXT_WINDOW_TOKENS (200,000, the standard window of Claude
 *   models); when a transcript shows more tokens in use than that, the
 *   1,000,000-token long-context window is assumed (and said).
 * - Advice: compact at or above COMPACT_AT_RATIO (75 %) of the window, before
 *   Claude Code's automatic compaction near the limit decides for you; after a
 *   checkpoint the PreCompact hook keeps what the session did (saved-context).
 * - Only the last TAIL_BYTES of the transcript are read. A missing,
 *   unreadable or usage-free transcript is "not measured" with the reason.
 * - Transcript lookup: `<claude config dir>/projects/<working directory with
 *   every character other than A-Z, a-z, 0-9 replaced by '-'>/*.jsonl`, the
 *   most recently modified file (how Claude Code names its project folders).
 */
import fs from 'node:fs';
import path from 'node:path';

const CONTEXT_WINDOW_TOKENS = 200_000;
const LONG_CONTEXT_WINDOW_TOKENS = 1_000_000;
const COMPACT_AT_RATIO = 0.75;
const TAIL_BYTES = 512 * 1024;

export type ContextUsage =
  | { measured: false; reason: string }
  | ({ measured: true } & {
      transcript: string;
      usedTokens: number;
      windowTokens: number;
      /** usedTokens / windowTokens, rounded to 3 decimals. */
      ratio: number;
      model: string | null;
      /** Time of the assistant message measured (ISO 8601), when the transcript says. */
      at: string | null;
      recommendCompact: boolean;
      reason: string;
    });

/** The newest transcript of a working directory in the given Claude Code configuration directories; null when none. */
export function findTranscript(claudeConfigDirs: readonly string[], workingDirectory: string): string | null {
  const folder = workingDirectory.replace(/[^A-Za-z0-9]/g, '-');
  let best: { file: string; mtime: number } | null = null;
  for (const dir of claudeConfigDirs) {
    const projectDir = path.join(dir, 'projects', folder);
    let names: string[];
    try {
      names = fs.readdirSync(projectDir);
    } catch {
      continue;
    }
    for (const n of names) {
      if (!n.endsWith('.jsonl')) continue;
      try {
        const st = fs.statSync(path.join(projectDir, n));
        if (st.isFile() && (best === null || st.mtimeMs > best.mtime)) best = { file: path.join(projectDir, n), mtime: st.mtimeMs };
      } catch {
        // raced with a removal
      }
    }
  }
  return best?.file ?? null;
}

function tail(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    const start = Math.max(0, st.size - TAIL_BYTES);
    const buf = Buffer.alloc(st.size - start);
    const n = fs.readSync(fd, buf, 0, buf.length, start);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

export function readContextUsage(transcript: string): ContextUsage {
  let text: string;
  try {
    text = tail(transcript);
  } catch (err) {
    return { measured: false, reason: `transcript not readable: ${(err as Error).message}` };
  }
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.includes('"usage"')) continue;
    let o: { type?: unknown; isSidechain?: unknown; timestamp?: unknown; message?: { model?: unknown; usage?: Record<string, unknown> } };
    try {
      o = JSON.parse(line);
    } catch {
      continue; // the first line of the tail may be cut
    }
    const u = o.message?.usage;
    if (o.type !== 'assistant' || o.isSidechain === true || !u || typeof u !== 'object') continue;
    const used = num(u.input_tokens) + num(u.cache_creation_input_tokens) + num(u.cache_read_input_tokens) + num(u.output_tokens);
    if (used === 0) continue;
    const windowTokens = used > CONTEXT_WINDOW_TOKENS ? LONG_CONTEXT_WINDOW_TOKENS : CONTEXT_WINDOW_TOKENS;
    const ratio = Math.round((used / windowTokens) * 1000) / 1000;
    const pct = `${Math.round(ratio * 1000) / 10}%`;
    const recommendCompact = ratio >= COMPACT_AT_RATIO;
    const windowNote = windowTokens === LONG_CONTEXT_WINDOW_TOKENS ? ' (more than 200,000 in use: the 1,000,000-token window is assumed)' : '';
    return {
      measured: true,
      transcript,
      usedTokens: used,
      windowTokens,
      ratio,
      model: typeof o.message?.model === 'string' ? o.message.model : null,
      at: typeof o.timestamp === 'string' ? o.timestamp : null,
      recommendCompact,
      reason: recommendCompact
        ? `${used} of ${windowTokens} tokens in use (${pct})${windowNote}, at or above the ${COMPACT_AT_RATIO * 100}% threshold: compact now (/compact), at a moment you choose, rather than let automatic compaction near the limit cut in mid-task`
        : `${used} of ${windowTokens} tokens in use (${pct})${windowNote}, below the ${COMPACT_AT_RATIO * 100}% threshold: no need to compact`,
    };
  }
  return { measured: false, reason: 'no assistant message with token usage in the last 512 KiB of the transcript' };
}
