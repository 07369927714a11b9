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
 *   (`salted-sha256:…`, see store/salt.ts): raw ids never reach disk.
 * - Lines that are not JSON objects, or that the recorder rejects as invalid,
 *   go to `spool.rejected.jsonl` with the reason; they never block a drain.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { loadOrCreateSalt, prehashUserId } from '../store/salt.js';
import { ensureDir } from './ensure-dir.js';
import { isInvalidInputError, type CapturedInvocation, type RecordBatch } from './types.js';

export const SPOOL_FILE = 'spool.jsonl';
export const REJECTED_FILE = 'spool.rejected.jsonl';
/** Appends stop once the spool reaches this size (the server has been away for long). */
export const MAX_SPOOL_BYTES = 64 * 1024 * 1024;

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

/** The invocations with their user ids replaced by the salted pre-hash. */
export function withHashedUsers(dataDir: string, inputs: readonly CapturedInvocation[]): CapturedInvocation[] {
  const salt = loadOrCreateSalt(dataDir);
  return inputs.map((i) => ({ ...i, user_id: prehashUserId(salt, i.user_id) }));
}

/**
 * Appends invocations to the spool (synchronously: hooks exit right after),
 * user ids hashed. Returns false when the spool is full and nothing was
 * written; throws when the data directory cannot be written.
 */
export function appendToSpool(
  dataDir: string,
  inputs: readonly CapturedInvocation[],
  maxBytes: number = MAX_SPOOL_BYTES,
): boolean {
  if (inputs.length === 0) return true;
  ensureDir(dataDir);
  const hashed = withHashedUsers(dataDir, inputs);
  const text = hashed.map((i) => `${JSON.stringify({ ...i, dedupe_key: i.dedupe_key || `spool:${randomUUID()}` })}\n`).join('');
  const file = spoolPath(dataDir);
  if (spoolSize(dataDir) + Buffer.byteLength(text) > maxBytes) return false;
  // Two attempts at most: the second only if a drain renamed the file under us.
  for (let attempt = 0; attempt < 2; attempt++) {
    const fd = fs.openSync(file, 'a', 0o600);
    let written: number;
    try {
      fs.writeSync(fd, text);
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
  /** A `.draining` file of a live process is reclaimed only after this long. */
  staleMs?: number;
  now?: number;
  pid?: number;
  isAlive?: (pid: number) => boolean;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
function claimAll(dataDir: string, opts: Required<Omit<DrainOptions, 'batchSize'>>): string[] {
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

/**
 * Records a batch; when the recorder calls the batch invalid, records item by
 * item so that one bad line is rejected and the others still land.
 */
async function recordBatch(
  batch: Pending[],
  record: RecordBatch,
  onReject: (p: Pending, reason: string) => void,
): Promise<{ inserted: number; duplicates: number }> {
  try {
    return await record(batch.map((b) => b.input));
  } catch (err) {
    if (!isInvalidInputError(err) || batch.length === 0) throw err;
  }
  let inserted = 0;
  let duplicates = 0;
  for (const item of batch) {
    try {
      const r = await record([item.input]);
      inserted += r.inserted;
      duplicates += r.duplicates;
    } catch (err) {
      if (!isInvalidInputError(err)) throw err;
      onReject(item, (err as Error).message);
    }
  }
  return { inserted, duplicates };
}

async function drainFile(
  dataDir: string,
  file: string,
  record: RecordBatch,
  batchSize: number,
  now: number,
  sum: DrainSummary,
): Promise<void> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let batch: Pending[] = [];
  const onReject = (p: Pending, reason: string) => {
    reject(dataDir, p.raw, reason, now);
    sum.rejected++;
  };
  const flush = async () => {
    const r = await recordBatch(batch, record, onReject);
    sum.inserted += r.inserted;
    sum.duplicates += r.duplicates;
    batch = [];
  };
  for await (const line of rl) {
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

/** Puts a claimed file's content back in the spool after a failed drain. */
function giveBack(dataDir: string, file: string): void {
  try {
    const text = fs.readFileSync(file, 'utf8');
    if (text.trim() !== '') fs.appendFileSync(spoolPath(dataDir), text.endsWith('\n') ? text : `${text}\n`);
    fs.rmSync(file, { force: true });
  } catch {
    // left in place as `.draining`: reclaimed once stale
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
  const sum: DrainSummary = { files: 0, lines: 0, inserted: 0, duplicates: 0, rejected: 0 };
  const claimed = claimAll(dataDir, o);
  for (let i = 0; i < claimed.length; i++) {
    const file = claimed[i]!;
    try {
      await drainFile(dataDir, file, record, batchSize, o.now, sum);
    } catch (err) {
      for (const rest of claimed.slice(i)) giveBack(dataDir, rest);
      throw err;
    }
    sum.files++;
    fs.rmSync(file, { force: true });
  }
  return sum;
}
