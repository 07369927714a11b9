/**
 * `session-buddy import`: reads Claude Code transcript files (a file, or a
 * directory walked recursively for *.jsonl) and records their tool calls.
 * Idempotent through dedupe keys `cc:<session>:<tool_use_id>`, which hook
 * capture uses too. Malformed lines and unreadable files are counted, never
 * fatal. See transcript-pairing.ts for how calls are paired and judged.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { TranscriptPairer } from './transcript-pairing.js';
import { isInvalidInputError, type CapturedInvocation, type RecordBatch } from './types.js';

/** A transcript not modified for this long is treated as finished. */
export const DEFAULT_SETTLE_MS = 10 * 60_000;

export interface ImportOptions {
  userId: string;
  record: RecordBatch;
  /** Epoch ms, compared with file modification times. */
  now: number;
  settleMs?: number;
  batchSize?: number;
  /** Bytes read so far over the total size of all files. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface ImportSummary {
  files: number;
  /** Non-blank lines read. */
  lines: number;
  malformed: number;
  /** Invocations found (recorded or duplicate or rejected). */
  invocations: number;
  inserted: number;
  duplicates: number;
  /** Invocations the store refused as invalid. */
  rejected: number;
  /** Calls without a result in transcripts that may still grow; not recorded. */
  pending: number;
  /** Files that could not be read. */
  unreadable: number;
}

export interface TranscriptFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Lists *.jsonl files under a file or directory (symlinked directories are not followed). */
export async function findTranscriptFiles(target: string): Promise<TranscriptFile[]> {
  const st = await fs.promises.stat(target);
  if (st.isFile()) return [{ path: target, size: st.size, mtimeMs: st.mtimeMs }];
  const out: TranscriptFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && e.name.toLowerCase().endsWith('.jsonl')) {
        try {
          const s = await fs.promises.stat(full);
          out.push({ path: full, size: s.size, mtimeMs: s.mtimeMs });
        } catch {
          // vanished while walking
        }
      }
    }
  };
  await walk(target);
  return out;
}

async function recordAll(
  inputs: CapturedInvocation[],
  record: RecordBatch,
  batchSize: number,
  sum: ImportSummary,
): Promise<void> {
  for (let i = 0; i < inputs.length; i += batchSize) {
    const batch = inputs.slice(i, i + batchSize);
    try {
      const r = await record(batch);
      sum.inserted += r.inserted;
      sum.duplicates += r.duplicates;
      continue;
    } catch (err) {
      if (!isInvalidInputError(err)) throw err;
    }
    for (const one of batch) {
      try {
        const r = await record([one]);
        sum.inserted += r.inserted;
        sum.duplicates += r.duplicates;
      } catch (err) {
        if (!isInvalidInputError(err)) throw err;
        sum.rejected++;
      }
    }
  }
}

/**
 * Imports every transcript under `target`. Store failures (other than invalid
 * input) propagate: the import can simply be run again.
 */
export async function importTranscripts(target: string | readonly string[], opts: ImportOptions): Promise<ImportSummary> {
  const targets = typeof target === 'string' ? [target] : target;
  const files: TranscriptFile[] = [];
  for (const t of targets) files.push(...(await findTranscriptFiles(t)));
  const total = files.reduce((s, f) => s + f.size, 0);
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  const batchSize = Math.max(1, opts.batchSize ?? 500);
  const sum: ImportSummary = {
    files: 0,
    lines: 0,
    malformed: 0,
    invocations: 0,
    inserted: 0,
    duplicates: 0,
    rejected: 0,
    pending: 0,
    unreadable: 0,
  };
  let done = 0;
  opts.onProgress?.(0, total);

  for (const file of files) {
    const pairer = new TranscriptPairer(opts.userId, TranscriptPairer.sessionIdFromPath(file.path));
    const fileStart = done;
    try {
      const stream = fs.createReadStream(file.path);
      stream.on('data', (chunk) => {
        done += chunk.length;
        opts.onProgress?.(Math.min(done, total), total);
      });
      const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
      for await (const line of rl) {
        if (line.trim() === '') continue;
        sum.lines++;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          sum.malformed++;
          continue;
        }
        if (!pairer.addLine(value)) sum.malformed++;
      }
    } catch {
      sum.unreadable++;
      done = fileStart + file.size;
      opts.onProgress?.(Math.min(done, total), total);
      continue;
    }
    sum.files++;
    const { invocations, pending } = pairer.finish(opts.now - file.mtimeMs >= settleMs);
    sum.invocations += invocations.length;
    sum.pending += pending;
    await recordAll(invocations, opts.record, batchSize, sum);
  }
  opts.onProgress?.(total, total);
  return sum;
}
