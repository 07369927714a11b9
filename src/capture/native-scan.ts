/**
 * The native transcript line scanner (native/transcript_scan.cc), built by
 * `npm install` (scripts/build-native.mjs) when a C++ compiler is at hand.
 * Without it, transcript-scan.ts decodes lines in JavaScript, to the same
 * result, only slower.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeScanner {
  /**
   * Scans the lines of `buf` that start in [from, stopAt) and end before `to` (with `final`, the
   * bytes after the last newline before `to` are a line too). Returns undefined when no line needs
   * decoding, else a JSON array of `[i, reducedLine]` (a line to decode, transcript-lazy-json.ts
   * reduceLine) and `[i, reason]` (a malformed line), where `i` counts the line breaks before the
   * line within the call. `meta` receives [offset after the last line consumed, line breaks, non-blank lines].
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
  ): string | undefined;
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
