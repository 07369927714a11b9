import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadOrCreateToken, tokenMatches, tokenPath } from './access-token.js';

describe('loadOrCreateToken', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-token-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a 0600 token file once and returns the same token afterwards', () => {
    const t1 = loadOrCreateToken(dir);
    assert.match(t1, /^[A-Za-z0-9_-]{43}$/); // 32 bytes in base64url
    assert.equal(fs.statSync(tokenPath(dir)).mode & 0o777, 0o600);
    assert.equal(loadOrCreateToken(dir), t1);
  });

  it('creates the data directory when missing', () => {
    const nested = path.join(dir, 'a', 'b');
    loadOrCreateToken(nested);
    assert.ok(fs.existsSync(path.join(nested, 'token')));
  });

  it('tightens a token file that others can read', () => {
    fs.writeFileSync(tokenPath(dir), 'a-hand-made-token-of-enough-length\n', { mode: 0o644 });
    fs.chmodSync(tokenPath(dir), 0o644);
    assert.equal(loadOrCreateToken(dir), 'a-hand-made-token-of-enough-length');
    assert.equal(fs.statSync(tokenPath(dir)).mode & 0o777, 0o600);
  });

  it('refuses an unusably short token', () => {
    fs.writeFileSync(tokenPath(dir), 'short\n', { mode: 0o600 });
    assert.throws(() => loadOrCreateToken(dir), /no usable token/);
  });
});

describe('tokenMatches', () => {
  it('compares exactly', () => {
    assert.equal(tokenMatches('abc', 'abc'), true);
    assert.equal(tokenMatches('abc', 'abd'), false);
    assert.equal(tokenMatches('abc', 'abcd'), false);
    assert.equal(tokenMatches('abc', ''), false);
  });
});
