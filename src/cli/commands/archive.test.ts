/** `session-buddy archive` then the same calls recorded again (import and record): archived dedupe keys stay duplicates. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../../store/database.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-archive-cli-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const OLD = Date.now() - 40 * 86_400_000;

function run(data: string, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', data, ...args], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: path.join(root, 'home') },
    cwd: root,
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const use = (id: string, s: number) =>
  JSON.stringify({
    type: 'assistant',
    sessionId: 'arch',
    timestamp: new Date(OLD + s * 1000).toISOString(),
    message: { id: `m${id}`, content: [{ type: 'tool_use', id, name: 'Bash', input: { command: 'npm test' } }] },
  });
const res = (id: string, s: number) =>
  JSON.stringify({
    type: 'user',
    sessionId: 'arch',
    timestamp: new Date(OLD + s * 1000).toISOString(),
    message: { content: [{ type: 'tool_result', tool_use_id: id, content: 'ok' }] },
  });
const call = (key: string) =>
  JSON.stringify({
    skill_name: 'lint',
    user_id: 'bob',
    session_id: 's1',
    workflow_phase: 'testing',
    completed: true,
    duration_ms: 40,
    invoked_at: OLD,
    dedupe_key: key,
  });

/** Raw rows, all-time rollup count and archived keys of the data directory's database. */
function counts(data: string) {
  const db = openDatabase(path.join(data, 'session-buddy.db'));
  try {
    const one = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      raw: one('SELECT count(*) FROM skill_invocations'),
      totals: one('SELECT coalesce(sum(invocations), 0) FROM skill_totals'),
      archivedKeys: one('SELECT count(*) FROM archived_dedupe_keys'),
    };
  } finally {
    db.close();
  }
}

function setUp(name: string) {
  const data = path.join(root, name);
  const transcripts = path.join(root, `${name}-transcripts`);
  fs.mkdirSync(transcripts, { recursive: true });
  fs.writeFileSync(path.join(transcripts, 'arch.jsonl'), `${use('toolu_a1', 0)}\n${res('toolu_a1', 1)}\n${use('toolu_a2', 2)}\n${res('toolu_a2', 3)}\n`);
  assert.equal(JSON.parse(run(data, ['import', '--json', transcripts])).inserted, 2);
  assert.equal(JSON.parse(run(data, ['record', '--json'], call('rec-1'))).inserted, 1);
  assert.match(run(data, ['archive', '--older-than', '25d']), /archived 3 invocations/);
  return { data, transcripts };
}

function assertStillDuplicates(data: string, transcripts: string) {
  const before = counts(data);
  assert.equal(before.raw, 0);
  assert.equal(before.totals, 3);
  const again = JSON.parse(run(data, ['import', '--full', '--json', transcripts]));
  assert.deepEqual([again.inserted, again.duplicates], [0, 2]);
  const rec = JSON.parse(run(data, ['record', '--json'], call('rec-1')));
  assert.deepEqual([rec.inserted, rec.duplicates], [0, 1]);
  const after = counts(data);
  assert.deepEqual([after.raw, after.totals], [before.raw, before.totals]);
  // A key that was never archived still goes in.
  assert.equal(JSON.parse(run(data, ['record', '--json'], call('rec-2'))).inserted, 1);
  assert.deepEqual([counts(data).raw, counts(data).totals], [1, 4]);
}

describe('session-buddy archive (CLI)', () => {
  it('keeps the dedupe keys it archived: the same calls imported or recorded again are duplicates', () => {
    const { data, transcripts } = setUp('data');
    assert.equal(counts(data).archivedKeys, 3);
    assertStillDuplicates(data, transcripts);
  });

  it('records the keys of files archived before they were recorded on the next run, read back from the files', () => {
    const { data, transcripts } = setUp('data-old');
    // The state an archive before archived_dedupe_keys left: the keys only in the Parquet file.
    const db = openDatabase(path.join(data, 'session-buddy.db'));
    db.exec('DELETE FROM archived_dedupe_keys; UPDATE archives SET keys_recorded = 0');
    db.close();
    const out = run(data, ['archive', '--older-than', '25d']);
    assert.match(out, /recorded 3 dedupe key\(s\) of .*\.parquet/);
    assert.match(out, /nothing to archive/);
    assert.equal(counts(data).archivedKeys, 3);
    assertStillDuplicates(data, transcripts);
  });

  it('records those keys when the store is next opened to write, so an import right after an upgrade finds the calls duplicates', () => {
    const { data, transcripts } = setUp('data-upgraded');
    const db = openDatabase(path.join(data, 'session-buddy.db'));
    db.exec('DELETE FROM archived_dedupe_keys; UPDATE archives SET keys_recorded = 0');
    db.close();
    // No archive run in between: the first command after the upgrade re-imports everything.
    assertStillDuplicates(data, transcripts);
    assert.equal(counts(data).archivedKeys, 3);
  });

  it('records those keys when `migrate` brings such a database up to date', () => {
    const { data } = setUp('data-migrated');
    const db = openDatabase(path.join(data, 'session-buddy.db'));
    db.exec('DELETE FROM archived_dedupe_keys; UPDATE archives SET keys_recorded = 0');
    db.close();
    assert.match(run(data, ['migrate']), /already at schema version/);
    assert.equal(counts(data).archivedKeys, 3);
  });

  it('refuses an age past 100 years, from --older-than or SESSION_BUDDY_RETENTION_DAYS, in one line naming it (no stack trace)', () => {
    const data = path.join(root, 'data-far');
    run(data, ['init']);
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--older-than', '99999999999d'], {}, /^error: --older-than: must be at most 36500d \(100 years\)\n$/],
      [['--older-than', '5300w'], {}, /^error: --older-than: must be at most 36500d/],
      [[], { SESSION_BUDDY_RETENTION_DAYS: '99999999999' }, /^error: SESSION_BUDDY_RETENTION_DAYS: must be at most 36500 \(100 years\)\n$/],
    ];
    for (const [flags, env, message] of cases) {
      const r = spawnSync(process.execPath, [BIN, '--data-dir', data, 'archive', '--dry-run', ...flags], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: path.join(root, 'home'), ...env },
        cwd: root,
        timeout: 60_000,
      });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    }
    // The bound itself is taken.
    assert.match(run(data, ['archive', '--dry-run', '--older-than', '36500d']), /^0 invocations are older than 19\d\d-/);
  });
});
