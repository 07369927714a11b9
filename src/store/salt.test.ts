import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createUserHasher, loadOrCreateSalt, prehashUserId, readSalt, saltFingerprint, writeSalt } from './salt.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-salt-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(root, `d${n++}`);

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('readSalt / writeSalt', () => {
  it('reads null without a salt file and refuses a malformed one', () => {
    const dir = freshDir();
    assert.equal(readSalt(dir), null);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'salt'), 'nope\n');
    assert.throws(() => readSalt(dir), /not a 64-character hex salt/);
  });

  it('replaces the salt file atomically, owner-only, leaving no temporary file', () => {
    const dir = freshDir();
    assert.equal(loadOrCreateSalt(dir).length, 64);
    writeSalt(dir, A);
    assert.equal(readSalt(dir), A);
    assert.equal(loadOrCreateSalt(dir), A);
    assert.equal(fs.statSync(path.join(dir, 'salt')).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['salt']);
    assert.throws(() => writeSalt(dir, 'x'), /64-character hex/);
  });
});

describe('createUserHasher and pre-hashed ids', () => {
  it('stores an id pre-hashed with its own salt as it is', () => {
    const hash = createUserHasher(A);
    assert.equal(hash(prehashUserId(A, 'alice')), hash('alice'));
  });

  it('refuses an id pre-hashed with another salt instead of hashing it again under a made-up id', () => {
    const hash = createUserHasher(A);
    const foreign = prehashUserId(B, 'alice');
    assert.throws(
      () => hash(foreign),
      (err: Error & { code?: string }) => err.code === 'INVALID_INPUT' && err.message.includes(saltFingerprint(B)) && err.message.includes(saltFingerprint(A)),
    );
    // Refused every time (not cached as a hash).
    assert.throws(() => hash(foreign), /another salt/);
  });
});
