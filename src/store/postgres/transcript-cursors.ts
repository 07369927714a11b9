/** Transcript import cursors on PostgreSQL (see cursor-types.ts). */
import type pg from 'pg';
import type { TranscriptCursor, TranscriptCursorStore } from '../cursor-types.js';
import { cursorFromRow } from '../sqlite/transcript-cursors.js';

export class PgTranscriptCursors implements TranscriptCursorStore {
  constructor(private readonly pool: pg.Pool) {}

  async get(paths: readonly string[]): Promise<Map<string, TranscriptCursor>> {
    const out = new Map<string, TranscriptCursor>();
    for (let i = 0; i < paths.length; i += 5000) {
      const { rows } = await this.pool.query('SELECT * FROM transcript_cursors WHERE path = ANY($1::text[])', [paths.slice(i, i + 5000)]);
      for (const r of rows) out.set(r.path, cursorFromRow(r));
    }
    return out;
  }

  async put(cursors: readonly TranscriptCursor[], now: number): Promise<void> {
    if (cursors.length === 0) return;
    await this.pool.query(
      `INSERT INTO transcript_cursors (path, size, mtime_ms, offset_bytes, line_count, head_hash, tail_hash, state, updated_at)
       SELECT path, size, mtime_ms, offset_bytes, line_count, head_hash, tail_hash, state, $2
       FROM json_populate_recordset(NULL::transcript_cursors, $1::json)
       ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, offset_bytes = excluded.offset_bytes,
         line_count = excluded.line_count, head_hash = excluded.head_hash, tail_hash = excluded.tail_hash,
         state = excluded.state, updated_at = excluded.updated_at`,
      [
        JSON.stringify(
          cursors.map((c) => ({
            path: c.path,
            size: c.size,
            mtime_ms: c.mtimeMs,
            offset_bytes: c.offset,
            line_count: c.lineCount,
            head_hash: c.headHash,
            tail_hash: c.tailHash,
            state: c.state,
            updated_at: now,
          })),
        ),
        now,
      ],
    );
  }
}
