/**
 * Reads one byte range of a transcript file and decodes what pairing needs,
 * never holding more than one line (capped) in memory. Runs in the scan
 * workers (transcript-scan-worker.ts) or inline for small work.
 *
 * Range: the lines that START in [start, end). A range that begins inside a
 * line skips to the next one (the range before it owns that line); the last
 * line of a range may be read past `end` (never past `fileEnd`).
 *
 * Per line, cheapest test first:
 *  - blank: ignored (not counted);
 *  - longer than `maxLineBytes`: malformed (`oversize`), skipped without
 *    being held in memory;
 *  - not `{…}` (a truncated line ends without its closing brace): malformed;
 *  - not valid UTF-8: malformed;
 *  - shorter than 4 KiB and cannot hold a tool call or a user prompt (typed skills; with costs, a prompt also ends a skill's span) (no
 *    `"tool_use"`, `"tool_result"`, `"assistant"` or `"user"` in the bytes):
 *    skipped without JSON.parse;
 *  - otherwise decoded (JSON.parse, or for lines of 4 KiB and more only the
 *    fields pairing reads, see transcript-lazy-json.ts); invalid JSON or an
 *    incomplete tool block: malformed.
 *
 * Where the native scanner is built (native-scan.ts), it takes the lines of
 * each read chunk in one call and makes the same decisions in C++, returning
 * only the fields pairing reads of the lines to decode, as line tuples
 * (transcript-pairing.ts LineTuple), and the malformed ones. The JavaScript
 * path makes the same tuples of what it decodes (lineTuple), and one
 * EventDecoder per range turns tuples into events. Both paths give the same
 * result (native-scan.test.ts).
 */
import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { loadNativeScanner, type NativeScanner, utf8CheckedTo } from './native-scan.js';
import { TOOL_INPUT_KEYS } from './tool-mapping.js';
import { reduceLine } from './transcript-lazy-json.js';
import { type CallEvent, EventDecoder, fullerUsage, type LineTuple, lineTuple, type TranscriptEvent } from './transcript-pairing.js';

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;
/**
 * Bytes read at a time (a longer line grows the buffer). Small enough that what a read copies in is
 * still in the core's cache when the lines are scanned: with 4 MiB reads the import spent about 0.3 s
 * more system time on the 1 GiB bench tree (BENCHMARKS.md).
 */
export const CHUNK = 256 * 1024;
const NL = 0x0a;

export interface ScanRequest {
  path: string;
  start: number;
  end: number;
  /** Size of the file when the import began: nothing past it is read. */
  fileEnd: number;
  /** Whether `start` is the start of a line (the file's start or the import cursor). */
  atLineStart: boolean;
  /** A last line without its newline at `fileEnd` is read too (the file is finished). */
  takeUnterminated: boolean;
  maxLineBytes: number;
  fallbackSessionId: string;
  /** Decode API calls and typed prompts too, for skill costs (transcript-pairing.ts CallEvent). */
  costs?: boolean;
  /** Decode lines with the native scanner when it is built (default); false: in JavaScript. */
  native?: boolean;
}

interface MalformedLine {
  /** 1-based, counted from the first line of the range. */
  line: number;
  reason: string;
}

export interface ScanResult {
  events: TranscriptEvent[];
  /** Non-blank lines in the range. */
  lines: number;
  /** Lines that were counted (blank ones included), to number later ranges. */
  lineBreaks: number;
  malformed: number;
  /** The first malformed lines (at most `MAX_REPORTED`). */
  malformedAt: MalformedLine[];
  /** File offset just past the last line consumed; -1 when the range holds no line start. */
  consumedEnd: number;
  /** Bytes of the lines consumed (from the range's first line to `consumedEnd`). */
  bytes: number;
}

const MAX_REPORTED = 50;
/** Lines from this long are decoded lazily (transcript-lazy-json.ts). */
const LAZY_MIN_BYTES = 4096;

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
/**
 * The words a decoded line must hold (the search stops at the first found): the line types
 * first, found early in nearly every line that has one; the tool words are a search of the
 * whole line when absent.
 */
const NEEDLES = ['"assistant"', '"user"', '"tool_use"', '"tool_result"'].map((s) => Buffer.from(s));

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;
}

/**
 * A read buffer kept from one range to the next by whoever scans many
 * (a worker, an import): a new buffer per range would cost the kernel a page
 * fault per 4 KiB of it, more system time than the reads themselves.
 */
export class ScanBuffer {
  buf: Buffer | null = null;
  /** The native scanner, loaded on first use (null: not built). */
  private nativeScanner: NativeScanner | null | undefined;

  native(): NativeScanner | null {
    if (this.nativeScanner === undefined) this.nativeScanner = loadNativeScanner();
    return this.nativeScanner;
  }

  /** A buffer of `size` bytes, the kept one when it is big enough. */
  take(size: number): Buffer {
    if (this.buf && this.buf.length >= size) return this.buf;
    const buf = Buffer.allocUnsafeSlow(size);
    this.keep(buf);
    return buf;
  }

  /** Keeps `buf` for the next range unless it grew past the usual size (one very long line). */
  keep(buf: Buffer): void {
    if (buf.length <= KEEP_MAX_BYTES && buf.length >= (this.buf?.length ?? 0)) this.buf = buf;
  }
}

/** Buffers up to this size are kept for the next range. */
const KEEP_MAX_BYTES = 2 * CHUNK;

export function scanRange(req: ScanRequest, scratch: ScanBuffer = new ScanBuffer()): ScanResult {
  const res: ScanResult = { events: [], lines: 0, lineBreaks: 0, malformed: 0, malformedAt: [], consumedEnd: req.start, bytes: 0 };
  const fd = fs.openSync(req.path, 'r');
  let firstLine: number;
  try {
    firstLine = scan(fd, req, res, scratch);
  } finally {
    fs.closeSync(fd);
  }
  res.bytes = firstLine < 0 ? 0 : Math.max(0, res.consumedEnd - firstLine);
  return res;
}

/** Scans; returns the offset of the range's first line. */
function scan(fd: number, req: ScanRequest, res: ScanResult, scratch: ScanBuffer): number {
  let pos = req.start;
  if (!req.atLineStart && pos > 0) {
    // Begins inside a line unless the byte before is a newline.
    const one = Buffer.alloc(1);
    fs.readSync(fd, one, 0, 1, pos - 1);
    if (one[0] !== NL) {
      const next = findNewline(fd, pos, req.fileEnd);
      if (next < 0) {
        // Inside the file's last line, which has no newline yet: the range before owns it.
        res.consumedEnd = -1;
        return -1;
      }
      pos = next + 1;
    }
  }
  res.consumedEnd = pos;
  const firstLine = pos;
  // A small file (or what is left of one) needs no more than its own size.
  let buf = scratch.take(Math.min(CHUNK, req.maxLineBytes + 1, Math.max(4096, req.fileEnd - pos + 1)));
  let len = 0; // valid bytes in buf, which starts at file offset `pos`
  const lastMessage = new Map<string, string>();
  let skipping = false; // inside an oversize line: its bytes are dropped up to its newline
  const lastCall = new Map<string, CallEvent>(); // chain -> its last call event
  let eof = false;
  // The native scanner takes buffers under 2 GiB (buf never exceeds maxLineBytes + 1).
  const native = req.native === false || req.maxLineBytes >= 2 ** 31 - 1 ? null : scratch.native();
  const lines: LineState = {
    req,
    res,
    lastMessage,
    lastCall,
    meta: new Int32Array(3),
    decoder: new EventDecoder(req.fallbackSessionId, req.costs === true),
    events: [],
  };
  for (;;) {
    if (!eof && len < buf.length) {
      const want = Math.min(buf.length - len, req.fileEnd - (pos + len));
      const n = want > 0 ? fs.readSync(fd, buf, len, want, pos + len) : 0;
      if (n === 0) eof = true;
      len += n;
    }
    const view = buf.subarray(0, len);
    let lineStart = 0;
    while (skipping || (!native && pos + lineStart < req.end)) {
      const nl = view.indexOf(NL, lineStart);
      if (nl < 0) break;
      if (skipping) skipping = false;
      else handleLine(buf, lineStart, nl, lines);
      res.lineBreaks++;
      lineStart = nl + 1;
      res.consumedEnd = pos + lineStart;
    }
    if (native && !skipping) lineStart = nativeLines(native, buf, lineStart, len, req.end - pos, false, pos, lines);
    if (!skipping && pos + lineStart >= req.end) return firstLine; // every line starting in the range is done
    if (lineStart > 0) {
      buf.copyWithin(0, lineStart, len);
      pos += lineStart;
      len -= lineStart;
    }
    if (eof) {
      // A last line without its newline: taken only when the file is finished.
      if (len > 0 && req.takeUnterminated) {
        if (native && !skipping) nativeLines(native, buf, 0, len, Number.POSITIVE_INFINITY, true, pos, lines);
        else {
          if (!skipping) handleLine(buf, 0, len, lines);
          res.lineBreaks++;
          res.consumedEnd = pos + len;
        }
      }
      return firstLine;
    }
    if (len === buf.length) {
      if (skipping || len > req.maxLineBytes) {
        // Longer than the cap: counted once, its bytes dropped until its newline.
        if (!skipping) {
          res.lines++;
          malformed(res, 'oversize');
        }
        skipping = true;
        pos += len;
        len = 0;
      } else {
        const bigger = Buffer.allocUnsafeSlow(Math.min(buf.length * 2, req.maxLineBytes + 1));
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
        scratch.keep(buf);
      }
    }
  }
}

function findNewline(fd: number, from: number, fileEnd: number): number {
  const b = Buffer.allocUnsafe(64 * 1024);
  let pos = from;
  while (pos < fileEnd) {
    const n = fs.readSync(fd, b, 0, Math.min(b.length, fileEnd - pos), pos);
    if (n === 0) break;
    const i = b.subarray(0, n).indexOf(NL);
    if (i >= 0) return pos + i;
    pos += n;
  }
  return -1;
}

/** `line`: 1-based in the range; by default the line being read (lineBreaks counts the lines before it). */
function malformed(res: ScanResult, reason: string, line = res.lineBreaks + 1): void {
  res.malformed++;
  if (res.malformedAt.length < MAX_REPORTED) res.malformedAt.push({ line, reason });
}

/** What decoding lines of one range keeps from line to line. */
interface LineState {
  req: ScanRequest;
  res: ScanResult;
  lastMessage: Map<string, string>;
  lastCall: Map<string, CallEvent>;
  /** The native scanner's out-parameters. */
  meta: Int32Array;
  decoder: EventDecoder;
  /** One line's events (reused). */
  events: TranscriptEvent[];
}

/**
 * The lines of buf starting in [from, stopAt) and ended before `to` (with `final`, the rest is a
 * line too), decoded by the native scanner; `pos`: the file offset of buf[0]. Returns the offset in
 * buf after the last line consumed.
 */
function nativeLines(native: NativeScanner, buf: Buffer, from: number, to: number, stopAt: number, final: boolean, pos: number, st: LineState): number {
  const { req, res, meta } = st;
  const out = native.scan(buf, from, to, stopAt, final, req.maxLineBytes, meta, TOOL_INPUT_KEYS, utf8CheckedTo(buf, from, to, final));
  if (out !== undefined) {
    const before = res.lineBreaks;
    for (const t of JSON.parse(out) as Array<LineTuple | [number, string]>) {
      if (t.length === 2) malformed(res, t[1], before + t[0] + 1);
      else addEvents(t, st, before + t[0] + 1);
    }
  }
  res.lineBreaks += meta[1]!;
  res.lines += meta[2]!;
  if (meta[1]! > 0) res.consumedEnd = pos + meta[0]!;
  return meta[0]!;
}

function handleLine(buf: Buffer, from: number, to: number, st: LineState): void {
  const { req, res } = st;
  let a = from;
  let b = to;
  while (a < b && isSpace(buf[a]!)) a++;
  while (b > a && isSpace(buf[b - 1]!)) b--;
  if (a === b) return;
  res.lines++;
  if (b - a > req.maxLineBytes) return malformed(res, 'oversize');
  if (buf[a] !== OPEN || buf[b - 1] !== CLOSE) return malformed(res, 'not a JSON object (truncated?)');
  const line = buf.subarray(a, b);
  if (!isUtf8(line)) return malformed(res, 'not UTF-8');
  const lazy = line.length >= LAZY_MIN_BYTES;
  // A short line is searched for the words a tool call needs; a long one is walked lazily instead
  // (cheaper than searching it: the walk jumps over its strings).
  if (!lazy && !NEEDLES.some((n) => line.indexOf(n) >= 0)) return;
  let value: unknown;
  try {
    // Long lines are mostly tool output that pairing never reads: decode only what it reads.
    value = lazy ? reduceLine(line) : JSON.parse(line.toString('utf8'));
  } catch {
    return malformed(res, 'invalid JSON');
  }
  const t = lineTuple(value);
  if (t === undefined) malformed(res, 'not a JSON object');
  else if (t !== null) addEvents(t, st, res.lineBreaks + 1);
}

/**
 * The events of one line's tuple (`line`: its number in the range). `lastMessage`: per chain, the
 * message id of the range's last `msg` event. Claude Code writes one line per content block of a
 * response, all with its message.id: a `msg` event with the same id as the one before it in its
 * chain moves nothing (TranscriptPairer.advanceChain), so it is not sent; nor is such a `call`
 * event, whose usage goes into the one sent (fullerUsage: the final output count is on the last line).
 */
function addEvents(t: LineTuple, st: LineState, line: number): void {
  const { res, lastMessage, lastCall, events } = st;
  events.length = 0;
  const ok = st.decoder.decode(t, events);
  for (const e of events) {
    if (e.k === 'call' && e.messageId !== null) {
      const prev = lastCall.get(e.chain);
      if (prev?.messageId === e.messageId) {
        prev.usage = fullerUsage(prev.usage, e.usage);
        continue;
      }
      lastCall.set(e.chain, e);
    } else if (e.k === 'msg' && e.messageId !== null) {
      if (lastMessage.get(e.chain) === e.messageId) continue;
      lastMessage.set(e.chain, e.messageId);
    } else if (e.k === 'msg') lastMessage.delete(e.chain);
    res.events.push(e);
  }
  if (!ok) malformed(res, 'tool block without id, name or timestamp', line);
}
