/**
 * The native transcript line scanner (native/transcript_scan.cc), built by
 * `npm install` (scripts/build-native.mjs) when a C++ compiler is at hand.
 * Without it, transcript-scan.ts decodes lines in JavaScript, to the same
 * result, only slower.
 */
import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeScanner {
  /** The build's code path: SSE2, or portable code (CPUs without it, e.g. ARM; scripts/check-portable-scanner.mjs). */
  readonly simd: 'sse2' | 'portable';
  /**
   * Scans the lines of `buf` that start in [from, stopAt) and end before `to` (with `final`, the
   * bytes after the last newline before `to` are a line too). Returns undefined when no line needs
   * decoding, else a JSON array of line tuples `[i, type, …]` (an assistant or user line: what
   * pairing reads of it, transcript-pairing.ts LineTuple) and `[i, reason]` (a malformed line),
   * where `i` counts the line breaks before the line within the call. `meta` receives [offset after the last line consumed, line breaks, non-blank lines].
   * `utf8To` (utf8CheckedTo): [from, utf8To) is known to be valid UTF-8, so the lines ending by then are not checked again.
   */
  scan(
    buf: Uint8Array,
    from: number,
    to: number,
    stopAt: number,
    final: boolean,
    maxLineBytes: number,
    meta: Int32Array,
    inputKeys: readonly string[],
    utf8To?: number,
  ): string | undefined;
}

/**
 * How far the lines of buf from `from` (a line start) are valid UTF-8, for the scanner's `utf8To`:
 * up to the last newline before `to` (with `final`, to `to`), or `from` when that part is not.
 * Node's isUtf8 (simdutf) checks a chunk several times faster than the scanner's own per-line
 * check, and a chunk that fails (a cut or invalid character) is left to that check.
 */
export function utf8CheckedTo(buf: Uint8Array, from: number, to: number, final: boolean): number {
  if (to <= from) return from;
  const end = final ? to : buf.lastIndexOf(0x0a, to - 1);
  return end > from && isUtf8(buf.subarray(from, end)) ? end : from;
}

/** Where the addon is built, from this module in src/capture/ or bundled in dist/. */
const CANDIDATES = ['../../native/build/Release/transcript_scan.node', '../native/build/Release/transcript_scan.node'];

/** The addon, or null when it was not built (or does not load on this Node.js). */
export function loadNativeScanner(): NativeScanner | null {
  const require = createRequire(import.meta.url);
  for (const rel of CANDIDATES) {
    try {
      return require(fileURLToPath(new URL(rel, import.meta.url))) as NativeScanner;
    } catch {
      // Not built there, or built for another Node.js: the next place, then JavaScript.
    }
  }
  return null;
}
