/**
 * Where `import` stopped in each transcript file (table `transcript_cursors`,
 * migration 0008). One implementation per back-end, same file name:
 * sqlite/transcript-cursors.ts and postgres/transcript-cursors.ts.
 */
export interface TranscriptCursor {
  /** Absolute path of the transcript file. */
  path: string;
  /** File size and modification time when the cursor was written. */
  size: number;
  mtimeMs: number;
  /** Bytes consumed: the end of the last complete line read. */
  offset: number;
  /** Lines before `offset` (to report file:line for later lines). */
  lineCount: number;
  /** Hashes of the file's first bytes and of the bytes just before `offset` (see transcript-cursor.ts). */
  headHash: string;
  tailHash: string;
  /** Opaque JSON written by the importer (pairing state carried across appends). */
  state: string;
}

export interface TranscriptCursorStore {
  /** Every cursor whose path is in `paths`. */
  get(paths: readonly string[]): Promise<Map<string, TranscriptCursor>>;
  /** Inserts or replaces cursors. */
  put(cursors: readonly TranscriptCursor[], now: number): Promise<void>;
}
