/**
 * `session-buddy import`: reads Claude Code transcript files (a file, or a
 * directory walked recursively for *.jsonl) and records their tool calls.
 * Idempotent through dedupe keys `cc:<tool_use_id>`, which hook capture uses
 * too. Incremental when given a cursor store: each file's cursor
 * (transcript-import-cursor.ts) says whether it is skipped, read from where
 * the last import stopped, or read again. Malformed lines and unreadable files
 * are counted and reported (file:line), never fatal. Large work is scanned in
 * 16 MiB ranges (transcript-scan.ts) by worker threads, which claim the ranges
 * themselves, and by the calling thread whenever the range it needs next is not
 * in yet (transcript-scan-pool.ts). A file whose new bytes fit in one range
 * (most files) is paired, attributed and fingerprinted where it is scanned
 * (transcript-scan-pair.ts); a longer one is paired (transcript-pairing.ts) on
 * the calling thread, in range order. Writing stays on the calling thread.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PriceTable } from '../analytics/model-prices.js';
import type { TranscriptCursor, TranscriptCursorStore } from '../store/cursor-types.js';
import type { Attribution, AttributedUsage } from '../store/skill-cost-types.js';
import { SkillAttributor, type AttributionCounts } from './skill-attribution.js';
import { type Fingerprint, fingerprint, planFor } from './transcript-import-cursor.js';
import { TranscriptPairer } from './transcript-pairing.js';
import { DEFAULT_MAX_LINE_BYTES, ScanBuffer, scanRange, type ScanRequest, type ScanResult } from './transcript-scan.js';
import { type ImportState, type PairedScanResult, type PairRequest, scanAndPair } from './transcript-scan-pair.js';
import { ScanPool } from './transcript-scan-pool.js';
import { loadNativeScanner } from './native-scan.js';
import { isInvalidInputError, type CapturedInvocation, type RecordBatch } from './types.js';

/** A transcript not modified for this long is treated as finished. */
export const DEFAULT_SETTLE_MS = 10 * 60_000;
/** Scan work is cut into ranges of this size. */
const RANGE_BYTES = 16 * 1024 * 1024;
/** Below this many bytes to read, worker threads cost more than they save. */
const WORKER_THRESHOLD_BYTES = 32 * 1024 * 1024;
/**
 * Invocations per transaction. Large: each transaction rewrites every index
 * and rollup page it touches (the dedupe index is in random order), so fewer,
 * larger ones write far fewer pages; the rollup deltas of a batch are summed
 * in memory first, one upsert per key. On the 1 GiB bench tree (52,601 calls)
 * 32,000 against 8,000 writes 43 % fewer WAL pages (21,067 page writes against
 * 37,283); a transaction then holds the write lock for about half a second,
 * which a concurrent writer waits out (busy timeout 5 s).
 */
const DEFAULT_BATCH_SIZE = 32_000;
/**
 * Scanning runs ahead of pairing by up to this many bytes of ranges (and
 * ranges): a range's result holds its events only, a small fraction of its bytes.
 */
const AHEAD_BYTES = 384 * 1024 * 1024;
const AHEAD_RANGES = 512;
/**
 * The fewest invocations written before the batch size is reached, when they are as many as the rest
 * of the import is expected to find (bufferFile), so that the last write, during which the scan
 * threads have nothing left to do, is small. On the 1 GiB bench tree (52,601 calls) the writes went
 * 26,550, 13,195, 6,449, 4,003 and 2,404 instead of 32,000 then 20,601: 4.6 % less wall time over
 * 10 alternating rounds, for 1.5 % more CPU. Once every range has been scanned (the workers are
 * done, the results wait here) an early write overlaps nothing, so the rest is written at once:
 * 26,550, 13,195 and 12,856 (BENCHMARKS.md, "The rest written at once").
 */
const MIN_EARLY_BATCH = 4000;
/** Cursors saved together (after the invocations of their files). */
const CURSOR_BATCH = 1000;
/** Malformed lines and unreadable files listed by name (all are counted). */
const MAX_LISTED = 20;

export interface ImportOptions {
  userId: string;
  record: RecordBatch;
  /** Epoch ms, compared with file modification times. */
  now: number;
  settleMs?: number;
  batchSize?: number;
  /** Where each file's import stopped; without it every file is read whole. */
  cursors?: TranscriptCursorStore;
  /** Longest line read (default 64 MiB); a longer one is malformed and skipped. */
  maxLineBytes?: number;
  /** Scan worker threads for large work (default: one fewer than the cores available, at most 4: this thread scans too); 0: none. */
  workers?: number;
  /** Tuning (tests): the fewest invocations written before `batchSize` is reached (see MIN_EARLY_BATCH). */
  minEarlyBatch?: number;
  /** Tuning (tests): range size, the bytes to read from which workers are used, and the bytes of ranges scanned ahead. */
  rangeBytes?: number;
  workerThresholdBytes?: number;
  aheadBytes?: number;
  /** Bytes read so far over the total to read. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;

  /**
   * Tokens and cost per skill (skill-attribution.ts): API calls attributed
   * and written through `record`; without it the import reads tool calls only.
   */
  costs?: {
    prices: PriceTable;
    /** The importing user's salted hash. */
    userHash: string;
    record: (rows: readonly AttributedUsage[]) => Promise<{ inserted: number; duplicates: number }>;
  };
}

/** What the import found of API calls and their attribution to skills. */
interface CostSummary {
  /** API calls read (each response once). */
  calls: number;
  /** Calls without a usage object or timestamp: counted here, attributed nowhere. */
  noUsage: number;
  /**
   * Attributed rows found, new and already recorded: one per call and rule, so a call attributed
   * under both rules counts twice (this is not a number of calls; see attributedByRule).
   */
  attributed: number;
  /** Of `attributed`, the rows under each rule (the import attributes by these two only). */
  attributedByRule: { stamped: number; bounded: number };
  inserted: number;
  duplicates: number;
  /** Attributed rows whose model has no price: cost unknown, tokens counted. */
  unpriced: number;
  /** Models without a price (the first 50). */
  unknownModels: string[];
  /** The price table used. */
  priceVersion: string;
}

export interface ImportSummary {
  files: number;
  /** Files skipped because they did not change since the last import. */
  unchanged: number;
  /** Of `unchanged`, those whose calls left without a result were settled now (recorded as failed) without reading them. */
  settled: number;
  /** Files read from where the last import stopped. */
  appended: number;
  /** Files read again from the start (truncated or rewritten since the last import). */
  reread: number;
  /** Files read again from the start for their costs: imported before without them (`--no-costs`). */
  rereadForCosts: number;
  /** Bytes read. */
  bytes: number;
  /** Non-blank lines read. */
  lines: number;
  malformed: number;
  /** The first malformed lines: `file:line: reason`. */
  malformedAt: string[];
  /** Invocations found (recorded or duplicate or rejected). */
  invocations: number;
  inserted: number;
  duplicates: number;
  /** Invocations the store refused as invalid. */
  rejected: number;
  /** Calls without a result in transcripts that may still grow; not recorded yet. */
  pending: number;
  /** Files (and directories that could not be listed, symlinks to missing files) that could not be read. */
  unreadable: number;
  /** The first of them: `path: reason`. */
  unreadableAt: string[];
  /** API calls and skill attribution; null when the import ran without costs. */
  costs: CostSummary | null;
  /** What decoded the lines: the native scanner (native-scan.ts), or JavaScript where it is not built. */
  scanner: 'native' | 'javascript';
}

export interface TranscriptFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * Lists *.jsonl files under a file or directory (symlinked directories are not
 * followed; symlinked files are). A directory that cannot be listed (EACCES…)
 * and a symlink to a missing file go to `unreadable`; what vanished while
 * walking is skipped. Synchronous calls inside: hundreds of stats cost
 * milliseconds, where each awaited one would wait for the thread pool.
 */
export async function findTranscriptFiles(target: string, unreadable: (path: string, err: unknown) => void = () => {}): Promise<TranscriptFile[]> {
  const st = fs.statSync(target);
  if (st.isFile()) return [{ path: target, size: st.size, mtimeMs: st.mtimeMs }];
  const out: TranscriptFile[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') unreadable(dir, err);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if ((e.isFile() || e.isSymbolicLink()) && e.name.toLowerCase().endsWith('.jsonl')) {
        let s: fs.Stats | undefined;
        try {
          s = fs.statSync(full);
        } catch (err) {
          // A symlink to nothing is reported; a file that vanished while walking is not.
          if (e.isSymbolicLink() || (err as NodeJS.ErrnoException).code !== 'ENOENT') unreadable(full, err);
          continue;
        }
        if (s.isFile()) out.push({ path: full, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
  };
  walk(target);
  return out;
}

async function recordAll(inputs: CapturedInvocation[], record: RecordBatch, batchSize: number, sum: ImportSummary): Promise<void> {
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

/** One file's part of the work. */
interface FileJob {
  file: TranscriptFile;
  /** First byte to read (0, or the cursor's offset when appended). */
  from: number;
  /** Lines before `from`. */
  lineBase: number;
  state: ImportState | undefined;
  settled: boolean;
  requests: ScanRequest[];
  /** Set when the file's read is one range: it is paired where it is scanned. */
  pair: PairRequest | null;
}

export function emptySummary(): ImportSummary {
  return {
    files: 0,
    unchanged: 0,
    appended: 0,
    reread: 0,
    rereadForCosts: 0,
    settled: 0,
    bytes: 0,
    lines: 0,
    malformed: 0,
    malformedAt: [],
    invocations: 0,
    inserted: 0,
    duplicates: 0,
    rejected: 0,
    pending: 0,
    unreadable: 0,
    unreadableAt: [],
    costs: null,
    scanner: loadNativeScanner() ? 'native' : 'javascript',
  };
}

function parseState(raw: string): ImportState | undefined {
  try {
    const s = JSON.parse(raw) as ImportState;
    return Array.isArray(s?.uses) && Array.isArray(s?.chains) ? s : undefined;
  } catch {
    return undefined;
  }
}

function requestsFor(file: TranscriptFile, from: number, settled: boolean, maxLineBytes: number, rangeBytes: number, costs: boolean): ScanRequest[] {
  const reqs: ScanRequest[] = [];
  const fallbackSessionId = TranscriptPairer.sessionIdFromPath(file.path);
  for (let start = from; start < file.size || reqs.length === 0; start += rangeBytes) {
    const end = Math.min(file.size, start + rangeBytes);
    reqs.push({
      path: file.path,
      start,
      end,
      fileEnd: file.size,
      atLineStart: start === from,
      takeUnterminated: settled,
      maxLineBytes,
      fallbackSessionId,
      ...(costs ? { costs } : {}),
    });
    if (end >= file.size) break;
  }
  return reqs;
}

/**
 * Imports every transcript under `target`. Store failures (other than invalid
 * input) propagate: the import can simply be run again.
 */
export async function importTranscripts(target: string | readonly string[], opts: ImportOptions): Promise<ImportSummary> {
  const targets = typeof target === 'string' ? [target] : target;
  const files: TranscriptFile[] = [];
  const unlisted: Array<[string, unknown]> = [];
  for (const t of targets) files.push(...(await findTranscriptFiles(t, (p, err) => unlisted.push([p, err]))));
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
  const minEarlyBatch = Math.max(1, opts.minEarlyBatch ?? MIN_EARLY_BATCH);
  const maxLineBytes = Math.max(1, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const sum = emptySummary();
  const { costs } = opts;
  const counts: AttributionCounts = { calls: 0, noUsage: 0, unpriced: 0, unknownModels: new Set() };
  const costSum: CostSummary | null = costs
    ? {
        calls: 0,
        noUsage: 0,
        attributed: 0,
        attributedByRule: { stamped: 0, bounded: 0 },
        inserted: 0,
        duplicates: 0,
        unpriced: 0,
        unknownModels: [],
        priceVersion: costs.prices.version,
      }
    : null;
  /** Rows buffered per rule (one increment per row, where it is buffered). */
  const byRule: Record<Attribution, number> = { stamped: 0, bounded: 0, telemetry: 0 };
  const newAttributor = (state: ImportState | undefined) => (costs ? new SkillAttributor(costs.userHash, costs.prices, counts, state?.costs) : null);
  const cursors = opts.cursors ? await opts.cursors.get([...new Set(files.map((f) => f.path))]) : new Map<string, TranscriptCursor>();

  const unreadable = (file: string, err: unknown) => {
    sum.unreadable++;
    if (sum.unreadableAt.length < MAX_LISTED) sum.unreadableAt.push(`${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  };
  for (const [p, err] of unlisted) unreadable(p, err);

  // Plan: what to read of each file.
  const jobs: FileJob[] = [];
  const finishOnly: FileJob[] = [];
  for (const file of files) {
    const settled = opts.now - file.mtimeMs >= settleMs;
    const cursor = cursors.get(file.path);
    let plan: ReturnType<typeof planFor>;
    try {
      plan = planFor(file, cursor);
    } catch (err) {
      unreadable(file.path, err);
      continue;
    }
    // The cursor's state, decoded once (of every file, on every import: an unchanged tree is mostly this).
    const saved = cursor && plan.kind !== 'new' ? parseState(cursor.state) : undefined;
    // A file imported without costs (`--no-costs`, or before costs were read) is read again for them:
    // its tool calls are duplicates then, its API calls new.
    if (costs && cursor && plan.kind !== 'new' && !saved?.costs) {
      plan = { kind: 'reread', reason: 'costs' };
      sum.rereadForCosts++;
    }
    if (plan.kind === 'unchanged') {
      sum.unchanged++;
      // Calls left pending last time are settled now: no read needed.
      if (settled && saved && saved.uses.length > 0)
        finishOnly.push({ file, from: cursor!.offset, lineBase: cursor!.lineCount, state: saved, settled, requests: [], pair: null });
      continue;
    }
    const appended = plan.kind === 'appended';
    if (appended) sum.appended++;
    if (plan.kind === 'reread' && plan.reason !== 'costs') sum.reread++;
    const from = appended ? cursor!.offset : 0;
    const state = appended ? saved : undefined;
    const requests = requestsFor(file, from, settled, maxLineBytes, Math.max(1, opts.rangeBytes ?? RANGE_BYTES), costs !== undefined);
    const pair: PairRequest | null =
      requests.length === 1
        ? {
            userId: opts.userId,
            settled,
            from,
            ...(state ? { state } : {}),
            ...(costs ? { costs: { prices: costs.prices, userHash: costs.userHash } } : {}),
            fingerprint: opts.cursors !== undefined,
          }
        : null;
    jobs.push({ file, from, lineBase: appended ? cursor!.lineCount : 0, state, settled, requests, pair });
  }

  const total = jobs.reduce((s, j) => s + (j.file.size - j.from), 0);
  let done = 0;
  opts.onProgress?.(0, total);
  const ranges = jobs.flatMap((job) => job.requests.map((req, i) => ({ job, req, first: i === 0, last: i === job.requests.length - 1 })));
  const workerCount = Math.min(opts.workers ?? Math.min(4, os.availableParallelism() - 1), 8);
  // With workers, every thread claims the next range (scan-claims.ts), up to AHEAD_BYTES of ranges
  // (and AHEAD_RANGES ranges) past the one being paired: the workers keep scanning while this thread writes.
  const pool =
    total >= (opts.workerThresholdBytes ?? WORKER_THRESHOLD_BYTES) && workerCount >= 1
      ? new ScanPool(
          workerCount,
          ranges.map(({ req, job }) => ({ req, pair: job.pair })),
          { aheadBytes: opts.aheadBytes ?? AHEAD_BYTES, aheadRanges: AHEAD_RANGES },
        )
      : null;
  const scratch = new ScanBuffer();
  /** Scans range i on this thread. */
  const scanHere = (i: number): ScanResult | Error => {
    const { req, job } = ranges[i]!;
    try {
      return job.pair ? scanAndPair(req, job.pair, scratch) : scanRange(req, scratch);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  };
  // Ranges are scanned in file order, ahead of the one being paired (bounded memory);
  // pairing and writing take them in order, one file at a time.
  // Invocations of several files are written together (fewer, larger transactions); a file's
  // cursor is saved only after its invocations are.
  const fingerprintBuffer = Buffer.allocUnsafeSlow(64 * 1024);
  let buffered: CapturedInvocation[] = [];
  let bufferedCursors: TranscriptCursor[] = [];
  let bufferedCosts: AttributedUsage[] = [];
  const flush = async (): Promise<void> => {
    const inputs = buffered;
    const cursorsToSave = bufferedCursors;
    const costRows = bufferedCosts;
    buffered = [];
    bufferedCursors = [];
    bufferedCosts = [];
    await recordAll(inputs, opts.record, batchSize, sum);
    if (costs && costSum && costRows.length > 0) {
      for (let i = 0; i < costRows.length; i += batchSize) {
        const r = await costs.record(costRows.slice(i, i + batchSize));
        costSum.inserted += r.inserted;
        costSum.duplicates += r.duplicates;
      }
    }
    if (opts.cursors && cursorsToSave.length > 0) await opts.cursors.put(cursorsToSave, opts.now);
  };
  /**
   * Buffers a file's invocations and, when cursors are kept, its cursor; true when the buffers
   * are due to be flushed. Synchronous and without callbacks on purpose: as an async function
   * that called back for the cursor, V8 deoptimized it on nearly every call (one import of 620
   * files: 585 deopts, about 0.3 s of CPU).
   */
  const bufferFile = (
    job: FileJob,
    invocations: readonly CapturedInvocation[],
    pending: number,
    offset: number,
    lineCount: number,
    fp: Fingerprint | null,
    state: string,
  ): boolean => {
    sum.files++;
    sum.invocations += invocations.length;
    sum.pending += pending;
    appendAll(buffered, invocations);
    if (opts.cursors && fp) {
      const { path, size, mtimeMs } = job.file;
      bufferedCursors.push({ path, size, mtimeMs, offset, lineCount, headHash: fp.headHash, tailHash: fp.tailHash, state });
    }
    // Toward the end, once what is buffered is as many calls as the bytes still to read are expected to
    // hold, it is written while the workers go on scanning: the last write, which nothing overlaps, stays
    // small. Once the workers have scanned every range, nothing would overlap such a write: the rest goes at once.
    const expectedLeft = done > 0 ? (sum.invocations / done) * (total - done) : Number.POSITIVE_INFINITY;
    return (
      buffered.length >= batchSize ||
      (buffered.length >= minEarlyBatch && buffered.length >= expectedLeft && !pool?.allIn()) ||
      bufferedCosts.length >= batchSize ||
      bufferedCursors.length >= CURSOR_BATCH
    );
  };
  const finishFile = (job: FileJob, pairer: TranscriptPairer, attributor: SkillAttributor | null, offset: number, lineCount: number): Promise<void> => {
    const { invocations, pending } = pairer.finish(job.settled);
    const fp = opts.cursors ? fingerprint(job.file.path, offset, fingerprintBuffer) : null;
    const state = opts.cursors ? JSON.stringify(attributor ? { ...pairer.state(), costs: attributor.state() } : pairer.state()) : '';
    return bufferFile(job, invocations, pending, offset, lineCount, fp, state) ? flush() : Promise.resolve();
  };

  /** Counts a range's lines, malformed lines (numbered from `lineBase`) and bytes. */
  const addScan = (job: FileJob, r: ScanResult, lineBase: number): void => {
    sum.lines += r.lines;
    sum.malformed += r.malformed;
    for (const m of r.malformedAt) {
      if (sum.malformedAt.length < MAX_LISTED) sum.malformedAt.push(`${job.file.path}:${lineBase + m.line}: ${m.reason}`);
    }
    sum.bytes += r.bytes;
  };
  /** Range i's result: scanned by a worker or here (ScanPool.result), or here after letting other callbacks run. */
  const resultOf = async (i: number): Promise<ScanResult | Error> => {
    if (pool) return pool.result(i, scanHere);
    await new Promise<void>((resolve) => setImmediate(resolve));
    return scanHere(i);
  };

  try {
    for (const job of finishOnly) {
      sum.settled++;
      const pairer = new TranscriptPairer(opts.userId, TranscriptPairer.sessionIdFromPath(job.file.path), job.state);
      await finishFile(job, pairer, newAttributor(job.state), job.from, job.lineBase);
    }
    await flush();
    let pairer: TranscriptPairer | null = null;
    let attributor: SkillAttributor | null = null;
    let fileCosts: AttributedUsage[] = [];
    let failed: Error | null = null;
    let lineCount = 0;
    let offset = 0;
    for (let i = 0; i < ranges.length; i++) {
      const { job, req, first, last } = ranges[i]!;
      const r = await resultOf(i);
      done += req.end - req.start;
      if (job.pair) {
        // Read, paired and fingerprinted in one step (transcript-scan-pair.ts).
        if (r instanceof Error) unreadable(job.file.path, r);
        else {
          const p = (r as PairedScanResult).paired;
          addScan(job, r, job.lineBase);
          counts.calls += p.counts.calls;
          counts.noUsage += p.counts.noUsage;
          counts.unpriced += p.counts.unpriced;
          for (const m of p.counts.unknownModels) if (counts.unknownModels.size < 50) counts.unknownModels.add(m);
          for (const row of p.costRows) {
            bufferedCosts.push(row);
            byRule[row.attribution]++;
          }
          if (bufferFile(job, p.invocations, p.pending, p.offset, job.lineBase + r.lineBreaks, p.fingerprint, p.state)) await flush();
        }
        opts.onProgress?.(Math.min(done, total), total);
        continue;
      }
      if (first) {
        pairer = new TranscriptPairer(opts.userId, TranscriptPairer.sessionIdFromPath(job.file.path), job.state);
        attributor = newAttributor(job.state);
        fileCosts = [];
        failed = null;
        lineCount = job.lineBase;
        offset = job.from;
      }
      if (r instanceof Error) failed ??= r;
      else if (!failed) {
        for (const e of r.events) {
          pairer!.addEvent(e);
          attributor?.add(e, fileCosts);
        }
        addScan(job, r, lineCount);
        lineCount += r.lineBreaks;
        offset = Math.max(offset, r.consumedEnd);
      }
      opts.onProgress?.(Math.min(done, total), total);
      if (last) {
        if (failed) unreadable(job.file.path, failed);
        else {
          // A file's rows are written with its invocations, before its cursor.
          for (const row of fileCosts) {
            bufferedCosts.push(row);
            byRule[row.attribution]++;
          }
          await finishFile(job, pairer!, attributor, offset, lineCount);
        }
      }
    }
    await flush();
  } finally {
    await pool?.close();
  }
  opts.onProgress?.(total, total);
  if (costSum) {
    costSum.calls = counts.calls;
    costSum.noUsage = counts.noUsage;
    costSum.unpriced = counts.unpriced;
    costSum.unknownModels = [...counts.unknownModels];
    costSum.attributed = costSum.inserted + costSum.duplicates;
    costSum.attributedByRule = { stamped: byRule.stamped, bounded: byRule.bounded };
    sum.costs = costSum;
  }
  return sum;
}

function appendAll<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}
