/**
 * Deciding, from a file's stored cursor (store/cursor-types.ts), how much of
 * a transcript to read. Transcripts are append-only, so:
 *   same size and mtime as the cursor        -> unchanged, skipped;
 *   smaller than the cursor's offset          -> truncated: read again from 0;
 *   the bytes before the offset changed       -> rewritten: read again from 0
 *     (checked on the first 64 KiB and the 4 KiB just before the offset, so
 *      an append costs two small reads, not a re-read of the file);
 *   otherwise                                 -> appended: read from the offset.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { TranscriptCursor } from '../store/cursor-types.js';

const HEAD_BYTES = 64 * 1024;
const TAIL_BYTES = 4 * 1024;

export interface Fingerprint {
  headHash: string;
  tailHash: string;
}

function hashRange(fd: number, from: number, to: number, buf: Buffer): string {
  const h = crypto.createHash('sha256');
  let pos = from;
  while (pos < to) {
    const n = fs.readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
    if (n === 0) break;
    h.update(buf.subarray(0, n));
    pos += n;
  }
  return h.digest('hex').slice(0, 32);
}

/**
 * Hashes of the file's first bytes and of the bytes just before `offset`.
 * `scratch`: a buffer to read into, reused by a caller that fingerprints many
 * files (a new one per file costs page faults).
 */
export function fingerprint(file: string, offset: number, scratch: Buffer = Buffer.allocUnsafe(HEAD_BYTES)): Fingerprint {
  const fd = fs.openSync(file, 'r');
  try {
    return {
      headHash: hashRange(fd, 0, Math.min(HEAD_BYTES, offset), scratch),
      tailHash: hashRange(fd, Math.max(0, offset - TAIL_BYTES), offset, scratch),
    };
  } finally {
    fs.closeSync(fd);
  }
}

export type CursorPlan = { kind: 'new' } | { kind: 'unchanged' } | { kind: 'appended' } | { kind: 'reread'; reason: 'truncated' | 'rewritten' | 'costs' };

export function planFor(file: { path: string; size: number; mtimeMs: number }, cursor: TranscriptCursor | undefined): CursorPlan {
  if (!cursor) return { kind: 'new' };
  if (file.size === cursor.size && file.mtimeMs === cursor.mtimeMs) return { kind: 'unchanged' };
  if (file.size < cursor.offset) return { kind: 'reread', reason: 'truncated' };
  const now = fingerprint(file.path, cursor.offset);
  if (now.headHash !== cursor.headHash || now.tailHash !== cursor.tailHash) return { kind: 'reread', reason: 'rewritten' };
  return { kind: 'appended' };
}
