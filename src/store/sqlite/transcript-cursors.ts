/** Transcript import cursors on SQLite (see cursor-types.ts). */
import type { SqliteDb } from '../database.js';
import type { TranscriptCursor, TranscriptCursorStore } from '../cursor-types.js';

interface Row {
  path: string;
  size: number;
  mtime_ms: number;
  offset_bytes: number;
  line_count: number;
  head_hash: string;
  tail_hash: string;
  state: string;
}

export function cursorFromRow(r: Row): TranscriptCursor {
  return {
    path: r.path,
    size: Number(r.size),
    mtimeMs: Number(r.mtime_ms),
    offset: Number(r.offset_bytes),
    lineCount: Number(r.line_count),
    headHash: r.head_hash,
    tailHash: r.tail_hash,
    state: r.state,
  };
}

export class SqliteTranscriptCursors implements TranscriptCursorStore {
  constructor(private readonly db: SqliteDb) {}

  async get(paths: readonly string[]): Promise<Map<string, TranscriptCursor>> {
    const out = new Map<string, TranscriptCursor>();
    const select = this.db.prepare('SELECT * FROM transcript_cursors WHERE path IN (SELECT value FROM json_each(?))');
    for (let i = 0; i < paths.length; i += 5000) {
      for (const r of select.all(JSON.stringify(paths.slice(i, i + 5000))) as Row[]) out.set(r.path, cursorFromRow(r));
    }
    return out;
  }

  async put(cursors: readonly TranscriptCursor[], now: number): Promise<void> {
    const upsert = this.db.prepare(
      `INSERT INTO transcript_cursors (path, size, mtime_ms, offset_bytes, line_count, head_hash, tail_hash, state, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, offset_bytes = excluded.offset_bytes,
         line_count = excluded.line_count, head_hash = excluded.head_hash, tail_hash = excluded.tail_hash,
         state = excluded.state, updated_at = excluded.updated_at`,
    );
    this.db.transaction(() => {
      for (const c of cursors) upsert.run(c.path, c.size, c.mtimeMs, c.offset, c.lineCount, c.headHash, c.tailHash, c.state, now);
    })();
  }
}
