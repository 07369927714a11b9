/**
 * Sits between stdin and the SDK's StdioServerTransport: passes every
 * newline-terminated line of at most `maxLineBytes` (its newline included)
 * through unchanged, and drops a longer one without ever holding it whole,
 * keeping only its first and last few KiB, which it hands to `onOversize`.
 *
 * Without it, a line over the transport's buffer limit makes the transport throw,
 * close itself and end `session-buddy mcp` with nothing said.
 *
 * Lines reach the transport one by one, each in a single chunk (the readable side
 * is in object mode, so chunks are never merged), and a line is pushed only once
 * its newline has arrived: the transport's read buffer never holds more than one
 * line, so a transport built with `maxBufferSize: maxLineBytes` never overflows.
 * A line that arrived in one chunk is passed as a view of that chunk (no copy);
 * one spread over several chunks is joined once (the transport then appends it in
 * one step, where it would otherwise re-copy its growing buffer on every chunk).
 */
import { Transform, type TransformCallback } from 'node:stream';

export interface OversizeLine {
  /** The line's size, its newline not counted. */
  bytes: number;
  /** Its first `keepBytes` bytes. */
  head: Buffer;
  /** Its last `keepBytes` bytes (before the newline). */
  tail: Buffer;
  /** false: the input ended before the line's newline. */
  terminated: boolean;
}

export interface StdioLineGuardOptions {
  /** The longest line passed through, its newline included. */
  maxLineBytes: number;
  /** Called once per dropped line, after its end. */
  onOversize(line: OversizeLine): void;
  /** How much of the start and of the end of a dropped line is kept (default 4 KiB each). */
  keepBytes?: number;
}

const NEWLINE = 0x0a;

interface Dropping {
  bytes: number;
  head: Buffer;
  tail: Buffer;
}

export class StdioLineGuard extends Transform {
  readonly #max: number;
  readonly #keep: number;
  readonly #onOversize: (line: OversizeLine) => void;
  /** The pieces of the current line, while it is within the limit. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** The current line, once it is over the limit. */
  #dropping: Dropping | null = null;

  constructor(opts: StdioLineGuardOptions) {
    super({ readableObjectMode: true });
    this.#max = opts.maxLineBytes;
    this.#keep = opts.keepBytes ?? 4096;
    this.#onOversize = opts.onOversize;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl + 1;
      this.#take(chunk.subarray(start, end), nl !== -1);
      start = end;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // The input ended inside a line: what the transport would have held unread.
    if (this.#dropping) this.#endDropped(false);
    else if (this.#pendingBytes > 0) this.push(Buffer.concat(this.#pending, this.#pendingBytes));
    this.#pending = [];
    this.#pendingBytes = 0;
    callback();
  }

  /** One piece of a line; `complete`: it ends with the line's newline. */
  #take(piece: Buffer, complete: boolean): void {
    if (this.#dropping) return this.#drop(piece, complete);
    const total = this.#pendingBytes + piece.length;
    if (total > this.#max) {
      this.#dropping = { bytes: 0, head: Buffer.alloc(0), tail: Buffer.alloc(0) };
      for (const held of this.#pending) this.#drop(held, false);
      this.#pending = [];
      this.#pendingBytes = 0;
      return this.#drop(piece, complete);
    }
    if (!complete) {
      this.#pending.push(piece);
      this.#pendingBytes = total;
      return;
    }
    this.push(this.#pending.length === 0 ? piece : Buffer.concat([...this.#pending, piece], total));
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Counts a piece of an oversize line, keeping its start and end only (copies: the chunk is not retained). */
  #drop(piece: Buffer, complete: boolean): void {
    const d = this.#dropping!;
    const data = complete ? piece.subarray(0, piece.length - 1) : piece;
    d.bytes += data.length;
    if (d.head.length < this.#keep) d.head = Buffer.concat([d.head, data.subarray(0, this.#keep - d.head.length)]);
    d.tail = data.length >= this.#keep ? Buffer.from(data.subarray(data.length - this.#keep)) : Buffer.concat([d.tail, data]).subarray(-this.#keep);
    if (complete) this.#endDropped(true);
  }

  #endDropped(terminated: boolean): void {
    const { bytes, head, tail } = this.#dropping!;
    this.#dropping = null;
    this.#onOversize({ bytes, head, tail, terminated });
  }
}
