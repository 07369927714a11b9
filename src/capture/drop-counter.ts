/**
 * Durable count of invocations the hook had to drop (spool full, data
 * directory unwritable, disk full, rejected by the server), so that `status`
 * and `doctor` can say so instead of data vanishing silently.
 *
 * One line per drop event (`{"at","count","reason"}`) appended to
 * `<dataDir>/hook-drops.jsonl`; appends of one short line are atomic, so
 * concurrent hooks never lose a count. When the data directory itself is not
 * writable the line goes to a fallback file in the system temp directory,
 * named after the data directory. Appends stop at MAX_DROP_LOG_BYTES (the
 * count is then reported as "at least").
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DROP_FILE = 'hook-drops.jsonl';
const MAX_DROP_LOG_BYTES = 1024 * 1024;

export interface DropSummary {
  /** Invocations dropped. */
  count: number;
  /** True when a log reached its cap: more were dropped than counted. */
  capped: boolean;
  lastAt: number | null;
  lastReason: string | null;
  files: string[];
}

export function fallbackDropFile(dataDir: string, tmpDir = os.tmpdir()): string {
  const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  return path.join(tmpDir, `session-buddy-hook-drops-${id}.jsonl`);
}

function appendCapped(file: string, line: string): boolean {
  try {
    const size = fs.statSync(file).size;
    if (size >= MAX_DROP_LOG_BYTES) return true; // capped: counted as "at least"
  } catch {
    // missing: created below
  }
  try {
    fs.appendFileSync(file, line, { mode: 0o600 });
    return true;
  } catch {
    return false;
  }
}

/** Records that `count` invocations were dropped. Never throws. */
export function recordDrop(dataDir: string, count: number, reason: string, now: number, tmpDir?: string): void {
  const line = `${JSON.stringify({ at: now, count, reason: reason.slice(0, 200) })}\n`;
  if (appendCapped(path.join(dataDir, DROP_FILE), line)) return;
  appendCapped(fallbackDropFile(dataDir, tmpDir), line);
}

/** Sums the drop logs of a data directory (its own and the fallback). */
export function readDrops(dataDir: string, tmpDir?: string): DropSummary {
  const sum: DropSummary = { count: 0, capped: false, lastAt: null, lastReason: null, files: [] };
  for (const file of [path.join(dataDir, DROP_FILE), fallbackDropFile(dataDir, tmpDir)]) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    sum.files.push(file);
    if (Buffer.byteLength(text) >= MAX_DROP_LOG_BYTES) sum.capped = true;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const v = JSON.parse(line) as { at?: unknown; count?: unknown; reason?: unknown };
        if (typeof v.count !== 'number') continue;
        sum.count += v.count;
        if (typeof v.at === 'number' && (sum.lastAt === null || v.at >= sum.lastAt)) {
          sum.lastAt = v.at;
          sum.lastReason = typeof v.reason === 'string' ? v.reason : null;
        }
      } catch {
        // a torn last line: skip
      }
    }
  }
  return sum;
}
