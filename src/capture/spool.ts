/**
 * Local spool for invocations captured while the server is unreachable.
 *
 * Writers append one JSON line per invocation to `<dataDir>/spool.jsonl`.
 * A drain claims the whole file by renaming it to
 * `spool.<pid>.<random>.draining` (rename is atomic, so two drains never own
 * the same file), records every line, then deletes it. Exactly-once rests on
 * dedupe keys: every spooled line carries one, so re-recording lines after a
 * crash, a failed batch or a lost race is harmless.
 *
 * - A writer that opened the spool just before a drain renamed it may have
 *   written into the claimed file; it notices (the path no longer names the
 *   inode it wrote to) and appends the line again to the new spool.
 * - A drain whose recording fails puts the remaining file back for the next
 *   drain; a `.draining` file left by a dead process (or older than `staleMs`)
 *   is claimed by the next drain.
 * - User ids are written pre-hashed with the data directory's salt
 *   (`salted-sha256:…`, see store/salt.ts): raw ids never reach disk. The
 *   salt file is created only in a brand-new data directory: when it is
 *   missing beside a database, nothing is spooled (SaltMissingError). In
 *   team mode that file is a copy of the PostgreSQL store's shared salt
 *   (store/open-stores.ts); a line hashed with another salt is refused by
 *   the store as invalid, so it lands in `spool.rejected.jsonl` (below).
 * - Lines that are not JSON objects, or that the recorder rejects as invalid,
 *   go to `spool.rejected.jsonl` with the reason; they never block a drain.
 *   So does a line that fails on its own for a non-transient reason (e.g.
 *   an internal error it triggers): it is quarantined there (reason
 *   `quarantined: …`). Transient failures (store locked or unreachable, disk
 *   full) give the file back instead; so do 10 quarantines in a row with
 *   nothing recorded in between (a broken store, not bad lines).
 * - Lines are read with a byte cap (`MAX_LINE_BYTES`): a longer line is
 *   rejected (its length and first bytes are kept, not the line) without
 *   ever being held in memory.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DB_FILE } from '../config.js';
import { loadOrCreateSalt, prehashUserId, readSalt, SALT_FILE } from '../store/salt.js';
import { boundedLines } from './bounded-lines.js';
import { ensureDir } from '../ensure-dir.js';
import { isTransientRecordError } from './record-errors.js';
import { isInvalidInputError, type CapturedInvocation, type RecordBatch } from './types.js';
import { processAlive } from '../process-alive.js';

const SPOOL_FILE = 'spool.jsonl';
export const REJECTED_FILE = 'spool.rejected.jsonl';
/** Appends stop once the spool reaches this size (the server has been away for long). */
export const MAX_SPOOL_BYTES = 64 * 1024 * 1024;
/** A spooled line longer than this is rejected unread (an invocation line is a few hundred bytes). */
const MAX_LINE_BYTES = 1024 * 1024;
/** This many quarantined lines in a row, with nothing recorded, means the store is broken: stop and keep the rest. */
const MAX_QUARANTINE_STREAK = 10;

const DRAINING = /^spool\.(\d+)\.[A-Za-z0-9-]+\.draining$/;

export function spoolPath(dataDir: string): string {
  return path.join(dataDir, SPOOL_FILE);
}

export function spoolSize(dataDir: string): number {
  try {
    return fs.statSync(spoolPath(dataDir)).size;
  } catch {
    return 0;
  }
}

/** The names of the spool files in `dataDir` that hold calls waiting: the live spool and `.draining` files (none when it cannot be read). */
function spoolFiles(dataDir: string): string[] {
  try {
    return fs.readdirSync(dataDir).filter((n) => n === SPOOL_FILE || DRAINING.test(n));
  } catch {
    return [];
  }
}

/**
 * Bytes waiting in `dataDir`'s spool: the live spool and `.draining` files (a drain in progress, or
 * one a killed process left, which the next drain ingests). spoolSize counts the live spool only.
 */
export function spooledBytes(dataDir: string): number {
  const names = spoolFiles(dataDir);
  let bytes = 0;
  for (const name of names) {
    try {
      bytes += fs.statSync(path.join(dataDir, name)).size;
    } catch {
      // drained meanwhile
    }
  }
  return bytes;
}

/** Lines waiting in `dataDir`'s spool (the live spool and `.draining` files): calls not recorded in its store yet. */
export function spooledLines(dataDir: string): number {
  const names = spoolFiles(dataDir);
  let lines = 0;
  const buf = Buffer.alloc(1 << 16);
  for (const name of names) {
    let fd: number;
    try {
      fd = fs.openSync(path.join(dataDir, name), 'r');
    } catch {
      continue; // drained meanwhile
    }
    try {
      let last = 0x0a;
      for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) {
        // A newline after a newline ends a blank line (the drain skips those), not a call.
        for (let i = 0; i < n; i++) {
          if (buf[i] === 0x0a && last !== 0x0a) lines++;
          last = buf[i]!;
        }
      }
      if (last !== 0x0a) lines++; // a last line without its newline
    } finally {
      fs.closeSync(fd);
    }
  }
  return lines;
}

/**
 * The data directory's salt file is missing while a database sits beside it: its users were hashed
 * with the lost salt, so a new salt would hash every spooled call unlike them (the store refuses
 * such lines once the salt is put back). Nothing is spooled; the hook counts a drop.
 */
export class SaltMissingError extends Error {
  readonly code = 'SALT_MISSING';
  constructor(dataDir: string) {
    super(`${path.join(dataDir, SALT_FILE)} is missing beside a database: not spooled (a new salt would not match its users); put the salt back, see doctor`);
  }
}

/**
 * The salt to pre-hash spooled user ids with: the data directory's salt file, created only for a
 * brand-new data directory (no database in it yet); a missing salt beside a database throws SaltMissingError.
 */
function spoolSalt(dataDir: string): string {
  const salt = readSalt(dataDir);
  if (salt !== null) return salt;
  if (fs.existsSync(path.join(dataDir, DB_FILE))) throw new SaltMissingError(dataDir);
  return loadOrCreateSalt(dataDir);
}

/** The invocations with their user ids replaced by the salted pre-hash (see spoolSalt). */
export function withHashedUsers(dataDir: string, inputs: readonly CapturedInvocation[]): CapturedInvocation[] {
  const salt = spoolSalt(dataDir);
  return inputs.map((i) => ({ ...i, user_id: prehashUserId(salt, i.user_id) }));
}

/**
 * A spool append that stopped short (disk full): `lines` of the invocations were written whole, the
 * rest not; a partial line may be left at the end of the file (the next append starts on a new line).
 */
export class SpoolWriteError extends Error {
  readonly code: string;
  constructor(
    readonly lines: number,
    code = 'ENOSPC',
  ) {
    super(`short write to the spool (${code}): ${lines} invocation(s) written whole`);
    this.code = code;
  }
}

/** Whether the file open as `fd` (read access) is non-empty and does not end with a newline. */
function endsMidLine(fd: number): boolean {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  return fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
}

/**
 * Writes all of `buf` (appending), retrying after a short write; returns the bytes written, fewer
 * than `buf.length` when the file system refused the rest (an error after a partial write, or no
 * progress). Throws only when nothing was written.
 */
function writeAll(fd: number, buf: Buffer): number {
  let done = 0;
  while (done < buf.length) {
    let n: number;
    try {
      n = fs.writeSync(fd, buf, done, buf.length - done);
    } catch (err) {
      if (done === 0) throw err;
      return done;
    }
    if (n <= 0) return done;
    done += n;
  }
  return done;
}

/**
 * Appends invocations to the spool (synchronously: hooks exit right after),
 * user ids hashed. Returns false when the spool is full and nothing was
 * written; throws when the data directory cannot be written, and a
 * SpoolWriteError when only part of the text could be written (disk full).
 *
 * A line always starts on a line of its own: when the file ends without a
 * newline (a write cut short by a full disk or a killed process), the append
 * starts with one, so the cut line is rejected alone by the drain (blank
 * lines are skipped) instead of swallowing the next good one.
 */
export function appendToSpool(dataDir: string, inputs: readonly CapturedInvocation[], maxBytes: number = MAX_SPOOL_BYTES): boolean {
  if (inputs.length === 0) return true;
  ensureDir(dataDir);
  const hashed = withHashedUsers(dataDir, inputs);
  const text = hashed.map((i) => `${JSON.stringify({ ...i, dedupe_key: i.dedupe_key || `spool:${randomUUID()}` })}\n`).join('');
  const file = spoolPath(dataDir);
  if (spoolSize(dataDir) + Buffer.byteLength(text) > maxBytes) return false;
  // Two attempts at most: the second only if a drain renamed the file under us.
  for (let attempt = 0; attempt < 2; attempt++) {
    const fd = fs.openSync(file, 'a+', 0o600);
    let written: number;
    try {
      const lead = endsMidLine(fd) ? '\n' : '';
      const buf = Buffer.from(lead + text);
      const n = writeAll(fd, buf);
      if (n < buf.length) {
        let whole = 0;
        for (let i = lead.length; i < n; i++) if (buf[i] === 0x0a) whole++;
        throw new SpoolWriteError(whole);
      }
      written = fs.fstatSync(fd).ino;
    } finally {
      fs.closeSync(fd);
    }
    let current: number | null = null;
    try {
      current = fs.statSync(file).ino;
    } catch {
      current = null;
    }
    if (current === written) return true;
  }
  return true;
}

export interface DrainSummary {
  /** Spool files processed (the live spool plus reclaimed `.draining` files). */
  files: number;
  lines: number;
  inserted: number;
  duplicates: number;
  rejected: number;
}

export interface DrainOptions {
  batchSize?: number;
  /** Byte cap of one line (default MAX_LINE_BYTES). */
  maxLineBytes?: number;
  /** A `.draining` file of a live process is reclaimed only after this long. */
  staleMs?: number;
  now?: number;
  pid?: number;
  isAlive?: (pid: number) => boolean;
}

function claim(dataDir: string, from: string, pid: number): string | null {
  const to = path.join(dataDir, `spool.${pid}.${randomUUID()}.draining`);
  try {
    fs.renameSync(from, to);
    return to;
  } catch {
    return null; // gone (another drain took it) or unreadable
  }
}

/** Claims orphaned `.draining` files and the live spool; returns the claimed paths. */
function claimAll(dataDir: string, opts: Required<Omit<DrainOptions, 'batchSize' | 'maxLineBytes'>>): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dataDir);
  } catch {
    return [];
  }
  const claimed: string[] = [];
  for (const name of names) {
    const m = DRAINING.exec(name);
    if (!m) continue;
    const owner = Number(m[1]);
    const full = path.join(dataDir, name);
    let stale = false;
    try {
      stale = opts.now - fs.statSync(full).mtimeMs > opts.staleMs;
    } catch {
      continue;
    }
    if (owner === opts.pid ? !stale : opts.isAlive(owner) && !stale) continue;
    const c = claim(dataDir, full, opts.pid);
    if (c) claimed.push(c);
  }
  const live = claim(dataDir, spoolPath(dataDir), opts.pid);
  if (live) claimed.push(live);
  return claimed;
}

function reject(dataDir: string, raw: string, reason: string, now: number): void {
  fs.appendFileSync(path.join(dataDir, REJECTED_FILE), `${JSON.stringify({ rejected_at: now, reason, line: raw })}\n`);
}

/** Minimal shape check; the recorder does the real validation. */
function looksLikeInvocation(v: unknown): v is CapturedInvocation {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.skill_name === 'string' && typeof o.session_id === 'string' && typeof o.dedupe_key === 'string';
}

interface Pending {
  raw: string;
  input: CapturedInvocation;
}

/** Quarantined lines in a row with nothing recorded in between, across the batches of one drain. */
interface Streak {
  quarantined: number;
}

/**
 * Records a batch; when the batch fails for a non-transient reason, records
 * item by item so that a bad line is rejected (invalid) or quarantined (any
 * other non-transient error) and the others still land.
 */
async function recordBatch(
  batch: Pending[],
  record: RecordBatch,
  onReject: (p: Pending, reason: string) => void,
  streak: Streak,
): Promise<{ inserted: number; duplicates: number }> {
  try {
    const r = await record(batch.map((b) => b.input));
    streak.quarantined = 0;
    return r;
  } catch (err) {
    if (isTransientRecordError(err) || batch.length === 0) throw err;
  }
  let inserted = 0;
  let duplicates = 0;
  for (const item of batch) {
    try {
      const r = await record([item.input]);
      inserted += r.inserted;
      duplicates += r.duplicates;
      streak.quarantined = 0;
    } catch (err) {
      if (isInvalidInputError(err)) {
        onReject(item, (err as Error).message);
        continue;
      }
      if (isTransientRecordError(err) || streak.quarantined >= MAX_QUARANTINE_STREAK) throw err;
      streak.quarantined++;
      onReject(item, `quarantined: ${(err as Error)?.message ?? String(err)}`);
    }
  }
  return { inserted, duplicates };
}

async function drainFile(
  dataDir: string,
  file: string,
  record: RecordBatch,
  batchSize: number,
  maxLineBytes: number,
  now: number,
  sum: DrainSummary,
): Promise<void> {
  const streak: Streak = { quarantined: 0 };
  let batch: Pending[] = [];
  const onReject = (p: Pending, reason: string) => {
    reject(dataDir, p.raw, reason, now);
    sum.rejected++;
  };
  const flush = async () => {
    const r = await recordBatch(batch, record, onReject, streak);
    sum.inserted += r.inserted;
    sum.duplicates += r.duplicates;
    batch = [];
  };
  for await (const piece of boundedLines(fs.createReadStream(file), maxLineBytes)) {
    if (piece.kind === 'oversize') {
      sum.lines++;
      reject(dataDir, piece.head, `line of ${piece.bytes} bytes is longer than the ${maxLineBytes}-byte cap`, now);
      sum.rejected++;
      continue;
    }
    const line = piece.text;
    if (line.trim() === '') continue;
    sum.lines++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      reject(dataDir, line, 'not JSON', now);
      sum.rejected++;
      continue;
    }
    if (!looksLikeInvocation(value)) {
      reject(dataDir, line, 'not an invocation object with skill_name, session_id and dedupe_key', now);
      sum.rejected++;
      continue;
    }
    batch.push({ raw: line, input: value });
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
}

/**
 * Puts a claimed file's content back in the spool after a failed drain,
 * copied in chunks (the file may be larger than a string can hold).
 */
function giveBack(dataDir: string, file: string): void {
  let src: number | null = null;
  let dst: number | null = null;
  try {
    src = fs.openSync(file, 'r');
    const buf = Buffer.alloc(1024 * 1024);
    let last = 10;
    let total = 0;
    for (;;) {
      const n = fs.readSync(src, buf, 0, buf.length, null);
      if (n === 0) break;
      dst ??= fs.openSync(spoolPath(dataDir), 'a', 0o600);
      fs.writeSync(dst, buf, 0, n);
      last = buf[n - 1]!;
      total += n;
    }
    if (total > 0 && last !== 10) fs.writeSync(dst!, '\n');
    fs.closeSync(src);
    src = null;
    fs.rmSync(file, { force: true });
  } catch {
    // left in place as `.draining`: reclaimed once stale
  } finally {
    if (src !== null) fs.closeSync(src);
    if (dst !== null) fs.closeSync(dst);
  }
}

/**
 * Records everything spooled so far, exactly once. Throws the recorder's
 * error (after giving the unrecorded files back) when recording fails.
 */
export async function drainSpool(dataDir: string, record: RecordBatch, opts: DrainOptions = {}): Promise<DrainSummary> {
  const o = {
    staleMs: opts.staleMs ?? 60_000,
    now: opts.now ?? Date.now(),
    pid: opts.pid ?? process.pid,
    isAlive: opts.isAlive ?? processAlive,
  };
  const batchSize = Math.max(1, opts.batchSize ?? 500);
  const maxLineBytes = Math.max(1, opts.maxLineBytes ?? MAX_LINE_BYTES);
  const sum: DrainSummary = { files: 0, lines: 0, inserted: 0, duplicates: 0, rejected: 0 };
  const claimed = claimAll(dataDir, o);
  for (let i = 0; i < claimed.length; i++) {
    const file = claimed[i]!;
    try {
      await drainFile(dataDir, file, record, batchSize, maxLineBytes, o.now, sum);
    } catch (err) {
      for (const rest of claimed.slice(i)) giveBack(dataDir, rest);
      throw err;
    }
    sum.files++;
    fs.rmSync(file, { force: true });
  }
  return sum;
}
