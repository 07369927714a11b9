/**
 * The ranges of an import, claimed one at a time, in order, by whichever
 * thread is free: the scan workers and the importing thread share one list
 * and a few words of shared memory, so a worker takes its next range by
 * itself (no message to the importing thread, which may be busy writing) and
 * the importing thread takes one whenever the one it needs next is not in yet.
 *
 * A claim is bounded: no range is claimed `aheadRanges` ranges, or
 * `aheadBytes` bytes, or more past the first range the importing thread has
 * not consumed yet, so results waiting for their turn stay within memory.
 */

/** Words of the control array. */
const NEXT = 0;
const CONSUMED = 1;
const STOP = 2;
const CONTROL_WORDS = 3;

/** The owner of a range claimed by the importing thread (a worker's is its number, from 1). */
export const IMPORTER = -1;

export interface ClaimLimits {
  /** Ranges claimed past the first not consumed. */
  aheadRanges: number;
  /** Bytes of ranges claimed past the first not consumed. */
  aheadBytes: number;
}

/** The shared part: made by the importing thread, sent to each worker. */
export interface ClaimBoard {
  control: SharedArrayBuffer;
  owners: SharedArrayBuffer;
  /** Bytes of each range, in order. */
  sizes: number[];
  limits: ClaimLimits;
}

/** No range left to claim. */
export const DONE = -1;
/** The next range is too far ahead: wait for the importing thread to consume (`waitForConsumed`). */
export const AHEAD = -2;

export class Claims {
  private readonly control: Int32Array;
  private readonly owners: Int32Array;
  /** Bytes before range i. */
  private readonly before: Float64Array;
  /** What `claim` last saw consumed (`waitForConsumed` waits for it to change). */
  private seenConsumed = 0;

  constructor(readonly board: ClaimBoard) {
    this.control = new Int32Array(board.control);
    this.owners = new Int32Array(board.owners);
    this.before = new Float64Array(board.sizes.length + 1);
    for (let i = 0; i < board.sizes.length; i++) this.before[i + 1] = this.before[i]! + board.sizes[i]!;
  }

  static board(sizes: readonly number[], limits: ClaimLimits): ClaimBoard {
    return {
      control: new SharedArrayBuffer(CONTROL_WORDS * 4),
      owners: new SharedArrayBuffer(Math.max(1, sizes.length) * 4),
      sizes: [...sizes],
      limits: { aheadRanges: Math.max(1, limits.aheadRanges), aheadBytes: Math.max(1, limits.aheadBytes) },
    };
  }

  get count(): number {
    return this.board.sizes.length;
  }

  /**
   * Claims the next range for `owner`: its index, or DONE, or AHEAD. The range's owner is set by
   * compare-and-swap on its slot, then the shared counter is moved past it; a thread that finds
   * the slot taken moves the counter on itself, so a claimer that stops between the two steps
   * stops no one.
   */
  claim(owner: number): number {
    for (;;) {
      if (Atomics.load(this.control, STOP) !== 0) return DONE;
      const i = Atomics.load(this.control, NEXT);
      if (i >= this.count) return DONE;
      const consumed = Atomics.load(this.control, CONSUMED);
      this.seenConsumed = consumed;
      const { aheadRanges, aheadBytes } = this.board.limits;
      if (i > consumed && (i - consumed >= aheadRanges || this.before[i]! - this.before[consumed]! >= aheadBytes)) return AHEAD;
      const won = Atomics.compareExchange(this.owners, i, 0, owner) === 0;
      Atomics.compareExchange(this.control, NEXT, i, i + 1);
      if (won) return i;
    }
  }

  /** Who claimed range i (0: no one yet). */
  owner(i: number): number {
    return Atomics.load(this.owners, i);
  }

  /** The importing thread has consumed the ranges before `count`: claims may go further. */
  consumed(count: number): void {
    Atomics.store(this.control, CONSUMED, count);
    Atomics.notify(this.control, CONSUMED);
  }

  /**
   * Blocks (a worker, after AHEAD) until more ranges are consumed than `claim` saw, the claims are
   * stopped, or `timeoutMs` passes.
   */
  waitForConsumed(timeoutMs: number): void {
    if (Atomics.load(this.control, STOP) !== 0) return;
    Atomics.wait(this.control, CONSUMED, this.seenConsumed, timeoutMs);
  }

  /** No more claims (the import is over or failed); wakes waiting workers. */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, CONSUMED);
  }
}
