/**
 * A restore killed (SIGKILL) at each point of its switch (restore-switch.ts): the next open of the
 * database finds the data directory as it was before the restore or as it is after it, the salt file
 * always the one the database's users were hashed with, and nothing the restore staged left over.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../database.js';
import { openSqliteStores } from '../open-stores.js';
import { readSalt } from '../salt.js';
import { createTestApp } from '../../testing/harness.js';
import { backupDatabase, restoreDatabase } from './backup.js';
import { restoreIntentFile, type RestoreIntent, type SwitchStep } from './restore-switch.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.resolve(HERE, '../../testing/restore-child.ts');
const BIN = path.resolve(HERE, '../../../bin/session-buddy.js');
const DB = 'session-buddy.db';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-restore-crash-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const backupFile = path.join(root, 'a.db');
const saltFileA = path.join(root, 'salt-a');
const template = path.join(root, 'b-template');
let saltA = '';
let saltB = '';
let cases = 0;

const invocation = (user: string, session: string) => ({
  skill_name: 'lint',
  user_id: user,
  session_id: session,
  workflow_phase: 'testing' as const,
  completed: true,
  duration_ms: 5,
});

before(async () => {
  // Installation A: two invocations, backed up (the backup records A's salt); installation B: one.
  const a = createTestApp();
  try {
    await a.tracker.track(invocation('ann', 'a1'));
    await a.tracker.track(invocation('ann', 'a2'));
    await backupDatabase(a.db, backupFile);
    saltA = readSalt(a.dir)!;
    fs.writeFileSync(saltFileA, `${saltA}\n`);
  } finally {
    await a.dispose();
  }
  const b = createTestApp();
  try {
    await b.tracker.track(invocation('bob', 'b1'));
    saltB = readSalt(b.dir)!;
  } finally {
    await b.close();
  }
  fs.cpSync(b.dir, template, { recursive: true });
  fs.rmSync(b.dir, { recursive: true, force: true });
});

/** A copy of installation B (or of `from`). */
function freshDataDir(from = template): string {
  const dir = path.join(root, `b${++cases}`);
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

/** Restores A's backup into `dir` with A's salt in a child killed at `step`. */
function restoreKilledAt(dir: string, step: SwitchStep): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, backupFile, path.join(dir, DB), dir, saltFileA, step], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.signal, 'SIGKILL', `the child was not killed at ${step}: ${r.stdout}${r.stderr}`);
  assert.ok(fs.existsSync(restoreIntentFile(path.join(dir, DB))), 'the killed restore left no intent record');
}

/** What the next open from the data directory finds (it refuses a salt file its users were not hashed with). */
function nextOpen(dir: string): { invocations: number; salt: string | null } {
  const stores = openSqliteStores(path.join(dir, DB), { dataDir: dir });
  try {
    const invocations = stores.sqlite!.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get() as number;
    return { invocations, salt: readSalt(dir) };
  } finally {
    void stores.close();
  }
}

const named = (dir: string, prefix: string) => fs.readdirSync(dir).filter((n) => n.startsWith(prefix));
const hidden = (dir: string) => named(dir, '.');

function assertBefore(dir: string): void {
  assert.deepEqual(nextOpen(dir), { invocations: 1, salt: saltB }, 'not the state before the restore');
  assert.deepEqual(named(dir, `${DB}.`), [], 'the database was left aside');
  assert.deepEqual(named(dir, 'salt.'), [], 'the copy of the salt the restore made was left');
  assert.deepEqual(hidden(dir), [], 'files the restore staged were left');
}

function assertAfter(dir: string): void {
  assert.deepEqual(nextOpen(dir), { invocations: 2, salt: saltA }, 'not the state after the restore');
  const [previous] = named(dir, `${DB}.before-restore-`);
  assert.ok(previous, 'the replaced database was not kept');
  const kept = named(dir, 'salt.before-restore-');
  assert.equal(kept.length, 1, 'the replaced salt was not kept');
  assert.equal(fs.readFileSync(path.join(dir, kept[0]!), 'utf8').trim(), saltB);
  const old = openDatabase(path.join(dir, previous), { readonly: true });
  try {
    assert.equal(old.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), 1);
  } finally {
    old.close();
  }
  assert.deepEqual(hidden(dir), [], 'files the restore staged were left');
}

describe('a restore killed during its switch', () => {
  it('killed once the intent is recorded: the next open undoes it (database and salt as before)', () => {
    const dir = freshDataDir();
    restoreKilledAt(dir, 'intent-written');
    assertBefore(dir);
  });

  for (const step of ['moved-aside', 'restored-in-place', 'salt-installed'] as const) {
    it(`killed after the step "${step}": the next open finishes it (the restored database with its salt)`, () => {
      const dir = freshDataDir();
      restoreKilledAt(dir, step);
      assertAfter(dir);
    });
  }

  it('replacing a damaged database, killed once it is aside: finished, the damaged database kept with its WAL', () => {
    const damaged = path.join(root, `damaged${++cases}`);
    fs.mkdirSync(damaged);
    fs.writeFileSync(path.join(damaged, 'salt'), `${saltB}\n`);
    fs.writeFileSync(path.join(damaged, DB), 'not a database, but what is left of one'.repeat(200));
    const dir = freshDataDir(damaged);
    restoreKilledAt(dir, 'moved-aside');
    // What is left of its last writes, still at the live path (SQLite removes a WAL it cannot use when it closes the file, not always).
    fs.writeFileSync(path.join(dir, `${DB}-wal`), 'the last writes');
    assert.deepEqual(nextOpen(dir), { invocations: 2, salt: saltA });
    const [previous] = named(dir, `${DB}.damaged-`).filter((n) => !n.endsWith('-wal'));
    assert.ok(previous, 'the damaged database was not kept');
    assert.equal(fs.readFileSync(path.join(dir, `${previous}-wal`), 'utf8'), 'the last writes');
    assert.deepEqual(hidden(dir), []);
  });

  for (const step of ['intent-written', 'moved-aside', 'restored-in-place', 'salt-installed'] as const) {
    it(`a failure after the step "${step}" (not a kill) is undone at once: database and salt as before`, () => {
      const dir = freshDataDir();
      assert.throws(
        () =>
          restoreDatabase(backupFile, path.join(dir, DB), {
            dataDir: dir,
            salt: saltA,
            onSwitchStep: (at) => {
              if (at === step) throw new Error(`failed after ${at}`);
            },
          }),
        { message: `failed after ${step}` },
      );
      assert.equal(fs.existsSync(restoreIntentFile(path.join(dir, DB))), false, 'the intent record was left');
      assertBefore(dir);
    });
  }

  it('a restore still switching (its process alive) is left alone: opening is refused until it is done', () => {
    const dir = freshDataDir();
    restoreKilledAt(dir, 'moved-aside');
    const file = restoreIntentFile(path.join(dir, DB));
    const intent = JSON.parse(fs.readFileSync(file, 'utf8')) as RestoreIntent;
    // The test runner that started this test is alive, and not this process.
    fs.writeFileSync(file, JSON.stringify({ ...intent, pid: process.ppid, startedAt: Date.now() }));
    assert.throws(() => openDatabase(path.join(dir, DB)), { code: 'CONFLICT', message: new RegExp(`a restore \\(pid ${process.ppid}\\) of .* is switching`) });
    assert.throws(() => restoreDatabase(backupFile, path.join(dir, DB), { dataDir: dir, salt: saltA }), { code: 'CONFLICT' });
    assert.equal(fs.existsSync(path.join(dir, DB)), false, 'a database was created in the middle of the switch');
    // Its record, written long ago by a process with that pid, is another's (the pid reused): taken up.
    fs.writeFileSync(file, JSON.stringify({ ...intent, pid: process.ppid, startedAt: 0 }));
    assertAfter(dir);
  });

  it('the next restore completes the one killed first, then restores', () => {
    const dir = freshDataDir();
    restoreKilledAt(dir, 'moved-aside');
    const result = restoreDatabase(backupFile, path.join(dir, DB), { dataDir: dir, salt: saltA, now: 1 });
    assert.equal(result.invocations, 2);
    assert.equal(readSalt(dir), saltA);
    assert.equal(named(dir, `${DB}.before-restore-`).length, 2, 'the first replaced database (1 invocation) and the restored one');
    assert.deepEqual(hidden(dir), []);
  });

  it('the next command says what it did', () => {
    const dir = freshDataDir();
    restoreKilledAt(dir, 'moved-aside');
    const home = path.join(root, `home${++cases}`);
    fs.mkdirSync(home);
    const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, 'status'], {
      cwd: home,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: home },
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^note: a restore of ${backupFile} into ${path.join(dir, DB)} \\(pid \\d+\\) was interrupted part-way; it was finished: the restored database is in place, ` +
          `the one it replaced kept as ${path.join(dir, DB)}\\.before-restore-\\d+, and the salt given was installed with it\\n`,
      ),
    );
    assertAfter(dir);
  });
});
