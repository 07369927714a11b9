/**
 * An archive file written before archive kept activation_trigger,
 * slash_after_miss and duration_known reads back with the migrations'
 * defaults, a typed activation (its `cc-typed:` dedupe key) as typed; a
 * changed file, or one that is no archive file, is refused.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parquetWriteFile } from 'hyparquet-writer';
import { readArchivedInvocations } from './archived-invocations.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-archived-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const at = Date.UTC(2025, 0, 5, 10);
/** [skill, duration_ms, error_type, metadata] of each row. */
const rows: Array<[string, number, string | null, string | null]> = [
  ['skill:deploy', 800, null, null],
  ['Bash', 0, null, '{"duration_source":"unknown"}'],
  ['Bash', 0, 'no_result', '{"source":"transcript"}'],
  ['Bash', 120, null, '{"source":"transcript"}'],
  ['skill:review', 0, null, '{"source":"hook"}'],
];
/** The dedupe key of each row: none, a tool call's, a typed activation's (the last). */
const keyOf = (i: number) => (i === 0 ? null : i === rows.length - 1 ? 'cc-typed:s1:skill:review:1' : `k${i}`);

/** A file as archive wrote it before it kept the three later columns. */
function olderFile(name: string): { file: string; rows: number; sha256: string } {
  const file = path.join(dir, name);
  const col = (name: string, data: unknown[], type: string, nullable = true) => ({ name, data, type, nullable });
  parquetWriteFile({
    filename: file,
    columnData: [
      col(
        'id',
        rows.map((_, i) => `id${i}`),
        'STRING',
        false,
      ),
      col(
        'skill_name',
        rows.map((r) => r[0]),
        'STRING',
        false,
      ),
      col(
        'session_id',
        rows.map(() => 's1'),
        'STRING',
        false,
      ),
      col(
        'user_hash',
        rows.map(() => 'uh'),
        'STRING',
        false,
      ),
      col(
        'workflow_phase',
        rows.map(() => 'testing'),
        'STRING',
        false,
      ),
      col(
        'completed',
        rows.map((r) => r[2] === null),
        'BOOLEAN',
        false,
      ),
      col(
        'duration_ms',
        rows.map((r) => r[1]),
        'INT32',
        false,
      ),
      col(
        'error_type',
        rows.map((r) => r[2]),
        'STRING',
      ),
      col(
        'invoked_at',
        rows.map((_, i) => new Date(at + i)),
        'TIMESTAMP',
        false,
      ),
      col(
        'project',
        rows.map(() => null),
        'STRING',
      ),
      col(
        'agent',
        rows.map(() => 'claude-code'),
        'STRING',
      ),
      col(
        'metadata',
        rows.map((r) => r[3]),
        'STRING',
      ),
      col(
        'dedupe_key',
        rows.map((_, i) => keyOf(i)),
        'STRING',
      ),
    ] as never,
  });
  return { file, rows: rows.length, sha256: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
}

describe('readArchivedInvocations', () => {
  it("gives an older file's rows the defaults the migrations gave the rows of that time", async () => {
    const a = olderFile('old.parquet');
    const read = await readArchivedInvocations(a, path.join(dir, 'nowhere'));
    assert.ok('rows' in read, JSON.stringify(read));
    assert.deepEqual(
      read.rows.map((r) => [r.skill_name, r.trigger, r.slash_after_miss, r.duration_known]),
      [
        ['skill:deploy', 'model', null, true],
        ['Bash', null, null, false],
        ['Bash', null, null, false],
        ['Bash', null, null, true],
        ['skill:review', 'typed', null, false],
      ],
    );
    assert.deepEqual(read.rows[0], {
      id: 'id0',
      skill_name: 'skill:deploy',
      user_hash: 'uh',
      session_key: 's1',
      workflow_phase: 'testing',
      completed: true,
      duration_ms: 800,
      error_type: null,
      invoked_at: at,
      project: null,
      agent: 'claude-code',
      metadata: null,
      dedupe_key: null,
      trigger: 'model',
      slash_after_miss: null,
      duration_known: true,
    });
  });

  it('finds a file by name in the archive folder, and refuses a missing, changed or foreign one', async () => {
    const a = olderFile('moved.parquet');
    const folder = path.join(dir, 'archive');
    fs.mkdirSync(folder);
    fs.renameSync(a.file, path.join(folder, 'moved.parquet'));
    assert.equal(((await readArchivedInvocations(a, folder)) as { rows: unknown[] }).rows.length, rows.length);
    assert.deepEqual(await readArchivedInvocations(a, dir), { problem: 'file not found' });
    assert.match(((await readArchivedInvocations({ ...a, sha256: 'f'.repeat(64) }, folder)) as { problem: string }).problem, /sha256 is not the one recorded/);
    const foreign = path.join(dir, 'foreign.parquet');
    parquetWriteFile({ filename: foreign, columnData: [{ name: 'x', data: [1], type: 'INT32' }] });
    assert.deepEqual(await readArchivedInvocations({ file: foreign, rows: 1, sha256: '' }, folder), {
      problem: 'not an archive file: no id, skill_name, session_id, user_hash, workflow_phase, completed, duration_ms, invoked_at column',
    });
  });
});
