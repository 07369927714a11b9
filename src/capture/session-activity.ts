/**
 * What a Claude Code session did so far, kept by the hook so that it can be
 * saved before the conversation is compacted: one JSON line per finished tool
 * call in `<dataDir>/hooks/<session>/activity.jsonl` (time, tool, skill,
 * outcome, error class, file paths from the tool input). One append per
 * PostToolUse / PostToolUseFailure; the file stops growing at
 * MAX_ACTIVITY_BYTES (the summary then says it is capped) and goes with the
 * rest of the session's hook state (see hook-event.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureDir } from '../ensure-dir.js';

const ACTIVITY_FILE = 'activity.jsonl';
const MAX_ACTIVITY_BYTES = 1024 * 1024;
const MAX_FILES_PER_CALL = 4;
const MAX_PATH_CHARS = 500;
/** Tool input fields that name the file a call touches. */
const FILE_FIELDS = ['file_path', 'notebook_path', 'path'] as const;

export interface ActivityLine {
  at: number;
  tool: string;
  skill: string;
  ok: boolean;
  error_type: string | null;
  files: string[];
}

export interface ActivitySummary {
  calls: number;
  failures: number;
  /** Per skill (tools are skills named after the tool), most calls first. */
  skills: { skill: string; calls: number; failures: number }[];
  /** Distinct file paths from tool inputs, most recently touched first, with their call counts. */
  files: { path: string; calls: number }[];
  /** Failures per error class, most frequent first. */
  errors: { error_type: string; count: number }[];
  firstAt: number | null;
  lastAt: number | null;
  /** true when the log reached its size cap and later calls are missing. */
  capped: boolean;
}

/** The file paths a tool input names (Read, Write, Edit, NotebookEdit, Glob/Grep paths). */
export function filesOf(input: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const f of FILE_FIELDS) {
    const v = input[f];
    if (typeof v === 'string' && v !== '' && v.length <= MAX_PATH_CHARS && !/\p{Cc}/u.test(v) && !out.includes(v)) out.push(v);
  }
  return out.slice(0, MAX_FILES_PER_CALL);
}

/** Appends one finished call; false when the log is full. Throws on I/O errors (the caller ignores them). */
export function appendActivity(sessionDir: string, line: ActivityLine): boolean {
  const file = path.join(sessionDir, ACTIVITY_FILE);
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    // not there yet
  }
  if (size >= MAX_ACTIVITY_BYTES) return false;
  ensureDir(sessionDir);
  fs.appendFileSync(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  return true;
}

function isLine(v: unknown): v is ActivityLine {
  const o = v as Partial<ActivityLine> | null;
  return !!o && typeof o.at === 'number' && typeof o.tool === 'string' && typeof o.skill === 'string' && typeof o.ok === 'boolean' && Array.isArray(o.files);
}

/** Reads the session's log (at most MAX_ACTIVITY_BYTES; unreadable lines skipped) and summarises it. */
export function readActivity(sessionDir: string): ActivitySummary {
  let text = '';
  try {
    const fd = fs.openSync(path.join(sessionDir, ACTIVITY_FILE), 'r');
    try {
      const buf = Buffer.alloc(MAX_ACTIVITY_BYTES + 1);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      text = buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // no activity yet
  }
  const lines: ActivityLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    try {
      const v = JSON.parse(raw) as unknown;
      if (isLine(v)) lines.push(v);
    } catch {
      // a torn or foreign line
    }
  }
  return summariseActivity(lines, Buffer.byteLength(text) >= MAX_ACTIVITY_BYTES);
}

export function summariseActivity(lines: readonly ActivityLine[], capped = false): ActivitySummary {
  const skills = new Map<string, { skill: string; calls: number; failures: number }>();
  const files = new Map<string, { path: string; calls: number; last: number }>();
  const errors = new Map<string, number>();
  let failures = 0;
  lines.forEach((l, i) => {
    const s = skills.get(l.skill) ?? { skill: l.skill, calls: 0, failures: 0 };
    s.calls++;
    if (!l.ok) {
      s.failures++;
      failures++;
      const e = l.error_type ?? 'unknown';
      errors.set(e, (errors.get(e) ?? 0) + 1);
    }
    skills.set(l.skill, s);
    for (const p of l.files) {
      const f = files.get(p) ?? { path: p, calls: 0, last: 0 };
      f.calls++;
      f.last = i;
      files.set(p, f);
    }
  });
  return {
    calls: lines.length,
    failures,
    skills: [...skills.values()].sort((a, b) => b.calls - a.calls || a.skill.localeCompare(b.skill)),
    files: [...files.values()].sort((a, b) => b.last - a.last).map(({ path: p, calls }) => ({ path: p, calls })),
    errors: [...errors.entries()]
      .map(([error_type, count]) => ({ error_type, count }))
      .sort((a, b) => b.count - a.count || a.error_type.localeCompare(b.error_type)),
    firstAt: lines.length ? Math.min(...lines.map((l) => l.at)) : null,
    lastAt: lines.length ? Math.max(...lines.map((l) => l.at)) : null,
    capped,
  };
}
