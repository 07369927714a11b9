import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { AppError } from '../errors.js';
import { createHash } from 'node:crypto';
import { createUserHasher, loadOrCreateSalt } from '../store/salt.js';
import { appendToSpool, drainSpool, REJECTED_FILE, SaltMissingError, SpoolWriteError, spooledLines, spoolPath, spoolSize } from './spool.js';
import type { CapturedInvocation, RecordBatch } from './types.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-spool-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = path.join(root, `d${n++}`);
  fs.mkdirSync(d);
  return d;
};

function inv(i: number, extra: Partial<CapturedInvocation> = {}): CapturedInvocation {
  return {
    skill_name: 'Bash',
    session_id: 's1',
    user_id: 'u',
    workflow_phase: 'unknown',
    completed: true,
    duration_ms: i,
    error_type: null,
    invoked_at: 1_767_600_000_000 + i,
    project: 'p',
    agent: 'claude-code',
    metadata: { source: 'hook' },
    dedupe_key: `cc:s1:toolu_${i}`,
    ...extra,
  };
}

/** A store stand-in: keeps one row per dedupe_key; can fail on chosen calls or reject empty skill names. */
function fakeStore(opts: { failOnCall?: number } = {}) {
  const rows = new Map<string, CapturedInvocation>();
  let calls = 0;
  const record: RecordBatch = async (inputs) => {
    calls++;
    if (opts.failOnCall === calls) throw new AppError('STORE_UNAVAILABLE', 'down');
    const bad = inputs.findIndex((i) => i.skill_name === '');
    if (bad >= 0) throw AppError.invalid(`invocations.${bad}.skill_name`, 'must not be empty');
    let inserted = 0;
    let duplicates = 0;
    for (const i of inputs) {
      if (rows.has(i.dedupe_key)) duplicates++;
      else {
        rows.set(i.dedupe_key, i);
        inserted++;
      }
    }
    return { inserted, duplicates };
  };
  return { rows, record, calls: () => calls };
}

describe('appendToSpool', () => {
  it('appends one JSON line per invocation', () => {
    const dir = freshDir();
    assert.equal(appendToSpool(dir, [inv(1), inv(2)]), true);
    assert.equal(appendToSpool(dir, [inv(3)]), true);
    const lines = fs.readFileSync(spoolPath(dir), 'utf8').trim().split('\n');
    assert.equal(lines.length, 3);
    const salt = fs.readFileSync(path.join(dir, 'salt'), 'utf8').trim();
    const hash = createHash('sha256').update(salt).update('\0').update('u').digest('hex');
    const fingerprint = createHash('sha256').update('fingerprint\0').update(salt).digest('hex').slice(0, 8);
    assert.deepEqual(JSON.parse(lines[2]!), { ...inv(3), user_id: `salted-sha256:${fingerprint}:${hash}` });
    assert.equal(fs.statSync(spoolPath(dir)).mode & 0o777, 0o600);
  });

  it("never writes a raw user id; the installation hasher maps it to the raw id's hash", () => {
    const dir = freshDir();
    appendToSpool(dir, [inv(1, { user_id: 'alice@example.com' })]);
    const text = fs.readFileSync(spoolPath(dir), 'utf8');
    assert.doesNotMatch(text, /alice/);
    const hasher = createUserHasher(loadOrCreateSalt(dir));
    const line = JSON.parse(text) as CapturedInvocation;
    assert.equal(hasher(line.user_id), hasher('alice@example.com'));
    // another installation (other salt) neither takes the hash as its own nor hashes it again under a made-up id
    assert.throws(() => createUserHasher('f'.repeat(64))(line.user_id), { code: 'INVALID_INPUT' });
  });

  it('gives a dedupe key to an invocation without one', () => {
    const dir = freshDir();
    appendToSpool(dir, [inv(1, { dedupe_key: '' })]);
    const line = JSON.parse(fs.readFileSync(spoolPath(dir), 'utf8')) as CapturedInvocation;
    assert.match(line.dedupe_key, /^spool:[0-9a-f-]{36}$/);
  });

  it('creates no salt beside an existing database (its users were hashed with the lost one); a new data directory gets one', () => {
    const dir = freshDir();
    fs.writeFileSync(path.join(dir, 'session-buddy.db'), '');
    assert.throws(
      () => appendToSpool(dir, [inv(1)]),
      (err: unknown) => err instanceof SaltMissingError && err.code === 'SALT_MISSING',
    );
    assert.equal(fs.existsSync(path.join(dir, 'salt')), false);
    assert.equal(spoolSize(dir), 0);
    const fresh = freshDir();
    assert.equal(appendToSpool(fresh, [inv(1)]), true);
    assert.equal(fs.existsSync(path.join(fresh, 'salt')), true);
  });

  it('refuses to grow past the size cap', () => {
    const dir = freshDir();
    assert.equal(appendToSpool(dir, [inv(1)], 10), false);
    assert.equal(spoolSize(dir), 0);
  });

  it('starts on a new line when the spool ends with a cut line, so the next call is not glued to it', async () => {
    const dir = freshDir();
    appendToSpool(dir, [inv(1), inv(2)]);
    const full = fs.readFileSync(spoolPath(dir), 'utf8');
    const cut = full.slice(0, full.indexOf('\n') + 1 + Math.floor((full.length - full.indexOf('\n')) / 2));
    fs.writeFileSync(spoolPath(dir), cut); // the second line cut in half, no trailing newline
    appendToSpool(dir, [inv(3)]);
    appendToSpool(dir, [inv(4)]);
    assert.equal(spooledLines(dir), 4); // the blank line the append may add is no call
    const store = fakeStore();
    const sum = await drainSpool(dir, store.record);
    assert.deepEqual([...store.rows.keys()].sort(), ['cc:s1:toolu_1', 'cc:s1:toolu_3', 'cc:s1:toolu_4']);
    assert.equal(sum.rejected, 1);
    assert.match(fs.readFileSync(path.join(dir, REJECTED_FILE), 'utf8'), /not JSON/);
  });

  it('reports a short write (disk full) with the lines written whole; the cut line cannot swallow the next', async () => {
    const dir = freshDir();
    appendToSpool(dir, [inv(1)]);
    const real = fs.writeSync;
    // The first write stops 10 bytes into the second line, then the disk is full.
    const short = mock.method(fs, 'writeSync', (fd: number, buf: Buffer, off: number, len: number) => {
      const first = buf.indexOf(0x0a) + 1 + 10;
      if (off === 0) return real(fd, buf, 0, Math.min(len, first));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    try {
      assert.throws(
        () => appendToSpool(dir, [inv(2), inv(3)]),
        (err: unknown) => err instanceof SpoolWriteError && err.lines === 1 && err.code === 'ENOSPC',
      );
    } finally {
      short.mock.restore();
    }
    appendToSpool(dir, [inv(4)]);
    const store = fakeStore();
    const sum = await drainSpool(dir, store.record);
    assert.deepEqual([...store.rows.keys()].sort(), ['cc:s1:toolu_1', 'cc:s1:toolu_2', 'cc:s1:toolu_4']);
    assert.equal(sum.rejected, 1);
  });
});

describe('drainSpool', () => {
  it('records everything once and removes the spool', async () => {
    const dir = freshDir();
    appendToSpool(dir, [inv(1), inv(2), inv(3)]);
    const store = fakeStore();
    const sum = await drainSpool(dir, store.record, { batchSize: 2 });
    assert.deepEqual(sum, { files: 1, lines: 3, inserted: 3, duplicates: 0, rejected: 0 });
    assert.equal(store.calls(), 2); // 3 lines in batches of 2 -> 2 calls
    assert.equal(fs.existsSync(spoolPath(dir)), false);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f !== 'salt'),
      [],
    );
    assert.deepEqual(await drainSpool(dir, store.record), { files: 0, lines: 0, inserted: 0, duplicates: 0, rejected: 0 });
  });

  it('moves garbage lines and invalid invocations to the rejected file', async () => {
    const dir = freshDir();
    appendToSpool(dir, [inv(1)]);
    fs.appendFileSync(spoolPath(dir), 'not json\n\n[1,2]\n');
    appendToSpool(dir, [inv(2, { skill_name: '' }), inv(3)]);
    const store = fakeStore();
    const sum = await drainSpool(dir, store.record);
    // lines: inv1, "not json", [1,2], inv2(bad), inv3 = 5 (blank line skipped)
    assert.deepEqual(sum, { files: 1, lines: 5, inserted: 2, duplicates: 0, rejected: 3 });
    assert.deepEqual([...store.rows.keys()].sort(), ['cc:s1:toolu_1', 'cc:s1:toolu_3']);
    const rejected = fs
      .readFileSync(path.join(dir, REJECTED_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; line: string });
    assert.equal(rejected.length, 3);
    assert.equal(rejected[0]!.line, 'not json');
    assert.equal(rejected[0]!.reason, 'not JSON');
    assert.match(rejected[2]!.reason, /skill_name: must not be empty/);
  });

  it('stays exactly-once when recording fails half-way and the drain is repeated', async () => {
    const dir = freshDir();
    appendToSpool(dir, [inv(1), inv(2), inv(3), inv(4)]);
    const store = fakeStore({ failOnCall: 2 });
    // batch 1 (inv1, inv2) lands, batch 2 fails
    await assert.rejects(drainSpool(dir, store.record, { batchSize: 2 }), /down/);
    assert.equal(store.rows.size, 2);
    assert.ok(fs.existsSync(spoolPath(dir)), 'file given back to the spool');
    appendToSpool(dir, [inv(5)]); // arrives while the server is down again

    const sum = await drainSpool(dir, store.record, { batchSize: 2 });
    // all 5 lines re-read: inv1, inv2 are duplicates, inv3..5 new
    assert.deepEqual(sum, { files: 1, lines: 5, inserted: 3, duplicates: 2, rejected: 0 });
    assert.equal(store.rows.size, 5);
  });

  it('reclaims a .draining file left by a crashed drain', async () => {
    const dir = freshDir();
    appendToSpool(dir, [inv(1), inv(2)]);
    // A drain in process 999999 claimed the spool, recorded inv1, then crashed.
    fs.renameSync(spoolPath(dir), path.join(dir, 'spool.999999.abc-1.draining'));
    const store = fakeStore();
    await store.record([inv(1)]);
    appendToSpool(dir, [inv(3)]);

    const sum = await drainSpool(dir, store.record, { isAlive: () => false });
    // crashed file (inv1 dup, inv2) + live spool (inv3)
    assert.deepEqual(sum, { files: 2, lines: 3, inserted: 2, duplicates: 1, rejected: 0 });
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f !== 'salt'),
      [],
    );
  });

  it('leaves a fresh .draining file of a live process alone', async () => {
    const dir = freshDir();
    fs.writeFileSync(path.join(dir, 'spool.4242.x.draining'), `${JSON.stringify(inv(1))}\n`);
    const store = fakeStore();
    const sum = await drainSpool(dir, store.record, { isAlive: () => true, pid: 1 });
    assert.equal(sum.files, 0);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f !== 'salt'),
      ['spool.4242.x.draining'],
    );
    // once it is stale it is taken over
    const later = await drainSpool(dir, store.record, { isAlive: () => true, pid: 1, now: Date.now() + 120_000 });
    assert.equal(later.inserted, 1);
  });

  it('two concurrent drains record each line once', async () => {
    const dir = freshDir();
    appendToSpool(
      dir,
      Array.from({ length: 50 }, (_, i) => inv(i)),
    );
    const store = fakeStore();
    const [a, b] = await Promise.all([drainSpool(dir, store.record, { batchSize: 7 }), drainSpool(dir, store.record, { batchSize: 7 })]);
    assert.equal(a.inserted + b.inserted, 50);
    assert.equal(store.rows.size, 50);
  });
});
