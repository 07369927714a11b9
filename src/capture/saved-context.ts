/**
 * Context that survives compaction, and the context a session starts with.
 *
 * - PreCompact: `saveCompactionContext` writes what the session did so far
 *   (session-activity.ts: skills and tools with outcomes, files touched,
 *   failures by error class) and the findings of the session's last checkpoint
 *   (from `<dataDir>/sessions/state.json`) to
 *   `<dataDir>/contexts/<session>/<epoch ms>.json` (the newest
 *   MAX_SAVED_PER_SESSION kept). The hook command then also stores it as a
 *   reflection (kind 'precompact') when the store opens within the hook's time.
 * - SessionStart: `sessionStartContext` assembles, for Claude Code's
 *   `hookSpecificOutput.additionalContext`, the context saved before the last
 *   compaction of this session (after a compaction or on resume) and the
 *   newest handoff written by `end` for the directory; at most
 *   MAX_START_CONTEXT_CHARS characters.
 * Everything is plain file I/O, bounded, and never throws to the hook.
 */
import fs from 'node:fs';
import path from 'node:path';
import { findLatestHandoff } from '../session/handoff.js';
import { ensureDir } from '../ensure-dir.js';
import { sessionDir } from './hook-event.js';
import { readActivity, type ActivitySummary } from './session-activity.js';
import { projectFromCwd } from './tool-mapping.js';

const MAX_SAVED_PER_SESSION = 10;
export const MAX_START_CONTEXT_CHARS = 10_000;
const MAX_STATE_BYTES = 4 * 1024 * 1024;
const LIST_FILES = 30;

export interface SavedContext {
  version: 1;
  session_id: string;
  project: string | null;
  working_directory: string | null;
  /** PreCompact `trigger`: 'manual' (/compact) or 'auto' (the context window is full). */
  trigger: string;
  saved_at: string;
  activity: ActivitySummary;
  last_checkpoint: { at: string; total: number | null; findings: string[] } | null;
  markdown: string;
}

function contextsDir(dataDir: string, sessionId: string): string {
  return path.join(dataDir, 'contexts', path.basename(sessionDir(dataDir, sessionId)));
}

function realDir(cwd: string | null): string | null {
  if (!cwd) return null;
  try {
    return fs.realpathSync(cwd);
  } catch {
    return null;
  }
}

/** The last checkpoint of the newest session the session manager knows for this directory; null when none. */
function lastCheckpoint(dataDir: string, dir: string | null): SavedContext['last_checkpoint'] {
  if (dir === null) return null;
  try {
    const file = path.join(dataDir, 'sessions', 'state.json');
    if (fs.statSync(file).size > MAX_STATE_BYTES) return null;
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      sessions?: { workingDirectory?: unknown; startedAt?: unknown; checkpoints?: { at?: unknown; total?: unknown; findings?: unknown }[] }[];
    };
    const mine = (state.sessions ?? []).filter((s) => s.workingDirectory === dir && Array.isArray(s.checkpoints) && s.checkpoints.length > 0);
    mine.sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)));
    const cp = mine[0]?.checkpoints?.at(-1);
    if (!cp || typeof cp.at !== 'string') return null;
    const findings = Array.isArray(cp.findings) ? cp.findings.filter((f): f is string => typeof f === 'string') : [];
    return { at: cp.at, total: typeof cp.total === 'number' ? cp.total : null, findings };
  } catch {
    return null;
  }
}

function renderSaved(c: Omit<SavedContext, 'markdown'>): string {
  const a = c.activity;
  const lines = [`# Saved before compaction — ${c.project ?? 'unknown project'} (${c.trigger}, ${c.saved_at})`, ''];
  lines.push(
    a.calls === 0
      ? `Session ${c.session_id}: no tool calls recorded yet.`
      : `Session ${c.session_id}: ${a.calls} tool calls since ${new Date(a.firstAt!).toISOString()}, ${a.failures} failed${a.capped ? ' (log capped: later calls missing)' : ''}.`,
  );
  if (a.skills.length) {
    lines.push('', '## Skills and tools used', '');
    for (const s of a.skills.slice(0, LIST_FILES))
      lines.push(`- ${s.skill}: ${s.calls} call${s.calls === 1 ? '' : 's'}${s.failures ? `, ${s.failures} failed` : ''}`);
  }
  if (a.files.length) {
    lines.push('', '## Files touched (most recent first)', '');
    for (const f of a.files.slice(0, LIST_FILES)) lines.push(`- ${f.path} (${f.calls})`);
    if (a.files.length > LIST_FILES) lines.push(`- … and ${a.files.length - LIST_FILES} more`);
  }
  if (a.errors.length) {
    lines.push('', '## Failures by error class', '');
    for (const e of a.errors) lines.push(`- ${e.error_type}: ${e.count}`);
  }
  const cp = c.last_checkpoint;
  lines.push('', '## Last checkpoint', '');
  if (!cp) lines.push('None taken in this directory yet.');
  else {
    lines.push(`Quality Score V2 ${cp.total ?? 'not measured'} at ${cp.at}.`);
    for (const f of cp.findings) lines.push(`- ${f}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the saved context of a session about to be compacted and returns it. Throws on I/O errors. */
export function saveCompactionContext(opts: { dataDir: string; sessionId: string; cwd: string | null; trigger: string | null; now: number }): SavedContext {
  const dir = realDir(opts.cwd);
  const base = {
    version: 1 as const,
    session_id: opts.sessionId,
    project: projectFromCwd(opts.cwd),
    working_directory: dir,
    trigger: opts.trigger === 'manual' || opts.trigger === 'auto' ? opts.trigger : 'unknown',
    saved_at: new Date(opts.now).toISOString(),
    activity: readActivity(sessionDir(opts.dataDir, opts.sessionId)),
    last_checkpoint: lastCheckpoint(opts.dataDir, dir),
  };
  const saved: SavedContext = { ...base, markdown: renderSaved(base) };
  const out = contextsDir(opts.dataDir, opts.sessionId);
  ensureDir(out);
  fs.writeFileSync(path.join(out, `${opts.now}.json`), JSON.stringify(saved), { mode: 0o600 });
  for (const old of savedFiles(out).slice(MAX_SAVED_PER_SESSION)) fs.rmSync(path.join(out, old), { force: true });
  return saved;
}

/** Saved-context file names of one session, newest first. */
function savedFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => /^\d+\.json$/.test(n))
      .sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10));
  } catch {
    return [];
  }
}

function latestSavedContext(dataDir: string, sessionId: string): SavedContext | null {
  const dir = contextsDir(dataDir, sessionId);
  const newest = savedFiles(dir)[0];
  if (!newest) return null;
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dir, newest), 'utf8')) as SavedContext;
    return v.version === 1 && typeof v.markdown === 'string' ? v : null;
  } catch {
    return null;
  }
}

/**
 * The additional context for a starting session, or null when there is none:
 * the context saved before this session's last compaction (source 'compact'
 * or 'resume'), then the previous session's handoff for the directory.
 */
export function sessionStartContext(opts: { dataDir: string; sessionId: string; cwd: string | null; source: string | null }): string | null {
  const parts: string[] = [];
  if (opts.source === 'compact' || opts.source === 'resume') {
    const saved = latestSavedContext(opts.dataDir, opts.sessionId);
    if (saved) parts.push(`Session Buddy saved this before the conversation was compacted:\n\n${saved.markdown}`);
  }
  const dir = realDir(opts.cwd);
  const handoff = dir ? findLatestHandoff(opts.dataDir, dir) : null;
  if (handoff?.markdown) {
    parts.push(`Session Buddy handoff from the previous session in this directory (ended ${handoff.record.endedAt}):\n\n${handoff.markdown}`);
  }
  if (parts.length === 0) return null;
  const text = parts.join('\n\n---\n\n');
  return text.length > MAX_START_CONTEXT_CHARS ? `${text.slice(0, MAX_START_CONTEXT_CHARS - 40)}\n… (cut at ${MAX_START_CONTEXT_CHARS} characters)` : text;
}
