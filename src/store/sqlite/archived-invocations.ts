/**
 * Reads back the invocations of one archive file (store/sqlite/archive.ts) as
 * merge-data records live ones (ExportedInvocation), after checking its bytes
 * against the sha256 its `archives` row recorded.
 *
 * Files written before archive kept activation_trigger, slash_after_miss and
 * duration_known lack those columns: their rows get what the migrations gave
 * the rows existing then (0017: a `skill:` tool call was model-triggered,
 * other tools have no trigger, no slash-after-miss estimate), except that a
 * row whose dedupe key is a typed activation's (`cc-typed:`, as the hook, the
 * import and OTLP write them) was typed (0025: a duration
 * is measured unless the activation was typed, the metadata says
 * duration_source 'unknown', or it is a transcript import's call that never
 * reported back).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { ExportedInvocation } from './invocation-export.js';
import { isTypedDedupeKey } from '../../dedupe-keys.js';
import { findArchiveFile } from './archive-files.js';

/** An archive file as its `archives` row records it. */
export interface RecordedArchive {
  file: string;
  rows: number;
  sha256: string;
}

/** Columns every archive file holds. */
const REQUIRED = ['id', 'skill_name', 'session_id', 'user_hash', 'workflow_phase', 'completed', 'duration_ms', 'invoked_at'] as const;

interface FileRow {
  id: string;
  skill_name: string;
  session_id: string;
  user_hash: string;
  workflow_phase: string;
  completed: boolean;
  duration_ms: number | bigint;
  error_type?: string | null;
  invoked_at: Date | number | bigint;
  project?: string | null;
  agent?: string | null;
  metadata?: string | null;
  dedupe_key?: string | null;
  activation_trigger?: 'model' | 'typed' | null;
  slash_after_miss?: boolean | null;
  duration_known?: boolean;
}

/** metadata.<key> when the metadata is a JSON object holding it. */
function metadataField(metadata: string | null, key: string): unknown {
  if (!metadata?.includes(key)) return undefined;
  try {
    const v = JSON.parse(metadata) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

/** Migration 0025's rule for a row recorded before duration_known existed. */
function durationKnown(r: Pick<ExportedInvocation, 'trigger' | 'metadata' | 'error_type' | 'duration_ms'>): boolean {
  if (r.trigger === 'typed' || metadataField(r.metadata, 'duration_source') === 'unknown') return false;
  return !(r.error_type === 'no_result' && r.duration_ms === 0 && metadataField(r.metadata, 'source') === 'transcript');
}

/** The trigger of a row from a file written before activation_trigger was kept. */
function triggerOfOlderRow(r: FileRow): 'model' | 'typed' | null {
  if (isTypedDedupeKey(r.dedupe_key)) return 'typed';
  return r.skill_name.startsWith('skill:') ? 'model' : null;
}

function toExported(r: FileRow, has: ReadonlySet<string>): ExportedInvocation {
  const trigger = has.has('activation_trigger') ? (r.activation_trigger ?? null) : triggerOfOlderRow(r);
  const metadata = r.metadata ?? null;
  const errorType = r.error_type ?? null;
  const durationMs = Number(r.duration_ms);
  // One literal, not a spread of one: a spread gave each of a file's rows its own hidden class
  // (100,000 rows of one file held 49 MB of them during a merge).
  return {
    id: r.id,
    skill_name: r.skill_name,
    user_hash: r.user_hash,
    session_key: r.session_id,
    workflow_phase: r.workflow_phase,
    completed: r.completed === true,
    duration_ms: durationMs,
    error_type: errorType,
    invoked_at: r.invoked_at instanceof Date ? r.invoked_at.getTime() : Number(r.invoked_at),
    project: r.project ?? null,
    agent: r.agent ?? null,
    metadata,
    dedupe_key: r.dedupe_key ?? null,
    trigger,
    slash_after_miss: has.has('slash_after_miss') ? (r.slash_after_miss ?? null) : null,
    duration_known: has.has('duration_known')
      ? r.duration_known !== false
      : durationKnown({ trigger, metadata, error_type: errorType, duration_ms: durationMs }),
  };
}

/**
 * The rows of a recorded archive file, found at its recorded path or by name in
 * `archiveFolder` (the data directory moved); or why they cannot be read: the
 * file is missing, its bytes are not those recorded, or it is no archive file.
 */
export async function readArchivedInvocations(a: RecordedArchive, archiveFolder: string): Promise<{ rows: ExportedInvocation[] } | { problem: string }> {
  const found = findArchiveFile(a.file, archiveFolder);
  if (!found) return { problem: 'file not found' };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(found);
  } catch (err) {
    return { problem: `unreadable: ${(err as Error).message}` };
  }
  if (a.sha256 && crypto.createHash('sha256').update(bytes).digest('hex') !== a.sha256) {
    return { problem: 'its sha256 is not the one recorded when it was written: the file was changed' };
  }
  try {
    // Loaded here: the Parquet reader is for this case only.
    const { parquetMetadata, parquetReadObjects } = await import('hyparquet');
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const has = new Set(
      parquetMetadata(file)
        .schema.slice(1)
        .map((c) => c.name),
    );
    const lacking = REQUIRED.filter((c) => !has.has(c));
    if (lacking.length > 0) return { problem: `not an archive file: no ${lacking.join(', ')} column` };
    const rows = (await parquetReadObjects({ file })) as FileRow[];
    return { rows: rows.map((r) => toExported(r, has)) };
  } catch (err) {
    return { problem: `unreadable: ${(err as Error).message}` };
  }
}
